from celery import shared_task

from opportunities.selling_cycle import opportunities_slip_past_quarter_end


@shared_task(acks_late=True)
def slip_stage_7_past_quarter_end() -> int:
    """Daily: deals still at 7 after their quarter ended move back to 6. Idempotent (a
    deal that moved is no longer at 7), so a retry or a duplicate run changes nothing."""
    return opportunities_slip_past_quarter_end()
