"""A manager overrides a rep's commit on the forecast page and sees the adjusted figure."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from forecasting.models import ForecastAdjustment
from opportunities.selling_cycle import opportunity_import_at
from opportunities.services import opportunity_create
from osp.fiscal import fiscal_quarter
from tests.factories import AccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _column(table, header: str) -> int:
    expect(table).to_be_visible()
    # Text content, not inner text: the stylesheet upper-cases table headers.
    headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
    return headers.index(header)


def test_a_manager_adjusts_a_reps_commit(people, person):
    account = AccountFactory(name="Epsilon Foods", owner=people.rep_a)
    deal = opportunity_create(user=people.admin, account=account, owner=people.rep_a,
                              name="Epsilon ERP", amount=Decimal("120000"), currency="USD",
                              expected_close_date=fiscal_quarter().end)
    opportunity_import_at(opportunity=deal, user=people.admin, to="7")  # commit
    period = str(fiscal_quarter())

    page = person(people.manager_a).goto("/forecast/")
    table = page.locator("table.list", has=page.locator("th", has_text="Adjusted commit"))
    row = table.locator("tbody tr", has_text=str(people.rep_a))
    adjusted = row.locator("td").nth(_column(table, "Adjusted commit"))
    expect(row.locator("td").nth(_column(table, "Commit"))).to_have_text("120,000")
    expect(adjusted).to_have_text("—")

    row.locator("summary", has_text="Adjust").click()
    row.locator("select[name=category]").select_option("commit")
    row.get_by_placeholder("Amount").fill("90000")
    row.get_by_placeholder("Why?").fill("Budget freeze at Epsilon until January")
    row.get_by_role("button", name="Save").click()

    expect(page.locator(".message.success")).to_have_text("Adjustment recorded.")
    expect(adjusted).to_have_text("90,000")
    expect(adjusted.locator("span")).to_have_attribute(
        "title", f"{people.manager_a}: Budget freeze at Epsilon until January")
    # The rep's own numbers are untouched: the adjustment sits beside them.
    expect(row.locator("td").nth(_column(table, "Commit"))).to_have_text("120,000")
    expect(row.locator("td").nth(_column(table, "Adjusted best case"))).to_have_text("—")
    assert page.locator("select[name=period] option:checked").inner_text() == period

    adjustment = ForecastAdjustment.objects.get()
    assert (adjustment.subject, adjustment.manager, adjustment.category, adjustment.amount,
            adjustment.period) == (people.rep_a, people.manager_a, "commit", Decimal("90000"),
                                   period)
