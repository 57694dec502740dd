import datetime

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from forecasting.models import ForecastSnapshot
from forecasting.services import forecast_snapshot_take

# Beat runs the snapshot task every hour; the snapshot of the week is due from Monday at
# this hour (local time).
WEEKLY_SNAPSHOT_HOUR = 6


def weekly_snapshot_due(now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest Monday-morning moment at or before `now`."""
    now = timezone.localtime(now)
    monday = now.date() - datetime.timedelta(days=now.weekday())
    due = timezone.make_aware(datetime.datetime.combine(monday,
                                                        datetime.time(WEEKLY_SNAPSHOT_HOUR)))
    return due if due <= now else due - datetime.timedelta(days=7)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def take_weekly_snapshot() -> int:
    """Weekly (Monday morning): freeze the pipeline so "what changed" has a baseline.

    Catch-up and once a week: beat runs it hourly and it takes the snapshot only if none
    was taken since this week's due moment, so a tick lost with the broker is made up an
    hour later, and a retry, a redelivery or a duplicate run takes nothing twice. Returns
    the week's snapshot. One transaction: a worker killed halfway leaves no half snapshot.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two runs at once (a redelivery while the first still runs) queue here, and
            # the second then finds the first's snapshot. SQLite serialises writers anyway.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('osp.weekly_snapshot'))")
        taken = (ForecastSnapshot.objects
                 .filter(label="weekly", taken_by__isnull=True,
                         taken_at__gte=weekly_snapshot_due())
                 .order_by("taken_at").first())
        return (taken or forecast_snapshot_take(label="weekly")).pk
