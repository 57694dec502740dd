from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_plan_reminders() -> dict:
    """Daily. Exactly once per subject and period (a database constraint), so a retry or a
    duplicate run sends nothing twice."""
    from osp.models import ReminderPolicy
    from plans import reminders

    if not ReminderPolicy.sending_now():
        return {}
    return {"plan_reviews": reminders.remind_plan_reviews(),
            "action_items": reminders.remind_action_items()}
