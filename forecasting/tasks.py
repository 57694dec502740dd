from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def take_weekly_snapshot() -> int:
    """Weekly (Monday morning): freeze the pipeline so "what changed" has a baseline."""
    from forecasting.services import forecast_snapshot_take

    return forecast_snapshot_take(label="weekly").pk
