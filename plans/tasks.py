from celery import shared_task

from osp.models import ReminderPolicy
from osp.reminders import deliver_owed_emails
from plans import reminders


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_plan_reminders() -> dict:
    """Hourly (beat), from the policy's hour. Catch-up: each run reminds of everything due
    now and sends every e-mail still owed; exactly once per subject and period (a database
    constraint), so a lost run is made up by the next, and a retry, a redelivery or a
    duplicate run sends nothing twice."""
    if not ReminderPolicy.sending_now():
        return {}
    return {"plan_reviews": reminders.remind_plan_reviews(),
            "action_items": reminders.remind_action_items(),
            "emails_caught_up": deliver_owed_emails()}
