"""The sync contract (issue #6), status by status and error code by error code."""

import pytest

from accounts.models import Account, Contact
from accounts.services import account_update
from opportunities.models import HowChanged, Opportunity, StageChange
from sync.models import FeedChange, IntegrationClient, StoredResponse
from tests.factories import AccountFactory, OpportunityFactory
from tests.sync.conftest import client_for

URL = "/api/v1/sync/{type}/{source}/{key}/"


def put(http, type, key, body, source="siebel-prod", **headers):
    return http.put(URL.format(type=type, source=source, key=key), body, format="json",
                    **headers)


def batch(http, type, records, **extra):
    return http.post(f"/api/v1/sync/{type}/batch/", {"records": records, **extra},
                     format="json")


def account(key, **fields):
    return {"source": "siebel-prod", "external_id": key, "name": f"Account {key}",
            "owner": "rep_a", **fields}


def opportunity(key, account_key, **fields):
    return {"source": "siebel-prod", "external_id": key, "name": f"Deal {key}",
            "account": account_key, "amount": "50000.00", "currency": "USD",
            "expected_close_date": "2027-03-31", **fields}


def feed_size():
    return FeedChange.objects.count()


# --- PUT, GET, If-Match ---------------------------------------------------------------

def test_put_creates_then_updates_then_leaves_an_identical_payload_alone(siebel):
    created = put(siebel, "accounts", "1-A", {"name": "Jade Bank", "owner": "rep_a"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "created" and body["version"] == 1
    assert created["ETag"] == '"1"'
    assert created["Location"].endswith("/api/v1/sync/accounts/siebel-prod/1-A/")
    assert Account.objects.get(pk=body["id"]).owner.username == "rep_a"

    updated = put(siebel, "accounts", "1-A", {"name": "Jade Bank Ltd"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "updated" and updated.json()["version"] == 2

    before = feed_size()
    same = put(siebel, "accounts", "1-A", {"name": "Jade Bank Ltd", "owner": "rep_a"})
    assert same.status_code == 200
    assert same.json()["status"] == "unchanged" and same.json()["version"] == 2
    assert feed_size() == before  # no new version, no history row


def test_a_stale_if_match_gets_412_and_writes_nothing(siebel):
    put(siebel, "accounts", "1-A", {"name": "Jade Bank"})
    put(siebel, "accounts", "1-A", {"name": "Jade Bank Ltd"})  # now at version 2
    stale = put(siebel, "accounts", "1-A", {"name": "Overwritten"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["code"] == "VERSION_CONFLICT"
    assert stale.json()["current_version"] == 2
    assert Account.objects.get(external_id="1-A").name == "Jade Bank Ltd"
    fresh = put(siebel, "accounts", "1-A", {"name": "Jade Bank Group"}, HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


def test_get_reads_one_record_with_its_version(siebel):
    put(siebel, "accounts", "1-A", {"name": "Jade Bank"})
    got = siebel.get(URL.format(type="accounts", source="siebel-prod", key="1-A"))
    assert got.status_code == 200 and got["ETag"] == '"1"'
    assert got.json()["name"] == "Jade Bank"
    missing = siebel.get(URL.format(type="accounts", source="siebel-prod", key="nope"))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert siebel.get("/api/v1/sync/widgets/siebel-prod/1/").status_code == 404


def test_the_address_and_the_body_must_agree(siebel):
    response = put(siebel, "accounts", "1-A", {"name": "X", "external_id": "1-B"})
    assert response.status_code == 400
    assert "external_id" in response.json()["errors"]
    assert not Account.all_objects.filter(source="siebel-prod").exists()


# --- Errors over PUT: problem+json ------------------------------------------------------

def test_errors_are_problem_json_with_fields(siebel):
    response = put(siebel, "accounts", "1-A", {"name": "", "colour": "red"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["type"].startswith("urn:osp:problem:")
    assert problem["errors"]["colour"] == ["Unknown field."]
    assert not Account.all_objects.exists()


def test_read_only_fields_are_refused_not_ignored(siebel, people):
    put(siebel, "accounts", "1-A", {"name": "Jade Bank"})
    response = put(siebel, "opportunities", "1-O",
                   {**opportunity("1-O", "1-A"), "probability": 90, "amount_base": "1"})
    assert response.status_code == 400
    assert response.json()["code"] == "FIELD_NOT_WRITABLE"
    assert set(response.json()["errors"]) == {"probability", "amount_base"}
    assert not Opportunity.objects.exists()


# --- Batches --------------------------------------------------------------------------

def test_a_batch_answers_each_record_in_order_and_one_bad_row_stops_nothing(siebel, people):
    put(siebel, "accounts", "1-OLD", {"name": "Old name"})
    put(siebel, "accounts", "1-SAME", {"name": "Same", "owner": "rep_a"})
    response = batch(siebel, "accounts", [
        account("1-NEW", name="New"),
        account("1-OLD", name="New name"),
        account("1-SAME", name="Same"),
        account("1-BAD", name="", website="not a url"),
        account("1-VER", name="Versioned", version=7),
        account("1-WHO", owner="nobody"),
        account("1-RO", id=12),
    ])
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == ["created", "updated", "unchanged", "error",
                                              "error", "error", "error"]
    assert results[0]["version"] == 1 and results[1]["version"] == 2
    assert results[2]["version"] == 1
    bad = results[3]["errors"][0]
    assert bad["code"] == "VALIDATION" and {"name", "website"} <= set(bad["fields"])
    conflict = results[4]["errors"][0]
    assert conflict["code"] == "VERSION_CONFLICT" and conflict["current_version"] is None
    assert results[5]["errors"][0]["code"] == "REFERENCE_NOT_FOUND"
    assert results[6]["errors"][0]["code"] == "FIELD_NOT_WRITABLE"
    assert set(Account.objects.values_list("external_id", flat=True)) == {
        "1-NEW", "1-OLD", "1-SAME"}


def test_a_version_conflict_in_a_batch_names_the_current_version(siebel):
    put(siebel, "accounts", "1-A", {"name": "v1"})
    put(siebel, "accounts", "1-A", {"name": "v2"})
    [result] = batch(siebel, "accounts", [account("1-A", name="v3", version=1)]).json()["results"]
    assert result["errors"][0] == {**result["errors"][0], "code": "VERSION_CONFLICT",
                                   "current_version": 2}
    assert Account.objects.get(external_id="1-A").name == "v2"


def test_an_opportunity_naming_an_unknown_account_is_a_reference_error(siebel):
    [result] = batch(siebel, "opportunities",
                     [opportunity("1-O", "1-NOSUCH")]).json()["results"]
    assert result["status"] == "error"
    error = result["errors"][0]
    assert error["code"] == "REFERENCE_NOT_FOUND" and "account" in error["fields"]


def test_references_resolve_by_external_id_in_the_same_source_or_by_osp_id(siebel, people):
    put(siebel, "accounts", "1-A", {"name": "Jade Bank"})
    mine = AccountFactory(owner=people.rep_a)
    results = batch(siebel, "contacts", [
        {"source": "siebel-prod", "external_id": "1-C1", "last_name": "Li", "account": "1-A"},
        {"source": "siebel-prod", "external_id": "1-C2", "last_name": "Wu",
         "account_id": mine.pk},
        {"source": "other", "external_id": "1-C3", "last_name": "Ma", "account": "1-A"},
    ]).json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "error"]
    assert Contact.objects.get(external_id="1-C1").account.external_id == "1-A"
    assert Contact.objects.get(external_id="1-C2").account == mine


def test_all_or_none_writes_nothing_when_one_record_fails(siebel):
    response = batch(siebel, "accounts", [account("1-A"), account("1-B", name="")],
                     all_or_none=True)
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["error", "error"]
    assert results[0]["errors"][0]["code"] == "ROLLED_BACK"
    assert results[1]["errors"][0]["code"] == "VALIDATION"
    assert not Account.all_objects.exists()
    assert feed_size() == 0


def test_more_than_500_records_is_413_before_any_write(siebel):
    records = [account(f"1-{i}") for i in range(501)]
    response = batch(siebel, "accounts", records)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not Account.all_objects.exists()


def test_a_record_twice_in_one_batch_is_refused_the_second_time(siebel):
    results = batch(siebel, "accounts", [account("1-A"), account("1-A", name="Again")]
                    ).json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert Account.objects.get(external_id="1-A").name == "Account 1-A"


def test_a_malformed_batch_is_400(siebel):
    assert siebel.post("/api/v1/sync/accounts/batch/", {"rows": []},
                       format="json").status_code == 400
    response = batch(siebel, "accounts", ["not an object"])
    assert response.json()["results"][0]["errors"][0]["code"] == "VALIDATION"


# --- Access -------------------------------------------------------------------------------

def test_a_rep_client_cannot_touch_another_teams_record(rep_client, people):
    theirs = AccountFactory(owner=people.rep_b, source="siebel-prod", external_id="1-B")
    [result] = batch(rep_client, "accounts", [account("1-B", name="Mine now")]
                     ).json()["results"]
    assert result["errors"][0]["code"] == "NOT_FOUND_OR_NO_ACCESS"
    theirs.refresh_from_db()
    assert theirs.name != "Mine now"
    response = put(rep_client, "accounts", "1-B", {"name": "Mine now"})
    assert response.status_code == 404
    assert rep_client.get(URL.format(type="accounts", source="siebel-prod", key="1-B")
                          ).status_code == 404
    # Nor may it give records to people outside its scope.
    [result] = batch(rep_client, "accounts", [account("1-NEW", owner="rep_b")]
                     ).json()["results"]
    assert result["errors"][0]["code"] == "VALIDATION"
    assert "owner" in result["errors"][0]["fields"]


def test_finance_may_read_but_not_write_over_sync(people):
    finance = client_for(people.finance)
    [result] = batch(finance, "accounts", [account("1-A")]).json()["results"]
    assert result["errors"][0]["code"] == "NOT_FOUND_OR_NO_ACCESS"


# --- Idempotency -----------------------------------------------------------------------

def test_a_replay_with_the_same_key_returns_the_stored_answer_and_writes_nothing(siebel):
    records = [account("1-A"), account("1-B")]
    first = siebel.post("/api/v1/sync/accounts/batch/", {"records": records},
                        format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert [r["status"] for r in first.json()["results"]] == ["created", "created"]
    changes = feed_size()
    Account.objects.filter(external_id="1-A").update(name="Changed in OSP meanwhile")
    again = siebel.post("/api/v1/sync/accounts/batch/", {"records": records},
                        format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert feed_size() == changes
    assert Account.objects.get(external_id="1-A").name == "Changed in OSP meanwhile"


def test_the_same_key_with_another_body_is_422(siebel):
    siebel.post("/api/v1/sync/accounts/batch/", {"records": [account("1-A")]},
                format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = siebel.post("/api/v1/sync/accounts/batch/", {"records": [account("1-B")]},
                           format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert not Account.objects.filter(external_id="1-B").exists()


def test_a_put_replay_returns_the_stored_201(siebel):
    first = put(siebel, "accounts", "1-A", {"name": "Jade"}, HTTP_IDEMPOTENCY_KEY="p-1")
    again = put(siebel, "accounts", "1-A", {"name": "Jade"}, HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.status_code == again.status_code == 201
    assert again["ETag"] == first["ETag"] and again["Idempotent-Replayed"] == "true"
    assert Account.objects.get(external_id="1-A").version == 1


def test_a_refused_request_is_not_stored_so_a_corrected_retry_may_reuse_nothing(siebel):
    refused = put(siebel, "accounts", "1-A", {"name": ""}, HTTP_IDEMPOTENCY_KEY="p-2")
    assert refused.status_code == 400
    assert not StoredResponse.objects.filter(key="p-2").exists()


def test_keys_are_per_client(siebel, people):
    other = client_for(people.admin, name="siebel-test")
    siebel.post("/api/v1/sync/accounts/batch/", {"records": [account("1-A")]},
                format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = other.post("/api/v1/sync/accounts/batch/", {"records": [account("1-B")]},
                          format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.json()["results"][0]["status"] == "created"


def test_a_replay_without_a_key_creates_no_duplicates(siebel):
    records = [account("1-A"), account("1-B")]
    batch(siebel, "accounts", records)
    again = batch(siebel, "accounts", records).json()["results"]
    assert [r["status"] for r in again] == ["unchanged", "unchanged"]
    assert Account.objects.count() == 2


# --- Delete and tombstones ----------------------------------------------------------------

def test_delete_is_soft_and_leaves_a_tombstone(siebel, people, api):
    created = put(siebel, "accounts", "1-A", {"name": "Jade"}).json()
    response = siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-A"))
    assert response.status_code == 204
    assert not Account.objects.filter(pk=created["id"]).exists()
    assert Account.all_objects.get(pk=created["id"]).deleted_at is not None
    assert api(people.rep_a).get(f"/api/v1/accounts/{created['id']}/").status_code == 404
    tombstone = FeedChange.objects.order_by("-seq").first()
    assert (tombstone.op, tombstone.object_id, tombstone.version, tombstone.data) == (
        "delete", created["id"], 2, None)
    again = siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-A"))
    assert again.status_code == 404
    # Pushed again, it comes back as the same record.
    back = put(siebel, "accounts", "1-A", {"name": "Jade"})
    assert back.status_code == 200 and back.json()["id"] == created["id"]
    assert back.json()["version"] == 3


def test_delete_refuses_an_account_with_live_opportunities(siebel, people):
    put(siebel, "accounts", "1-A", {"name": "Jade"})
    batch(siebel, "opportunities", [opportunity("1-O", "1-A")])
    response = siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-A"))
    assert response.status_code == 400
    assert Account.objects.filter(external_id="1-A").exists()
    siebel.delete(URL.format(type="opportunities", source="siebel-prod", key="1-O"))
    assert siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-A")
                         ).status_code == 204


def test_delete_with_a_stale_if_match_is_412(siebel):
    put(siebel, "accounts", "1-A", {"name": "Jade"})
    response = siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-A"),
                             HTTP_IF_MATCH='"5"')
    assert response.status_code == 412
    assert Account.objects.filter(external_id="1-A").exists()


# --- The change feed ---------------------------------------------------------------------

def changes(http, cursor=0, **params):
    query = "&".join(f"{k}={v}" for k, v in {"cursor": cursor, **params}.items())
    response = http.get(f"/api/v1/sync/changes/?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_feed_lists_changes_in_order_from_any_route(siebel, people):
    batch(siebel, "accounts", [account("1-A"), account("1-B")])
    acct = Account.objects.get(external_id="1-A")
    account_update(account=acct, user=people.rep_a, name="Renamed in the browser")
    account_update(account=acct, user=people.rep_a, name="Renamed in the browser")  # no-op
    page = changes(siebel, limit=2)
    assert [c["external_id"] for c in page["changes"]] == ["1-A", "1-B"]
    assert page["has_more"] is True
    rest = changes(siebel, cursor=page["next_cursor"])
    assert rest["has_more"] is False
    [renamed] = rest["changes"]
    assert renamed["op"] == "upsert" and renamed["version"] == 2
    assert renamed["data"]["name"] == "Renamed in the browser"
    seqs = [c["seq"] for c in page["changes"] + rest["changes"]]
    assert seqs == sorted(seqs)
    assert changes(siebel, cursor=rest["next_cursor"])["changes"] == []


def test_the_feed_filters_by_type_and_carries_stage_moves(siebel):
    batch(siebel, "accounts", [account("1-A")])
    batch(siebel, "opportunities", [opportunity("1-O", "1-A", stage="5")])
    page = changes(siebel, types="opportunities")
    assert {c["type"] for c in page["changes"]} == {"opportunities"}
    assert [c["data"]["stage"] for c in page["changes"]] == ["lead", "5"]
    assert page["changes"][-1]["data"]["probability"] is not None


def test_bad_feed_parameters_are_400(siebel):
    for query in ("cursor=-1", "cursor=x", "limit=0", "limit=1001", "types=widgets"):
        response = siebel.get(f"/api/v1/sync/changes/?{query}")
        assert response.status_code == 400, query
        assert response["Content-Type"] == "application/problem+json"


def test_a_cursor_older_than_the_retention_gets_410(siebel, settings):
    from datetime import timedelta

    from django.utils import timezone

    from sync import feed

    batch(siebel, "accounts", [account("1-A"), account("1-B")])
    first = changes(siebel)
    feed.prune(now=timezone.now() + timedelta(days=settings.OSP_SYNC_RETENTION_DAYS + 1))
    batch(siebel, "accounts", [account("1-C")])
    gone = siebel.get("/api/v1/sync/changes/?cursor=0")
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"
    assert gone.json()["head"] >= first["next_cursor"]
    assert "resync" in gone.json()["detail"].lower()
    # From the pruned point on, the feed goes on.
    later = changes(siebel, cursor=first["next_cursor"])
    assert [c["external_id"] for c in later["changes"]] == ["1-C"]


def test_a_rep_client_sees_neither_other_teams_records_nor_their_tombstones(
        siebel, rep_client, people):
    batch(siebel, "accounts", [account("1-MINE"), account("1-THEIRS", owner="rep_b")])
    siebel.delete(URL.format(type="accounts", source="siebel-prod", key="1-THEIRS"))
    page = changes(rep_client)
    assert [(c["external_id"], c["op"]) for c in page["changes"]] == [("1-MINE", "upsert")]
    assert page["next_cursor"] == changes(siebel)["next_cursor"]
    listed = rep_client.get("/api/v1/sync/accounts/").json()["records"]
    assert [r["external_id"] for r in listed] == ["1-MINE"]


def test_the_full_read_pages_by_id(siebel):
    batch(siebel, "accounts", [account(f"1-{i}") for i in range(5)])
    first = siebel.get("/api/v1/sync/accounts/?limit=3").json()
    assert len(first["records"]) == 3 and first["has_more"]
    rest = siebel.get(f"/api/v1/sync/accounts/?after={first['next_after']}").json()
    assert len(rest["records"]) == 2 and not rest["has_more"]


def test_a_feed_page_costs_the_same_queries_however_many_changes(siebel, rep_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(limit):
        with CaptureQueriesContext(connection) as ctx:
            changes(rep_client, limit=limit)
        return len(ctx.captured_queries)

    batch(siebel, "accounts", [account(f"1-{i}") for i in range(5)])
    batch(siebel, "opportunities", [opportunity("1-O", "1-0")])
    small = cost(2)
    batch(siebel, "accounts", [account(f"2-{i}") for i in range(200)])
    batch(siebel, "opportunities", [opportunity(f"2-O{i}", f"2-{i}") for i in range(100)])
    assert cost(1000) == small


# --- Stages over sync ---------------------------------------------------------------------

def test_a_sync_that_skips_a_stage_is_refused_and_applies_no_field(siebel):
    put(siebel, "accounts", "1-A", {"name": "Jade"})
    put(siebel, "opportunities", "1-O", opportunity("1-O", "1-A"))
    response = put(siebel, "opportunities", "1-O", {"name": "Renamed", "stage": "4"})
    assert response.status_code == 422
    assert response.json()["code"] == "STAGE_GATE"
    opp = Opportunity.objects.get(external_id="1-O")
    assert (opp.stage, opp.name, opp.version) == ("lead", "Deal 1-O", 1)


def test_a_stage_move_with_unmet_criteria_lists_them(siebel):
    put(siebel, "accounts", "1-A", {"name": "Jade"})
    batch(siebel, "opportunities", [opportunity("1-O", "1-A")])
    [result] = batch(siebel, "opportunities",
                     [opportunity("1-O", "1-A", stage="2", amount="60000")]).json()["results"]
    error = result["errors"][0]
    assert error["code"] == "STAGE_GATE" and error["unmet"]
    assert all({"code", "text", "stage"} <= set(u) for u in error["unmet"])
    assert Opportunity.objects.get(external_id="1-O").amount == 50000


def test_creating_above_lead_is_an_import_only_with_the_permission(siebel, rep_client,
                                                                    people):
    AccountFactory(owner=people.rep_a, source="siebel-prod", external_id="1-A")
    [refused] = batch(rep_client, "opportunities",
                      [opportunity("1-R", "1-A", stage="5")]).json()["results"]
    assert refused["errors"][0]["code"] == "FIELD_NOT_WRITABLE"
    assert not Opportunity.all_objects.filter(external_id="1-R").exists()
    [imported] = batch(siebel, "opportunities",
                       [opportunity("1-I", "1-A", stage="5", owner="rep_a")]).json()["results"]
    assert imported["status"] == "created", imported
    opp = Opportunity.objects.get(pk=imported["id"])
    assert opp.stage == "5" and imported["version"] == opp.version
    assert StageChange.objects.get(opportunity=opp).how == HowChanged.IMPORT
    # A lead may be created by anyone who works on the account.
    [lead] = batch(rep_client, "opportunities", [opportunity("1-L", "1-A", stage="lead")]
                   ).json()["results"]
    assert lead["status"] == "created"


def test_a_move_back_over_sync_needs_a_reason_and_then_moves(siebel, people):
    AccountFactory(owner=people.rep_a, source="siebel-prod", external_id="1-A")
    batch(siebel, "opportunities", [opportunity("1-O", "1-A", stage="5", owner="rep_a")])
    no_reason = put(siebel, "opportunities", "1-O", {"stage": "4"})
    assert no_reason.status_code == 400 and "stage_reason" in no_reason.json()["errors"]
    moved = put(siebel, "opportunities", "1-O", {"stage": "4", "stage_reason": "Re-tender",
                                                 "next_step": "Re-qualify"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["stage"] == "4" and moved.json()["next_step"] == "Re-qualify"
    change = StageChange.objects.filter(opportunity__external_id="1-O").latest("pk")
    assert (change.from_stage, change.to_stage, change.reason) == ("5", "4", "Re-tender")


# --- Authentication, tokens, rate limits -------------------------------------------------

def test_tokens_are_stored_hashed_and_revocable(siebel, people):
    integration = IntegrationClient.objects.get(name="siebel-prod")
    secret = siebel.token.split("_", 2)[2]
    assert secret not in integration.token_hash
    assert siebel.get("/api/v1/sync/mapping/").status_code == 200
    integration.revoke()
    integration.save()
    response = siebel.get("/api/v1/sync/mapping/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "revoked" in response.json()["detail"]


def test_a_wrong_or_missing_token_is_401(siebel, api):
    forged = api()
    forged.credentials(HTTP_AUTHORIZATION=siebel._credentials["HTTP_AUTHORIZATION"][:-2] + "xx")
    assert forged.get("/api/v1/sync/mapping/").status_code == 401
    missing = api().get("/api/v1/sync/changes/")
    assert missing.status_code == 401 and missing["WWW-Authenticate"] == "Bearer"


def test_a_client_over_its_rate_gets_429_with_retry_after(people):
    slow = client_for(people.admin, rate=2, name="slow")
    assert slow.get("/api/v1/sync/mapping/").status_code == 200
    assert slow.get("/api/v1/sync/mapping/").status_code == 200
    limited = slow.get("/api/v1/sync/mapping/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited["Content-Type"] == "application/problem+json"


def test_the_mapping_is_published(siebel):
    mapping = siebel.get("/api/v1/sync/mapping/").json()
    fields = mapping["fields"]["opportunities"]
    assert fields["Sales Stage"] == "stage" and fields["Sales Rep"] == "owner"
    assert fields["Primary Revenue Amount"] == "amount"
    assert fields["Primary Revenue Close Date"] == "expected_close_date"
    assert "Primary Revenue Win Probability" in fields and fields["Account"] == "account"
    assert mapping["sales_stages"]["05 - Short-listed"] == "5"


@pytest.mark.parametrize("path", ["/api/v1/opportunities/", "/api/v1/sync/changes/"])
def test_integration_tokens_work_on_the_whole_api(siebel, path):
    assert siebel.get(path).status_code == 200


def test_resending_an_unchanged_owner_outside_ones_scope_is_not_a_change(rep_client, people):
    from opportunities.models import OpportunityTeamMember

    account = AccountFactory(owner=people.rep_a2, source="siebel-prod", external_id="1-A")
    opp = OpportunityFactory(account=account, owner=people.rep_a2, source="siebel-prod",
                             external_id="1-O", name="Shared deal")
    OpportunityTeamMember.objects.create(opportunity=opp, user=people.rep_a, role="presales")
    [result] = batch(rep_client, "opportunities", [
        {"source": "siebel-prod", "external_id": "1-O", "owner": "rep_a2",
         "next_step": "Demo"}]).json()["results"]
    assert result["status"] == "updated", result
    [result] = batch(rep_client, "opportunities", [
        {"source": "siebel-prod", "external_id": "1-O", "owner": "rep_b"}]).json()["results"]
    assert "owner" in result["errors"][0]["fields"]
