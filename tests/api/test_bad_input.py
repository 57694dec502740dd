"""Bad input found by the schemathesis run or by probing around it (issue #7): each was a
500, a silently ignored value or an answer the schema did not describe."""

import pytest

from forecasting.services import forecast_snapshot_take
from plans.services import plan_create
from tests.factories import OpportunityFactory, TerritoryFactory
from tests.sync.conftest import client_for
from tests.sync.test_api import account, batch, opportunity, put


@pytest.fixture
def admin(people, api):
    return api(people.admin)


@pytest.fixture
def siebel(people):
    return client_for(people.admin, name="siebel-prod")


def test_an_api_address_that_matches_no_route_is_a_json_404(admin):
    response = admin.get("/api/v1/accounts/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_comparing_with_a_snapshot_that_is_not_a_number_is_a_400(people, admin):
    snapshot = forecast_snapshot_take(user=people.admin)
    url = f"/api/v1/forecast/snapshots/{snapshot.pk}/changes/"
    assert admin.get(url, {"to": "Ï:"}).status_code == 400
    assert admin.get(url, {"to": snapshot.pk + 1000}).status_code == 404
    assert admin.get(url, {"to": snapshot.pk}).json() == []


@pytest.mark.parametrize("period", ["FY0000", "FY9999", "2027", "FY2027 Q5"])
def test_a_period_the_api_cannot_read_is_a_400(admin, period):
    response = admin.get("/api/v1/forecast/", {"period": period})
    assert response.status_code == 400
    assert list(response.json()) == ["period"]


def test_the_forecast_page_takes_an_impossible_year_for_the_current_quarter(people, browser):
    assert browser(people.admin).get("/forecast/", {"period": "FY0000"}).status_code == 200


def test_a_node_the_api_cannot_read_is_a_400_and_one_you_may_not_see_a_404(people, api):
    rep = api(people.rep_a)
    assert rep.get("/api/v1/forecast/", {"node": "user:me"}).status_code == 400
    assert rep.get("/api/v1/forecast/", {"node": f"user:{people.rep_b.pk}"}).status_code == 404


@pytest.mark.parametrize("body", [5, [], [{}], {"sections": {"coverage": 5}},
                                  {"sections": ["x"]}, {"kind": "account"}])
def test_a_plan_patch_that_is_not_section_texts_is_a_400(people, admin, body):
    plan = plan_create(user=people.admin, kind="territory",
                       subject=TerritoryFactory(owner=people.manager_a))
    response = admin.patch(f"/api/v1/plans/{plan.pk}/", body, format="json")
    assert response.status_code == 400, response.content


def test_a_plan_patch_writes_sections_and_the_target(people, admin):
    plan = plan_create(user=people.admin, kind="territory",
                       subject=TerritoryFactory(owner=people.manager_a))
    response = admin.patch(f"/api/v1/plans/{plan.pk}/", {
        "sections": {"coverage": "All of Hebei"}, "fiscal_year_target": "1000.00"},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sections"]["coverage"] == "All of Hebei"
    assert response.json()["fiscal_year_target"] == "1000.00"


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/territories/", {"name": "East", "description": 0}, "description"),
    ("/api/v1/users/", {"username": "newbie", "is_active": 0}, "is_active"),
    ("/api/v1/users/", {"username": "newbie", "roles": [5]}, "roles"),
])
def test_a_json_value_of_the_wrong_type_is_refused_not_converted(admin, url, body, field):
    response = admin.post(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_marking_an_action_item_done_reads_false_as_false(people, admin, deals):
    from plans.services import action_item_add

    item = action_item_add(user=people.admin, what="Call", due="2030-01-01",
                           opportunity=deals.opp_a, assignee=people.rep_a)
    url = f"/api/v1/action-items/{item.pk}/done/"
    assert admin.post(url, {"done": "false"}).json()["done_at"] is None
    assert admin.post(url, {"done": True}, format="json").json()["done_at"] is not None
    assert admin.post(url, [], format="json").status_code == 400


@pytest.mark.parametrize("query", ["is_active=maybe", "page_size=0", "page_size=x"])
def test_a_filter_or_page_size_that_cannot_be_read_is_a_400(admin, query):
    assert admin.get(f"/api/v1/users/?{query}").status_code == 400


def test_an_empty_filter_is_no_filter(admin, people):
    assert admin.get("/api/v1/users/?is_active=&manager=").json()["count"] == 9


def test_a_quarter_filter_takes_whole_numbers_only(admin):
    assert admin.get("/api/v1/forecast/quotas/?quarter=0.5").status_code == 400


def test_sync_refuses_an_unknown_currency_and_a_huge_amount_as_row_errors(siebel):
    batch(siebel, "accounts", [account("1-A")])
    results = batch(siebel, "opportunities", [
        opportunity("1-O1", "1-A", currency="XYZ"),
        opportunity("1-O2", "1-A", amount="1e400"),
    ]).json()["results"]
    assert [r["errors"][0]["code"] for r in results] == ["VALIDATION", "VALIDATION"]
    assert "currency" in results[0]["errors"][0]["fields"]
    assert "amount" in results[1]["errors"][0]["fields"]


def test_sync_refuses_structured_values_and_ids_beyond_64_bits(siebel):
    results = batch(siebel, "accounts", [
        {"source": "siebel-prod", "external_id": "1-A", "name": {"a": 1}},
        {"source": 5, "external_id": ["x"], "name": "Keyless"},
    ]).json()["results"]
    assert results[0]["errors"][0]["fields"] == {
        "name": ["Send one value here, not a list or an object."]}
    # The answer repeats a key only when it is one.
    assert (results[1]["source"], results[1]["external_id"]) == (None, None)
    response = put(siebel, "opportunities", "1-O", {
        "name": "Deal", "account_id": 2**70, "amount": "1.00",
        "expected_close_date": "2030-01-31"})
    assert response.status_code == 422
    assert response.json()["code"] == "REFERENCE_NOT_FOUND"


def test_sync_takes_json_only(siebel):
    response = siebel.put("/api/v1/sync/accounts/siebel-prod/1-A/", {"name": "Form"})
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_a_stage_that_is_not_a_stage_is_refused_on_the_board_api(people, admin):
    opp = OpportunityFactory()
    response = admin.post(f"/api/v1/opportunities/{opp.pk}/transition/", {"to": 5},
                          format="json")
    assert response.status_code == 400
    assert "to" in response.json()
