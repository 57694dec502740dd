"""Finance records the payment (9.5) and the booking (10) of a won deal in the browser."""

import pytest
from playwright.sync_api import expect

from opportunities.models import FinanceRecord, Opportunity
from tests.selling_cycle.conftest import Walker, make_deal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_finance_books_payment_and_booking_from_the_inbox(people, person):
    deal = make_deal(people)
    Walker(people, deal).to_stage("9")  # through the services: PO received
    rep = person(people.rep_a)
    finance = person(people.finance)

    # The rep has no finance moves on the won deal.
    rep_page = rep.goto(deal.opp.get_absolute_url())
    expect(rep_page.locator(".page-head .stage")).to_have_text("9 · PO received")
    expect(rep_page.get_by_role("button", name="Advance to 9.5 · Payment received")
           ).to_have_count(0)

    page = finance.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Finance").click()
    row = page.locator("table.list tbody tr", has_text="Gamma claims platform")
    expect(row).to_contain_text("9 · PO received")
    expect(row).to_contain_text("PO-1")
    row.get_by_role("link", name="Gamma claims platform").click()

    page.get_by_label("Payment reference").fill("PAY-2026-0042")
    page.get_by_role("button", name="Advance to 9.5 · Payment received").click()
    expect(page.locator(".message.success")).to_have_text("Moved to 9.5 · Payment received.")
    expect(page.locator(".page-head .stage")).to_have_text("9.5 · Payment received")

    page.get_by_label("Booking reference").fill("BOOK-7781")
    page.get_by_label("Booking period").fill("FY2026 Q4")
    page.get_by_role("button", name="Advance to 10 · Booked").click()
    expect(page.locator(".message.success")).to_have_text("Moved to 10 · Booked.")
    expect(page.locator(".page-head .stage")).to_have_text("10 · Booked")
    expect(page.locator(".timeline").first).to_contain_text("BOOK-7781 · FY2026 Q4")

    # Nothing is left for finance, and the records say who booked what.
    page.get_by_role("navigation").get_by_role("link", name="Finance").click()
    expect(page.locator(".empty")).to_have_text("Nothing is waiting for finance.")
    opp = Opportunity.objects.get(pk=deal.opp.pk)
    assert opp.stage == "10" and opp.booked_on is not None
    records = {r.kind: r for r in FinanceRecord.objects.filter(opportunity=opp)}
    assert records["payment"].reference == "PAY-2026-0042"
    assert (records["booking"].reference, records["booking"].period) == ("BOOK-7781",
                                                                         "FY2026 Q4")
    assert {r.by for r in records.values()} == {people.finance}
