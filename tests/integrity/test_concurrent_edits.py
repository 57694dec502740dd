"""No edit is lost (issue #15, §1): concurrent partial updates of different fields both
land, a stale full update is refused, and each record's versions go up by one per commit
with the feed holding every (record, version) once. Real threads, real transactions, on
PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Account
from opportunities.models import Opportunity
from sync.models import FeedChange
from tests.conftest import make_people
from tests.factories import AccountFactory, OpportunityFactory
from tests.sync.conftest import client_for
from tests.threads import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 25


@pytest.fixture
def team():
    return make_people()


def _api(user):
    http = APIClient()
    http.force_authenticate(user)
    return http


def _type(obj) -> str:
    return {Account: "accounts", Opportunity: "opportunities"}[type(obj)]


def _assert_feed_once_per_version(obj):
    """Versions 1..n, each once, each with the data of that version."""
    obj.refresh_from_db()
    changes = list(FeedChange.objects.filter(object_id=obj.pk, type=_type(obj))
                   .order_by("seq"))
    versions = [c.version for c in changes]
    assert versions == list(range(1, obj.version + 1)), versions
    assert all(c.data["version"] == c.version for c in changes)


def test_concurrent_patches_of_different_fields_of_a_deal_both_land(team):
    deal = OpportunityFactory(account=AccountFactory(owner=team.rep_a))
    url = f"/api/v1/opportunities/{deal.pk}/"
    rep, manager = _api(team.rep_a), _api(team.manager_a)
    for i in range(ROUNDS):
        answers = run_in_threads(
            lambda i=i: rep.patch(url, {"next_step": f"call {i}"}, format="json"),
            lambda i=i: manager.patch(url, {"description": f"brief {i}"}, format="json"))
        assert [a.status_code for a in answers] == [200, 200], [a.json() for a in answers]
        deal.refresh_from_db()
        assert (deal.next_step, deal.description) == (f"call {i}", f"brief {i}"), i
    # Created at 1, two changes a round.
    assert deal.version == 1 + 2 * ROUNDS
    _assert_feed_once_per_version(deal)


def test_a_sync_put_and_an_api_patch_of_one_account_both_land(team):
    siebel = client_for(team.admin, name="siebel-prod")
    assert siebel.put("/api/v1/sync/accounts/siebel-prod/1-ACC/", {
        "name": "Acme", "owner": team.rep_a.username}, format="json").status_code == 201
    account = Account.objects.get(external_id="1-ACC")
    rep = _api(team.rep_a)
    for i in range(ROUNDS):
        answers = run_in_threads(
            lambda i=i: siebel.put("/api/v1/sync/accounts/siebel-prod/1-ACC/",
                                   {"goals": f"goal {i}"}, format="json"),
            lambda i=i: rep.patch(f"/api/v1/accounts/{account.pk}/", {"name": f"Acme {i}"},
                                  format="json"))
        assert [a.status_code for a in answers] == [200, 200], [a.json() for a in answers]
        account.refresh_from_db()
        assert (account.goals, account.name) == (f"goal {i}", f"Acme {i}"), i
    assert account.version == 1 + 2 * ROUNDS
    _assert_feed_once_per_version(account)


def test_a_stale_if_match_is_refused_with_412_and_writes_nothing(team):
    deal = OpportunityFactory(account=AccountFactory(owner=team.rep_a), next_step="first")
    url = f"/api/v1/opportunities/{deal.pk}/"
    rep = _api(team.rep_a)
    read = rep.get(url)
    assert read["ETag"] == f'"{deal.version}"' and read.json()["version"] == deal.version
    changed = rep.patch(url, {"next_step": "second"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200 and changed["ETag"] == f'"{deal.version + 1}"'
    stale = rep.patch(url, {"next_step": "from the old copy", "description": "x"},
                      format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412, stale.json()
    assert stale.json()["current_version"] == deal.version + 1
    assert stale["ETag"] == f'"{deal.version + 1}"'
    deal.refresh_from_db()
    assert (deal.next_step, deal.description, deal.version) == ("second", "",
                                                                read.json()["version"] + 1)
    bad = rep.patch(url, {"next_step": "y"}, format="json", HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 400 and "If-Match" in bad.json()


def test_a_full_put_with_a_stale_if_match_is_refused_too(team):
    account = AccountFactory(owner=team.rep_a, name="Old name")
    rep = _api(team.rep_a)
    url = f"/api/v1/accounts/{account.pk}/"
    copy = rep.get(url).json()
    assert rep.patch(url, {"goals": "grow"}, format="json").status_code == 200
    body = {k: copy[k] for k in ("name", "industry", "size", "website")} | {"name": "New"}
    answer = rep.put(url, body, format="json", HTTP_IF_MATCH=f'"{copy["version"]}"')
    assert answer.status_code == 412
    account.refresh_from_db()
    assert (account.name, account.goals) == ("Old name", "grow")


def test_a_save_of_a_copy_read_before_another_commit_is_refused_on_every_route(team):
    """The model's own guard: the admin or a task saving a stale instance."""
    from osp.concurrency import StaleRecord

    account = AccountFactory(owner=team.rep_a, name="Kept")
    stale = Account.objects.get(pk=account.pk)
    fresh = Account.objects.get(pk=account.pk)
    fresh.goals = "someone else's change"
    fresh.save()
    stale.name = "would put the goals back"
    with pytest.raises(StaleRecord):
        stale.save()
    account.refresh_from_db()
    assert (account.name, account.goals) == ("Kept", "someone else's change")
