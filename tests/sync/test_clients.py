"""Integration clients from the shell, and the daily clean-up of sync history."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from sync.models import FeedChange, FeedHead, IntegrationClient, StoredResponse
from sync.tasks import prune_sync_history
from tests.factories import AccountFactory


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("sync_client", *args, stdout=out)
    return out.getvalue().strip()


def works(token):
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return http.get("/api/v1/sync/mapping/").status_code == 200


def test_a_token_is_printed_once_rotated_and_revoked(people):
    token = run("create", "siebel-prod", "--user", "rep_a", "--rate", "60")
    client = IntegrationClient.objects.get(name="siebel-prod")
    assert client.user == people.rep_a and client.requests_per_minute == 60
    assert token not in str(client.__dict__.values())
    assert works(token)
    assert "siebel-prod" in run("list")
    new = run("rotate", "siebel-prod")
    assert works(new) and not works(token)
    run("revoke", "siebel-prod")
    assert not works(new)
    assert "revoked" in run("list")
    with pytest.raises(CommandError):
        run("create", "siebel-prod", "--user", "rep_a")
    with pytest.raises(CommandError):
        run("create", "other", "--user", "nobody")


def test_the_daily_task_prunes_the_feed_and_old_stored_answers(people, settings):
    AccountFactory(owner=people.rep_a)
    AccountFactory(owner=people.rep_a)
    assert FeedChange.objects.count() == 2
    old = timezone.now() - timedelta(days=settings.OSP_SYNC_RETENTION_DAYS + 1)
    FeedChange.objects.update(changed_at=old)
    StoredResponse.objects.create(caller="user:1", key="k", request_hash="x")
    StoredResponse.objects.update(created_at=old)
    AccountFactory(owner=people.rep_a)  # a fresh change stays
    assert prune_sync_history() == {"feed_changes": 2, "stored_responses": 1}
    assert FeedChange.objects.count() == 1
    assert FeedHead.objects.get().pruned_through == FeedChange.objects.get().seq - 1
    assert prune_sync_history() == {"feed_changes": 0, "stored_responses": 0}
