"""Sending reminders exactly once: an in-app notification, and an e-mail through Django's
mail settings (console backend by default).

Why it survives a worker killed at any point (issue #7):

1. `remind()` commits the `ReminderSent` row (unique per kind, subject, period and
   recipient), the notification and the e-mail owed (`email_to`) in ONE transaction. A
   rerun of the task, a redelivered message or a concurrent duplicate hits the unique
   constraint and records, notifies and owes nothing again.
2. The e-mail is its own step, `deliver_reminder_email()`: lock the row, check it is still
   owed, send, set `emailed_at`, commit. It runs right after the record commits and again,
   for everything still owed, at the end of every reminder task (`deliver_owed_emails()`),
   so an e-mail whose worker died before it went out is sent by the next run (before,
   the record was committed and the e-mail sent afterwards with nothing remembering it was
   owed: a kill in between lost it for good).
3. The row lock (SKIP LOCKED) keeps two runs from sending the same e-mail at once, and
   `emailed_at` is checked under it. What no database can close is the instant between the
   mail server accepting the message and our COMMIT: a kill exactly there sends it again on
   the next run. We choose that (at least once) over marking before sending (at most once:
   a kill would lose it), and give the message a Message-ID fixed per reminder so mail
   systems can recognise the repeat.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from osp.models import Notification, ReminderPolicy, ReminderSent

logger = logging.getLogger(__name__)

# An e-mail still owed after this long is dropped (the in-app notification stays): a
# reminder about "today" is no use days later, and a refused address is not retried forever.
EMAIL_CATCH_UP = datetime.timedelta(days=2)


def in_both_languages(render) -> tuple[str, str]:
    """`render()` (which calls gettext) in English and in Simplified Chinese: notifications
    are stored in both and shown in the reader's language."""
    with override("en"):
        en = str(render())
    with override("zh-hans"):
        zh = str(render())
    return en, zh


def notify(users, *, render, opportunity=None) -> None:
    en, zh = in_both_languages(render)
    unique = {u.pk: u for u in users if u is not None}
    Notification.objects.bulk_create(
        Notification(recipient=u, opportunity=opportunity, message=en, message_zh=zh)
        for u in unique.values())


def remind(*, kind: str, subject: str, period: str, recipients, render,
           opportunity=None) -> int:
    """Notify each recipient once per (kind, subject, period). Returns how many were new.

    The ReminderSent row, the notification and the e-mail owed commit together; a
    duplicate (a task run twice, or redelivered after a worker died) hits the unique
    constraint and sends nothing. The e-mail goes out after the commit (see the module's
    docstring).
    """
    sent = 0
    message, message_zh = in_both_languages(render)
    send_email = ReminderPolicy.current().send_email
    for user in {u.pk: u for u in recipients if u is not None}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user, message=message, message_zh=message_zh,
                    opportunity=opportunity)
                reminder = ReminderSent.objects.create(
                    kind=kind, subject=subject, period=period, recipient=user,
                    notification=notification, email_to=user.email if send_email else "")
        except IntegrityError:
            continue  # already reminded for this period
        sent += 1
        if reminder.email_to:
            transaction.on_commit(lambda pk=reminder.pk: deliver_reminder_email(pk))
    return sent


def deliver_reminder_email(pk: int) -> bool:
    """Send the e-mail reminder `pk` owes, if it still owes it. True if it went out now.

    Idempotent: the row is locked and `emailed_at` checked under the lock, and set in the
    same transaction as the sending. A failing mail server leaves it owed for the next run.
    """
    with transaction.atomic():
        reminder = (ReminderSent.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, emailed_at__isnull=True).exclude(email_to="").first())
        if reminder is None:
            return False  # sent already, or another run is sending it right now
        note = reminder.notification
        if note is None:  # its opportunity was deleted: nothing left to say
            reminder.email_to = ""
            reminder.save(update_fields=["email_to"])
            return False
        text = (note.message_zh if reminder.recipient.language.startswith("zh")
                and note.message_zh else note.message)
        email = EmailMessage(subject=text[:120], body=text,
                             from_email=settings.DEFAULT_FROM_EMAIL, to=[reminder.email_to],
                             headers={"Message-ID": _message_id(reminder)})
        try:
            email.send()
        except Exception:  # SMTP down, address refused...: still owed, the next run retries
            logger.warning("reminder %s: e-mail to %s failed", pk, reminder.email_to,
                           exc_info=True)
            return False
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at"])
    return True


def deliver_owed_emails() -> int:
    """Catch up: send every e-mail a recorded reminder still owes (its worker died, or the
    mail server failed), oldest first. Run at the end of each reminder task."""
    owed = (ReminderSent.objects
            .filter(emailed_at__isnull=True, sent_at__gte=timezone.now() - EMAIL_CATCH_UP)
            .exclude(email_to="").order_by("pk").values_list("pk", flat=True))
    return sum(deliver_reminder_email(pk) for pk in list(owed))


def _message_id(reminder: ReminderSent) -> str:
    # The same for every attempt at this reminder (unlike make_msgid()), whichever host
    # sends it: a repeat after a kill at the worst instant carries the same Message-ID.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "osp"
    return f"<osp-reminder-{reminder.pk}@{domain}>"
