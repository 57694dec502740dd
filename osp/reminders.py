"""Sending reminders exactly once: an in-app notification, and an e-mail through Django's
mail settings (console backend by default)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import override

from osp.models import Notification, ReminderPolicy, ReminderSent, User


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

    The ReminderSent row and the notification commit together; a duplicate (a task run
    twice, or retried after a crash) hits the unique constraint and sends nothing.
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
                ReminderSent.objects.create(kind=kind, subject=subject, period=period,
                                            recipient=user, notification=notification)
        except IntegrityError:
            continue  # already reminded for this period
        sent += 1
        if send_email and user.email:
            text = message_zh if user.language.startswith("zh") else message
            transaction.on_commit(lambda u=user, t=text: _email(u, t))
    return sent


def _email(user: User, message: str) -> None:
    send_mail(subject=message[:120], message=message, from_email=settings.DEFAULT_FROM_EMAIL,
              recipient_list=[user.email], fail_silently=True)
