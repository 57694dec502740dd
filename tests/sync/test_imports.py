"""Pushing a Siebel history (issue #15, §3): deals that come in lost, no-go, won, paid or
booked land with what makes them so, or fail alone with a row error; finance's client
marks 9.5 and 10 as finance does in the browser."""

import datetime

import pytest
from django.utils import timezone

from opportunities.models import FinanceRecord, HowChanged, Opportunity, StageChange
from osp.fiscal import fiscal_quarter
from tests.factories import AccountFactory, OpportunityFactory, import_at
from tests.sync.conftest import client_for
from tests.sync.test_api import batch, opportunity, put

DAY = datetime.date(2026, 9, 15)


@pytest.fixture
def bank(people):
    return AccountFactory(owner=people.rep_a, source="siebel-prod", external_id="1-A")


def rows_of(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_loss_lands_with_its_reason_and_winner(siebel, people, bank):
    [row] = rows_of(batch(siebel, "opportunities", [opportunity(
        "1-L", "1-A", owner="rep_a", stage="lost", stage_reason="Price",
        winning_competitor="GRG Banking")]))

    assert row["status"] == "created", row
    deal = Opportunity.objects.get(external_id="1-L")
    assert (deal.stage, deal.loss_reason, deal.winning_competitor.name) == (
        "lost", "Price", "GRG Banking")
    move = StageChange.objects.get(opportunity=deal)
    assert (move.from_stage, move.to_stage, move.how, move.by) == (
        "lead", "lost", HowChanged.IMPORT, people.admin)


def test_a_no_go_lands_with_its_rationale(siebel, bank):
    [row] = rows_of(batch(siebel, "opportunities", [opportunity(
        "1-N", "1-A", stage="no_go", stage_reason="No partner with references")]))

    assert row["status"] == "created", row
    assert Opportunity.objects.get(external_id="1-N").no_go_rationale == (
        "No partner with references")


def test_a_closed_row_missing_its_details_fails_alone(siebel, bank):
    rows = rows_of(batch(siebel, "opportunities", [
        opportunity("1-OK", "1-A", stage="5"),
        opportunity("1-L", "1-A", stage="lost", stage_reason="Price"),
        opportunity("1-N", "1-A", stage="no_go"),
        opportunity("1-W", "1-A", stage="9"),
        opportunity("1-P", "1-A", stage="9.5", po_date="2026-09-01"),
        opportunity("1-B", "1-A", stage="10", po_date="2026-09-01",
                    payment_reference="AR-1", payment_date="2026-09-20"),
    ]))

    assert [r["status"] for r in rows] == ["created"] + ["error"] * 5
    fields = [set(r["errors"][0]["fields"]) for r in rows[1:]]
    assert fields == [{"winning_competitor"}, {"stage_reason"}, {"po_date"},
                      {"payment_reference", "payment_date"},
                      {"booking_reference", "booking_date"}]
    assert all(r["errors"][0]["code"] == "VALIDATION" for r in rows[1:])
    assert "PO" in rows[3]["errors"][0]["fields"]["po_date"][0]
    assert list(Opportunity.objects.values_list("external_id", flat=True)) == ["1-OK"]
    assert not FinanceRecord.objects.exists()


def test_dates_in_the_future_or_before_the_po_are_refused(siebel, bank):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    rows = rows_of(batch(siebel, "opportunities", [
        opportunity("1-W", "1-A", stage="9", po_date=tomorrow),
        opportunity("1-P", "1-A", stage="9.5", po_date="2026-09-15",
                    payment_reference="AR-1", payment_date="2026-09-01"),
        opportunity("1-X", "1-A", stage="9.5", po_date="2026-09-15",
                    payment_reference="AR-1", payment_date="15/09/2026"),
    ]))

    assert [set(r["errors"][0]["fields"]) for r in rows] == [
        {"po_date"}, {"payment_date"}, {"payment_date"}]
    assert not Opportunity.objects.exists()


def test_won_paid_and_booked_deals_keep_their_dates_and_finance_records(siebel, people,
                                                                        bank):
    rows = rows_of(batch(siebel, "opportunities", [
        opportunity("1-W", "1-A", stage="9", po_number="PO-9", po_date="2026-10-28"),
        opportunity("1-P", "1-A", stage="9.5", po_date="2026-09-15",
                    payment_reference="AR-0917", payment_date="2026-11-20"),
        opportunity("1-B", "1-A", stage="10", po_date="2026-06-26",
                    payment_reference="AR-0712", payment_date="2026-08-14",
                    booking_reference="BK-044", booking_date="2026-09-10"),
    ]))

    assert [r["status"] for r in rows] == ["created"] * 3, rows
    deals = {o.external_id: o for o in Opportunity.objects.all()}
    assert (deals["1-W"].won_on, deals["1-W"].booked_on) == (datetime.date(2026, 10, 28), None)
    assert (deals["1-P"].won_on, deals["1-P"].booked_on) == (DAY, None)
    assert (deals["1-B"].won_on, deals["1-B"].booked_on) == (datetime.date(2026, 6, 26),
                                                             datetime.date(2026, 9, 10))
    payment = FinanceRecord.objects.get(opportunity=deals["1-P"])
    assert (payment.kind, payment.reference, payment.received_on, payment.by) == (
        "payment", "AR-0917", datetime.date(2026, 11, 20), people.admin)
    booking = FinanceRecord.objects.get(opportunity=deals["1-B"], kind="booking")
    assert (booking.reference, booking.received_on, booking.period) == (
        "BK-044", datetime.date(2026, 9, 10), str(fiscal_quarter(datetime.date(2026, 9, 10))))
    # The wire says when they were won and booked.
    [wire] = [r for r in rows if r["external_id"] == "1-B"]
    shown = siebel.get("/api/v1/sync/opportunities/siebel-prod/1-B/").json()
    assert (shown["won_on"], shown["booked_on"], shown["po_date"]) == (
        "2026-06-26", "2026-09-10", "2026-06-26")
    assert wire["version"] == shown["version"]


def test_only_an_importer_or_finance_places_a_deal_at_9_5_or_10(people, bank):
    manager = client_for(people.manager_a)  # may create deals, not import them
    paid = opportunity("1-P", "1-A", stage="9.5", po_date="2026-09-15",
                       payment_reference="AR-1", payment_date="2026-09-20")
    [row] = rows_of(batch(manager, "opportunities", [paid]))
    assert row["errors"][0]["code"] == "FIELD_NOT_WRITABLE"

    finance = client_for(people.finance)
    [row] = rows_of(batch(finance, "opportunities", [opportunity(
        "1-5", "1-A", owner="rep_a", stage="5")]))
    assert row["errors"][0]["code"] == "NOT_FOUND_OR_NO_ACCESS"  # finance creates no deal
    [row] = rows_of(batch(finance, "opportunities", [paid]))
    assert "owner" in row["errors"][0]["fields"]  # finance imports it, owns nothing
    [row] = rows_of(batch(finance, "opportunities", [{**paid, "owner": "rep_a"}]))

    assert row["status"] == "created", row
    deal = Opportunity.objects.get(external_id="1-P")
    assert (deal.stage, deal.owner, deal.won_on) == ("9.5", people.rep_a, DAY)
    move = StageChange.objects.get(opportunity=deal)
    assert (move.how, move.by) == (HowChanged.IMPORT, people.finance)
    assert FinanceRecord.objects.get(opportunity=deal).by == people.finance


def test_finance_marks_a_won_deal_paid_and_booked_through_sync(people, bank):
    deal = import_at(OpportunityFactory(account=bank, owner=people.rep_a,
                                        source="siebel-prod", external_id="1-W"),
                     people.admin, "9", on=DAY)
    finance = client_for(people.finance)
    wire = finance.get("/api/v1/sync/opportunities/siebel-prod/1-W/").json()

    changed = put(finance, "opportunities", "1-W", {
        "name": "Renamed by finance", "amount": wire["amount"], "stage": "9.5",
        "payment_reference": "AR-0917", "payment_date": "2026-11-20"})
    assert (changed.status_code, changed.json()["code"]) == (400, "FIELD_NOT_WRITABLE")
    assert set(changed.json()["errors"]) == {"name"}
    paid = put(finance, "opportunities", "1-W", {
        "stage": "9.5", "payment_reference": "AR-0917", "payment_date": "2026-11-20"})
    assert paid.status_code == 200, paid.json().get("unmet")
    booked = put(finance, "opportunities", "1-W", {
        "stage": "10", "booking_reference": "BK-1", "booking_date": "2026-11-30"})
    assert booked.status_code == 200, booked.json()

    deal.refresh_from_db()
    assert (deal.stage, deal.name, deal.won_on) == ("10", wire["name"], DAY)
    assert deal.booked_on == datetime.date(2026, 11, 30)  # the forecast counts it then
    records = FinanceRecord.objects.filter(opportunity=deal).order_by("pk")
    assert [(r.kind, r.reference, r.received_on, r.by) for r in records] == [
        ("payment", "AR-0917", datetime.date(2026, 11, 20), people.finance),
        ("booking", "BK-1", datetime.date(2026, 11, 30), people.finance)]
    assert [c.how for c in StageChange.objects.filter(opportunity=deal)] == [
        HowChanged.IMPORT, HowChanged.FINANCE, HowChanged.FINANCE]


def test_a_rep_still_cannot_mark_9_5_through_sync(people, bank, rep_client):
    import_at(OpportunityFactory(account=bank, owner=people.rep_a, source="siebel-prod",
                                 external_id="1-W"), people.admin, "9", on=DAY)
    refused = put(rep_client, "opportunities", "1-W", {
        "stage": "9.5", "payment_reference": "AR-1", "payment_date": "2026-11-20"})

    assert refused.status_code in (403, 422), refused.json()
    assert Opportunity.objects.get(external_id="1-W").stage == "9"
    assert not FinanceRecord.objects.exists()
