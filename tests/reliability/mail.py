"""Test-only e-mail backend for the worker processes of these tests (EMAIL_BACKEND).

Django's file-based backend, one file per message in $OSP_TEST_MAIL_DIR, so a test counts
the e-mails really sent. With $OSP_TEST_MAIL_PAUSE_AT=N it stops, once, just before
writing the Nth message: it writes its pid to a `paused` file beside the mail directory
and sleeps, so the test can kill the worker at that exact point of the task. With
$OSP_TEST_MAIL_DELAY=S each message takes S seconds, so a task keeps its worker busy
long enough for the broker to go away under it.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends import filebased


class FileBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["OSP_TEST_MAIL_DIR"]
        super().__init__(*args, **kwargs)

    def _get_filename(self):
        return str(Path(self.file_path) / f"{uuid.uuid4().hex}.eml")

    def send_messages(self, email_messages):
        pause_at = int(os.environ.get("OSP_TEST_MAIL_PAUSE_AT") or 0)
        marker = Path(self.file_path).with_name("paused")
        if pause_at and not marker.exists() and \
                len(list(Path(self.file_path).glob("*.eml"))) + 1 == pause_at:
            marker.write_text(str(os.getpid()))
            time.sleep(300)  # until the test kills this process
        time.sleep(float(os.environ.get("OSP_TEST_MAIL_DELAY") or 0))
        return super().send_messages(email_messages)
