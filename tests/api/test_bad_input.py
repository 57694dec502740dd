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


# --- Issue 15, section 4: input that still broke a route -------------------------------

NUL = "\u0000"


def _post_json(http, url, body: str, **headers):
    return http.generic("POST", url, body, content_type="application/json", **headers)


def test_a_nul_in_one_record_of_a_500_record_batch_fails_that_row_only(siebel):
    from accounts.models import Account

    records = [account(f"1-N{i}") for i in range(500)]
    records[250]["name"] = f"Jade{NUL}Bank"
    response = batch(siebel, "accounts", records)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[250]["status"] == "error"
    assert results[250]["errors"][0]["code"] == "VALIDATION"
    assert results[250]["errors"][0]["fields"] == {"name": ["Null characters are not allowed."]}
    assert [r["status"] for r in results[:250] + results[251:]] == ["created"] * 499
    assert Account.objects.count() == 499
    assert not Account.objects.filter(external_id="1-N250").exists()


@pytest.mark.parametrize("record", [
    {"source": "siebel-prod", "external_id": f"1{NUL}A", "name": "Key"},
    {"source": f"siebel{NUL}", "external_id": "1-A", "name": "Source"},
    {"source": "siebel-prod", "external_id": "1-A", "name": "Owner", "owner": f"rep_a{NUL}"},
    {"source": "siebel-prod", "external_id": "1-A", f"name{NUL}": "A field name"},
])
def test_a_nul_anywhere_in_a_record_is_a_row_error_even_when_the_answer_is_kept(siebel,
                                                                              record):
    from accounts.models import Account

    response = siebel.post("/api/v1/sync/accounts/batch/", {"records": [record]},
                           format="json", HTTP_IDEMPOTENCY_KEY="nul-row")
    assert response.status_code == 200, response.content
    [row] = response.json()["results"]
    assert row["errors"][0]["code"] == "VALIDATION"
    assert NUL not in response.content.decode()  # the stored answer holds none either
    assert not Account.objects.exists()


def test_a_nul_in_a_sync_put_is_a_400_and_writes_nothing(siebel):
    from accounts.models import Account

    response = put(siebel, "accounts", "1-A", {"name": f"Jade{NUL}Bank"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "VALIDATION"
    assert response.json()["errors"] == {"name": ["Null characters are not allowed."]}
    assert not Account.objects.exists()


def test_a_nul_in_a_sync_address_names_no_record(siebel):
    url = "/api/v1/sync/accounts/siebel-prod/1%00A/"
    assert siebel.get(url).status_code == 404
    assert siebel.delete(url).status_code == 404
    created = siebel.put(url, {"name": "Jade"}, format="json")
    assert created.status_code == 400
    assert created.json()["code"] == "VALIDATION"


def test_a_nul_in_an_idempotency_key_is_a_400(siebel):
    response = put(siebel, "accounts", "1-A", {"name": "Jade"},
                   HTTP_IDEMPOTENCY_KEY=f"key{NUL}")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


@pytest.mark.parametrize("url", ["/api/v1/opportunities/", "/api/v1/accounts/",
                                 "/api/v1/contacts/", "/api/v1/partners/", "/api/v1/users/"])
def test_a_nul_in_the_api_search_is_a_400_that_names_the_search(admin, url):
    response = admin.get(url, {"search": f"a{NUL}b"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


@pytest.mark.parametrize(("url", "method"), [
    ("/api/v1/sync/accounts/batch/", "post"),
    ("/api/v1/sync/accounts/siebel-prod/1-A/", "put"),
    ("/api/v1/accounts/", "post"),
])
def test_json_nested_a_thousand_levels_deep_is_a_400(siebel, url, method):
    from accounts.models import Account

    body = '{"records": [' + "[" * 1000 + "]" * 1000 + "]}"
    response = getattr(siebel, method)(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "nested more than 32 levels" in response.json()["detail"]
    assert not Account.objects.exists()


def test_deep_json_is_refused_before_the_type_checks_walk_into_it(admin, people):
    from plans.services import plan_create

    plan = plan_create(user=people.admin, kind="territory",
                       subject=TerritoryFactory(owner=people.manager_a))
    # Deep inside a field whose type check walks into lists and objects.
    body = '{"sections": {"coverage": ' + "[" * 200 + "]" * 200 + "}}"
    response = admin.generic("PATCH", f"/api/v1/plans/{plan.pk}/", body,
                             content_type="application/json")
    assert response.status_code == 400
    roles = '{"username": "deep", "roles": ' + "[" * 500 + "]" * 500 + "}"
    assert _post_json(admin, "/api/v1/users/", roles).status_code == 400


def _largest_accounts(n: int) -> list[dict]:
    """Accounts with every short field at its longest, in Chinese, and about 6 KB of
    free text (sent \\u-escaped below: six bytes a character)."""
    return [{"source": "siebel-prod", "external_id": f"1-{i:0>98}", "name": "银" * 200,
             "owner": "rep_a", "industry": "financial_services", "size": "enterprise",
             "website": "https://bank.example.com/" + "a" * 175,
             "business_situation": "整合" * 250, "goals": "目标" * 250,
             "is_named": True, "is_strategic": False}
            for i in range(n)]


def test_500_of_the_largest_records_fit_in_one_sync_batch(siebel, settings):
    import json

    from accounts.models import Account

    body = json.dumps({"records": _largest_accounts(500)})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # Django's 2.5 MB refused it
    assert len(body) < settings.OSP_SYNC_MAX_BODY_MB * 1024 * 1024
    response = _post_json(siebel, "/api/v1/sync/accounts/batch/", body)
    assert response.status_code == 200, response.content[:500]
    assert {r["status"] for r in response.json()["results"]} == {"created"}
    assert Account.objects.count() == 500


@pytest.mark.parametrize(("url", "method"), [
    ("/api/v1/sync/accounts/batch/", "post"),
    ("/api/v1/sync/accounts/siebel-prod/1-A/", "put"),
])
def test_a_sync_body_over_the_limit_is_a_413_problem(siebel, settings, url, method):
    import json

    from accounts.models import Account

    settings.OSP_SYNC_MAX_BODY_MB = 3
    body = json.dumps({"records": _largest_accounts(500)})
    assert len(body) > 3 * 1024 * 1024
    response = getattr(siebel, method)(url, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["status"]) == ("BODY_TOO_LARGE", 413)
    assert problem["type"] == "urn:osp:problem:body-too-large"
    assert problem["max_bytes"] == 3 * 1024 * 1024
    assert not Account.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json",
                                          "application/x-www-form-urlencoded"])
def test_an_api_body_over_django_s_limit_is_a_json_413(admin, settings, content_type):
    from accounts.models import Territory

    body = ('{"name": "%s"}' if content_type == "application/json" else "name=%s") % (
        "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = admin.generic("POST", "/api/v1/territories/", body, content_type=content_type)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "at most" in response.json()["detail"]
    assert not Territory.objects.exists()


def test_plans_order_by_their_columns_only(people, admin):
    from plans.services import plan_create

    for name in ("B", "A"):
        plan_create(user=people.admin, kind="territory",
                    subject=TerritoryFactory(name=name, owner=people.manager_a))
    # A computed field the browsable API offered: ignored, as DRF does with unknown ones.
    response = admin.get("/api/v1/plans/", {"ordering": "subject____str__"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    newest_first = admin.get("/api/v1/plans/", {"ordering": "-created_at"}).json()["results"]
    assert [p["subject_name"] for p in newest_first] == ["A", "B"]


def test_no_list_offers_to_order_by_a_field_that_is_not_a_column(people, admin):
    from config.urls import router
    from osp.rest import OrderingFilter

    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "ordering_fields", None):
            continue
        view = viewset(action="list", request=None, format_kwarg=None)
        model = viewset.serializer_class.Meta.model
        for name, _label in OrderingFilter().get_default_valid_fields(
                model.objects.all(), view, {"request": None}):
            response = admin.get(f"/api/v1/{prefix}/", {"ordering": name})
            assert response.status_code == 200, (prefix, name)
