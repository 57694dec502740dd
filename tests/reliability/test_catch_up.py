"""Issue #7, in process: the e-mail a reminder owes survives its worker, the weekly snapshot
catches up once, and the broker's visibility timeout is configurable. (The same with real
worker, beat and Redis processes: test_worker_killed.py, test_broker_restart.py.)"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

from django.core import mail
from django.utils import timezone

from forecasting.models import ForecastSnapshot
from forecasting.tasks import take_weekly_snapshot, weekly_snapshot_due
from opportunities import reminders as opportunity_reminders
from opportunities.tasks import send_selling_cycle_reminders
from osp import reminders
from osp.models import ReminderSent
from tests.reliability.conftest import stale_deals

ROOT = Path(__file__).resolve().parents[2]


def test_an_email_its_worker_died_before_sending_goes_out_with_the_next_run(db):
    stale_deals(2, owner_prefix="rep")
    # The test's transaction never commits, so the e-mails due right after the commit are
    # never sent: just what a worker killed between the commit and the sending leaves.
    assert opportunity_reminders.remind_stale_opportunities() == 2
    assert mail.outbox == [] and ReminderSent.objects.filter(emailed_at=None).count() == 2

    result = send_selling_cycle_reminders()  # the next hourly run (or the redelivery)
    assert result["stale_opportunities"] == 0 and result["emails_caught_up"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["rep0@example.com", "rep1@example.com"]
    assert not ReminderSent.objects.filter(emailed_at=None).exists()

    assert send_selling_cycle_reminders()["emails_caught_up"] == 0
    assert len(mail.outbox) == 2


def test_an_email_carries_a_message_id_fixed_for_its_reminder(db, settings):
    settings.DEFAULT_FROM_EMAIL = "OSP <osp@example.com>"
    stale_deals(1, owner_prefix="rep")
    opportunity_reminders.remind_stale_opportunities()  # recorded; the e-mail still owed
    reminder = ReminderSent.objects.get()
    assert reminders.deliver_reminder_email(reminder.pk) is True
    assert reminders.deliver_reminder_email(reminder.pk) is False  # sent already
    message_id = f"<osp-reminder-{reminder.pk}@example.com>"
    assert mail.outbox[0].message()["Message-ID"] == message_id


def test_a_failing_mail_server_leaves_the_email_owed(db, monkeypatch):
    stale_deals(1, owner_prefix="rep")
    opportunity_reminders.remind_stale_opportunities()  # recorded; the e-mail still owed

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("no SMTP server")

    with monkeypatch.context() as patch:
        patch.setattr(reminders.EmailMessage, "send", refuse)
        assert reminders.deliver_owed_emails() == 0
    assert ReminderSent.objects.get().emailed_at is None
    assert reminders.deliver_owed_emails() == 1 and len(mail.outbox) == 1


def test_an_email_owed_for_too_long_is_given_up(db):
    stale_deals(1, owner_prefix="rep")
    opportunity_reminders.remind_stale_opportunities()  # recorded; the e-mail still owed
    ReminderSent.objects.update(sent_at=timezone.now() - reminders.EMAIL_CATCH_UP
                                - datetime.timedelta(minutes=1))
    assert reminders.deliver_owed_emails() == 0 and mail.outbox == []


def test_the_weekly_snapshot_is_due_from_monday_morning():
    tz = timezone.get_current_timezone()
    monday_6 = datetime.datetime(2026, 11, 23, 6, tzinfo=tz)
    assert weekly_snapshot_due(monday_6) == monday_6
    assert weekly_snapshot_due(monday_6 + datetime.timedelta(days=6)) == monday_6
    assert weekly_snapshot_due(monday_6 - datetime.timedelta(hours=1)) == \
        monday_6 - datetime.timedelta(days=7)


def test_the_weekly_snapshot_is_taken_once_a_week_however_often_it_runs(db):
    first = take_weekly_snapshot()
    assert take_weekly_snapshot() == first  # the next hourly run, a retry, a redelivery
    assert ForecastSnapshot.objects.count() == 1
    # Last week's: this week's is still due, and the next run takes it.
    ForecastSnapshot.objects.update(taken_at=weekly_snapshot_due() - datetime.timedelta(days=1))
    assert take_weekly_snapshot() != first
    assert ForecastSnapshot.objects.count() == 2


def _celery_conf(**env):
    code = ("from config.celery import app; c = app.conf; "
            "print(c.broker_transport_options['visibility_timeout'], "
            "c.broker_connection_max_retries, c.broker_connection_retry_on_startup)")
    base = {k: v for k, v in os.environ.items() if k != "CELERY_VISIBILITY_TIMEOUT"}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT,
        capture_output=True, text=True, timeout=120,
        env={**base, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", **env})


def test_the_visibility_timeout_comes_from_the_environment():
    default = _celery_conf()
    assert default.stdout.split() == ["3600", "None", "True"], default.stderr
    assert _celery_conf(CELERY_VISIBILITY_TIMEOUT="120").stdout.split()[0] == "120"
    bad = _celery_conf(CELERY_VISIBILITY_TIMEOUT="an hour")
    assert bad.returncode != 0 and "CELERY_VISIBILITY_TIMEOUT" in bad.stderr
