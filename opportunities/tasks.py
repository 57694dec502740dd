from celery import shared_task

from opportunities import reminders
from opportunities.selling_cycle import (
    approvals_follow_who_is_away,
    opportunities_slip_past_quarter_end,
)
from osp.models import ReminderPolicy
from osp.reminders import deliver_owed_emails


@shared_task(acks_late=True)
def slip_stage_7_past_quarter_end() -> int:
    """Hourly (beat): deals still at 7 after their quarter ended move back to 6. Catch-up
    and idempotent (it moves every such deal, and a deal that moved is no longer at 7), so
    a lost run is made up by the next and a retry or a duplicate run changes nothing."""
    return opportunities_slip_past_quarter_end()


@shared_task(acks_late=True)
def route_approvals_around_who_is_away() -> int:
    """Hourly (beat): a manager's away dates reached overnight take effect (their pending
    approvals go up, or come back). Idempotent: a request already with the right person
    is left alone."""
    return approvals_follow_who_is_away()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_selling_cycle_reminders() -> dict:
    """Hourly (beat), from the policy's hour. Catch-up: each run reminds of everything due
    now and sends every e-mail still owed, and each reminder is recorded once per subject
    and period (a database constraint), so a lost run is made up by the next, and a retry,
    a redelivery after a worker died or a duplicate run sends nothing twice."""
    if not ReminderPolicy.sending_now():
        return {}
    return {
        "approvals_waiting": reminders.remind_waiting_approvals(),
        "stale_opportunities": reminders.remind_stale_opportunities(),
        "stage7_quarter_end": reminders.remind_stage7_near_quarter_end(),
        "short_notice_requests": reminders.remind_short_notice_requests(),
        "emails_caught_up": deliver_owed_emails(),
    }
