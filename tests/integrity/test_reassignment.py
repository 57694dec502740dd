"""Who may hand a deal or an account to someone else (issue #15, §2): the owner's
management chain and admins, and the owner within their own scope. A place on a deal's
team is the right to work it, never to take it."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Account
from opportunities.models import Opportunity, OpportunityTeamMember
from osp.models import Notification, OwnerChange
from tests.factories import AccountFactory, OpportunityFactory
from tests.sync.conftest import client_for


def _api(user):
    http = APIClient()
    http.force_authenticate(user)
    return http


@pytest.fixture
def big_deal(people):
    """rep_b's $1.5M deal, with presales_a (manager_a's engineer) on its team."""
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_b), amount=1_500_000)
    OpportunityTeamMember.objects.create(opportunity=deal, user=people.presales_a,
                                         role="presales")
    return deal


def test_a_team_member_cannot_take_the_deal_through_the_api(people, big_deal):
    answer = _api(people.presales_a).patch(f"/api/v1/opportunities/{big_deal.pk}/",
                                           {"owner": people.presales_a.pk}, format="json")
    assert answer.status_code == 403, answer.json()
    big_deal.refresh_from_db()
    assert big_deal.owner == people.rep_b
    assert _api(people.rep_b).get(f"/api/v1/opportunities/{big_deal.pk}/").status_code == 200
    assert not OwnerChange.objects.exists()


def test_the_engineers_manager_cannot_give_the_deal_to_his_own_rep(people, big_deal):
    answer = _api(people.manager_a).patch(f"/api/v1/opportunities/{big_deal.pk}/",
                                          {"owner": people.rep_a.pk}, format="json")
    assert answer.status_code == 403
    big_deal.refresh_from_db()
    assert big_deal.owner == people.rep_b


def test_the_browser_form_does_not_let_a_team_member_change_the_owner(client, people,
                                                                       big_deal):
    client.force_login(people.presales_a)
    page = client.get(f"/opportunities/{big_deal.pk}/edit/").content.decode()
    assert 'name="owner" disabled' in page or 'disabled' in page.split('name="owner"')[1][:200]
    form = {"name": big_deal.name, "account": big_deal.account_id,
            "owner": people.presales_a.pk, "currency": big_deal.currency,
            "amount": "1500000", "version": big_deal.version}
    client.post(f"/opportunities/{big_deal.pk}/edit/", form)
    big_deal.refresh_from_db()
    assert big_deal.owner == people.rep_b  # a disabled field keeps the record's value


def test_the_owners_management_chain_hands_the_deal_over_with_its_history(
        people, big_deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = _api(people.director).patch(
            f"/api/v1/opportunities/{big_deal.pk}/",
            {"owner": people.rep_a.pk, "handover_reason": "rep_b moves to the Telecom team"},
            format="json")
    assert answer.status_code == 200, answer.json()
    big_deal.refresh_from_db()
    assert big_deal.owner == people.rep_a
    change = OwnerChange.objects.get()
    assert (change.from_owner, change.to_owner, change.by, change.reason) == (
        people.rep_b, people.rep_a, people.director, "rep_b moves to the Telecom team")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"rep_b", "rep_a", "manager_b", "manager_a"}
    message = Notification.objects.get(recipient=people.rep_b)
    assert "rep_b moves to the Telecom team" in message.message
    assert message.message_zh and message.message_zh != message.message


def test_the_handover_shows_in_the_deals_history(client, people, big_deal):
    _api(people.manager_b).patch(f"/api/v1/opportunities/{big_deal.pk}/",
                                 {"owner": people.manager_b.pk, "handover_reason": "I take it"},
                                 format="json")
    client.force_login(people.manager_b)
    page = client.get(f"/opportunities/{big_deal.pk}/").content.decode()
    assert "I take it" in page and "t-owner" in page


def test_the_owner_may_hand_over_only_within_their_own_scope(people):
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    answer = _api(people.rep_a).patch(f"/api/v1/opportunities/{deal.pk}/",
                                      {"owner": people.rep_a2.pk}, format="json")
    assert answer.status_code == 400 and "owner" in answer.json()
    answer = _api(people.manager_a).patch(f"/api/v1/opportunities/{deal.pk}/",
                                          {"owner": people.rep_a2.pk}, format="json")
    assert answer.status_code == 200


def test_accounts_follow_the_same_rule(people):
    account = AccountFactory(owner=people.rep_b)
    OpportunityFactory(account=account, owner=people.rep_b)
    answer = _api(people.manager_a).patch(f"/api/v1/accounts/{account.pk}/",
                                          {"owner": people.rep_a.pk}, format="json")
    assert answer.status_code in (403, 404)
    assert Account.objects.get(pk=account.pk).owner == people.rep_b
    assert _api(people.manager_b).patch(f"/api/v1/accounts/{account.pk}/",
                                        {"owner": people.manager_b.pk},
                                        format="json").status_code == 200


def test_a_sync_client_cannot_take_a_deal_its_user_only_works_on(people, big_deal):
    big_deal.source, big_deal.external_id = "siebel-prod", "1-DEAL"
    Opportunity.all_objects.filter(pk=big_deal.pk).update(source="siebel-prod",
                                                         external_id="1-DEAL")
    siebel = client_for(people.manager_a, name="siebel-manager-a")
    answer = siebel.post("/api/v1/sync/opportunities/batch/", {"records": [
        {"source": "siebel-prod", "external_id": "1-DEAL", "owner": "rep_a"}]},
        format="json").json()
    row = answer["results"][0]
    assert row["status"] == "error", row
    big_deal.refresh_from_db()
    assert big_deal.owner == people.rep_b


def test_leaving_the_team_answers_truthfully(people, big_deal):
    answer = _api(people.presales_a).patch(f"/api/v1/opportunities/{big_deal.pk}/",
                                           {"team": []}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["team"] == []
    assert not big_deal.team_members.exists()
    assert _api(people.presales_a).get(
        f"/api/v1/opportunities/{big_deal.pk}/").status_code == 404


def test_leaving_the_team_in_the_browser_says_so(client, people, big_deal):
    client.force_login(people.presales_a)
    answer = client.post(f"/opportunities/{big_deal.pk}/team/{people.presales_a.pk}/remove/",
                         follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == "/opportunities/"
    assert "no longer on the team" in answer.content.decode()
