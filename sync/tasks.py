from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from sync import feed
from sync.models import StoredResponse


@shared_task(acks_late=True)
def prune_sync_history() -> dict:
    """Daily: drop feed entries past the retention and stored idempotent answers past
    their window. Idempotent: a second run finds nothing more to drop."""
    cutoff = timezone.now() - timedelta(hours=settings.OSP_IDEMPOTENCY_HOURS)
    stored, _ = StoredResponse.objects.filter(created_at__lt=cutoff).delete()
    return {"feed_changes": feed.prune(), "stored_responses": stored}
