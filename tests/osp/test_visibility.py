"""Who sees and changes what, in the browser and the API alike (osp.access)."""

import pytest

from opportunities.models import OpportunityTeamMember, TeamRole
from tests.factories import ContactFactory

SEES_A = ["rep_a", "manager_a", "director", "finance", "admin"]
BLIND_TO_A = ["rep_a2", "rep_b", "manager_b", "presales_a"]


@pytest.mark.parametrize("who", SEES_A)
def test_they_see_rep_as_opportunity(people, deals, who, browser, api):
    user = getattr(people, who)
    assert browser(user).get(deals.opp_a.get_absolute_url()).status_code == 200
    assert api(user).get(f"/api/v1/opportunities/{deals.opp_a.pk}/").status_code == 200


@pytest.mark.parametrize("who", BLIND_TO_A)
def test_others_get_404_for_rep_as_opportunity(people, deals, who, browser, api):
    user = getattr(people, who)
    assert browser(user).get(deals.opp_a.get_absolute_url()).status_code == 404
    assert api(user).get(f"/api/v1/opportunities/{deals.opp_a.pk}/").status_code == 404
    assert browser(user).get(deals.account_a.get_absolute_url()).status_code == 404
    assert api(user).get(f"/api/v1/accounts/{deals.account_a.pk}/").status_code == 404


def test_lists_show_only_what_is_visible(people, deals, api, browser):
    def names(user):
        return {o["name"] for o in api(user).get("/api/v1/opportunities/").json()["results"]}

    assert names(people.rep_b) == {"Beta billing"}
    assert names(people.director) == {"Alpha core banking", "Beta billing"}
    page = browser(people.rep_b).get("/opportunities/").content.decode()
    assert "Beta billing" in page and "Alpha core banking" not in page


def test_a_team_member_sees_and_edits_the_deal_and_sees_its_account(people, deals, api):
    OpportunityTeamMember.objects.create(opportunity=deals.opp_a, user=people.rep_b,
                                         role=TeamRole.PRESALES)
    client = api(people.rep_b)
    assert client.get(f"/api/v1/opportunities/{deals.opp_a.pk}/").status_code == 200
    assert client.patch(f"/api/v1/opportunities/{deals.opp_a.pk}/", {"pains": "slow"},
                        format="json").status_code == 200
    assert client.get(f"/api/v1/accounts/{deals.account_a.pk}/").status_code == 200
    # ...and so does rep_b's manager, through the hierarchy.
    assert api(people.manager_b).get(f"/api/v1/opportunities/{deals.opp_a.pk}/").status_code == 200
    # Seeing the account through a deal does not make its profile theirs to change.
    assert client.patch(f"/api/v1/accounts/{deals.account_a.pk}/", {"goals": "x"},
                        format="json").status_code == 403


def test_finance_reads_everything_but_changes_nothing(people, deals, api, browser):
    client = api(people.finance)
    assert client.get(f"/api/v1/opportunities/{deals.opp_b.pk}/").status_code == 200
    assert client.patch(f"/api/v1/opportunities/{deals.opp_b.pk}/", {"pains": "x"},
                        format="json").status_code == 403
    assert browser(people.finance).get(f"/opportunities/{deals.opp_b.pk}/edit/").status_code == 403
    assert client.post("/api/v1/accounts/", {"name": "Gamma"}, format="json").status_code == 403


def test_a_manager_changes_their_reps_records(people, deals, api):
    response = api(people.manager_a).patch(f"/api/v1/opportunities/{deals.opp_a.pk}/",
                                           {"pains": "outages"}, format="json")
    assert response.status_code == 200
    assert response.json()["pains"] == "outages"


def test_a_manager_cannot_change_another_teams_records(people, deals, api):
    response = api(people.manager_a).patch(f"/api/v1/opportunities/{deals.opp_b.pk}/",
                                           {"pains": "x"}, format="json")
    assert response.status_code == 404


def test_contacts_follow_their_account(people, deals, api, browser):
    contact = ContactFactory(account=deals.account_a, last_name="Zhou")
    assert api(people.rep_a).get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    assert api(people.rep_b).get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert browser(people.rep_b).get(contact.get_absolute_url()).status_code == 404


def test_a_rep_cannot_give_a_record_to_someone_outside_their_scope(people, deals, api):
    response = api(people.rep_a).patch(f"/api/v1/accounts/{deals.account_a.pk}/",
                                       {"owner": people.rep_b.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()


def test_a_rep_cannot_open_a_deal_on_another_teams_account(people, deals, api):
    response = api(people.rep_a).post("/api/v1/opportunities/", {
        "name": "Sneaky", "account": deals.account_b.pk, "amount": "1000",
        "expected_close_date": "2027-01-31"}, format="json")
    assert response.status_code == 400
    assert "account" in response.json()


def test_anonymous_gets_nothing(deals, client, api):
    assert api().get("/api/v1/opportunities/").status_code in (401, 403)
    response = client.get("/opportunities/")
    assert response.status_code == 302 and "/login/" in response["Location"]
