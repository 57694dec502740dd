"""The forecast as an Excel workbook: one row per opportunity in the period, and a summary
sheet with the rollup. Streamed (openpyxl write-only mode, chunked queries), so a node with
100,000 deals costs neither the memory of 100,000 rows nor a query per row."""

import re
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from forecasting.selectors import (
    FORECAST_CATEGORIES,
    Node,
    forecast_rollup,
    node_opportunities,
    parse_node,
)
from opportunities.models import Category, OpportunityPartner, Stage, StageCategory
from opportunities.selectors import in_period
from osp.fiscal import Period, fiscal_quarter, parse_period

EXPORT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
HUNDRED = Decimal(100)
BOLD = Font(bold=True)
# A text beginning with one of these is a formula to a spreadsheet, or becomes one when the
# cell is edited (OWASP, "CSV injection"); deal, account and next-step texts are anybody's.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FIELDS = ("pk", "owner__first_name", "owner__last_name", "owner__username",
          "account__territory__name", "account__name", "name", "stage", "amount", "currency",
          "amount_base", "expected_close_date", "stage_entered_at", "next_step")
# Column widths of the Forecast sheet, in the order of its headers.
WIDTHS = (20, 18, 28, 34, 28, 26, 22, 12, 14, 9, 16, 16, 14, 12, 16, 30)


def export_filename(node: Node, period: Period) -> str:
    """E.g. "forecast-user-12-FY2027-Q1.xlsx": ASCII only, safe in a Content-Disposition."""
    label = re.sub(r"[^A-Za-z0-9]+", "-", str(period.label)).strip("-") or "period"
    kind = re.sub(r"[^A-Za-z0-9]+", "-", node.kind).strip("-") or "node"
    return f"forecast-{kind}-{node.obj.pk}-{label}.xlsx"


def forecast_workbook(*, user, node: Node, period: Period, out) -> int:
    """Write the forecast of `node` for `period` as .xlsx to the binary file-like `out`;
    returns the number of opportunity rows."""
    workbook = Workbook(write_only=True)
    mapping = StageCategory.mapping()
    rows = _forecast_sheet(workbook, user=user, node=node, period=period, mapping=mapping)
    _summary_sheet(workbook, user=user, node=node, period=period)
    workbook.save(out)
    return rows


# --- Sheet 1: the opportunities --------------------------------------------------------

def pipeline_table(opportunities, mapping=None) -> tuple[list[str], list[list]]:
    """The spreadsheet's headers and rows as plain values, for pages that show a pipeline
    "in the same format as the forecast sheet" (the account plan)."""
    mapping = mapping or StageCategory.mapping()
    rows = list(opportunities.order_by("expected_close_date", "pk").values_list(*FIELDS))
    partners = _partner_names([row[0] for row in rows])
    labels = _Labels()
    return forecast_headers(), [
        [row[0], *_forecast_row(None, row, partners.get(row[0], ""), mapping, labels)]
        for row in rows]


def forecast_headers() -> list[str]:
    return [_("Owner"), _("Territory"), _("Account"), _("Opportunity"), _("Partner"),
            _("Stage"), _("Category"), _("Probability (%)"), _("Amount"), _("Currency"),
            _("Amount in %(currency)s") % {"currency": settings.OSP_BASE_CURRENCY},
            _("Weighted amount"), _("Expected close"), _("Quarter"), _("Last stage change"),
            _("Next step")]


def _forecast_sheet(workbook, *, user, node, period, mapping) -> int:
    sheet = workbook.create_sheet(_sheet_title(_("Forecast")))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append(_bold_row(sheet, forecast_headers()))

    deals = (in_period(node_opportunities(user, node), period, mapping)
             .order_by("expected_close_date", "pk").values_list(*FIELDS)
             .iterator(chunk_size=CHUNK_SIZE))
    labels = _Labels()
    count = 0
    while chunk := list(islice(deals, CHUNK_SIZE)):
        partners = _partner_names([row[0] for row in chunk])
        for row in chunk:
            sheet.append(_forecast_row(sheet, row, partners.get(row[0], ""), mapping, labels))
        count += len(chunk)
    return count


def _forecast_row(sheet, row, partners, mapping, labels) -> list:
    (pk, first, last, username, territory, account, name, stage, amount, currency,
     amount_base, close, entered, next_step) = row
    category, probability = mapping.get(stage, (Category.OMITTED, 0))
    owner = f"{first} {last}".strip() or username
    weighted = (amount_base or 0) * Decimal(probability) / HUNDRED
    last_change = timezone.localtime(entered).date() if entered else None
    return [_text(sheet, owner), _text(sheet, territory or ""), _text(sheet, account),
            _text(sheet, name), _text(sheet, partners), labels.stage(stage),
            labels.category(category), probability, _money(sheet, amount), currency,
            _money(sheet, amount_base), _money(sheet, weighted), _date(sheet, close),
            labels.quarter(close), _date(sheet, last_change), _text(sheet, next_step)]


def _partner_names(ids: list[int]) -> dict[int, str]:
    """Opportunity id -> the names of its partners, comma-separated: one query a chunk."""
    names: dict[int, list[str]] = {}
    for opportunity_id, partner in (OpportunityPartner.objects.filter(opportunity_id__in=ids)
                                    .order_by("opportunity_id", "partner__name", "pk")
                                    .values_list("opportunity_id", "partner__name")):
        seen = names.setdefault(opportunity_id, [])
        if partner not in seen:  # one partner may hold two roles on a deal
            seen.append(partner)
    return {pk: ", ".join(partners) for pk, partners in names.items()}


class _Labels:
    """Translated labels and quarter names, computed once per distinct value."""

    def __init__(self):
        self._stages: dict = {}
        self._categories: dict = {}
        self._quarters: dict = {}

    def stage(self, value):
        if value not in self._stages:
            try:
                self._stages[value] = str(Stage(value).label)
            except ValueError:
                self._stages[value] = value
        return self._stages[value]

    def category(self, value):
        if value not in self._categories:
            try:
                self._categories[value] = str(Category(value).label)
            except ValueError:
                self._categories[value] = value
        return self._categories[value]

    def quarter(self, day):
        if day is None:
            return ""
        key = (day.year, day.month)
        if key not in self._quarters:
            self._quarters[key] = str(fiscal_quarter(day))
        return self._quarters[key]


# --- Sheet 2: the rollup ---------------------------------------------------------------

def _summary_sheet(workbook, *, user, node, period) -> None:
    rollup = forecast_rollup(user=user, node=node, period=period)
    sheet = workbook.create_sheet(_sheet_title(_("Summary")))
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGHI":
        sheet.column_dimensions[letter].width = 16
    base = settings.OSP_BASE_CURRENCY

    sheet.append(_bold_row(sheet, [_("Forecast"), str(node), str(period)]))
    sheet.append([])
    sheet.append(_bold_row(sheet, [_("Category"), _("Count"),
                                   _("Amount in %(currency)s") % {"currency": base},
                                   _("Weighted amount")]))
    count, amount, weighted = 0, Decimal(0), Decimal(0)
    for category in FORECAST_CATEGORIES:
        cell = rollup.categories[category]
        sheet.append([str(Category(category).label), cell.count, _money(sheet, cell.amount),
                      _money(sheet, cell.weighted)])
        count, amount, weighted = count + cell.count, amount + cell.amount, weighted + cell.weighted
    sheet.append(_bold_row(sheet, [_("Total"), count, _money(sheet, amount),
                                   _money(sheet, weighted)]))

    if rollup.quota is not None:
        sheet.append([])
        sheet.append([_("Quota"), None, _money(sheet, rollup.quota)])
        sheet.append([_("Attainment (booked) %"), None, rollup.attainment(rollup.booked)])
        sheet.append([_("Attainment (won + booked) %"), None,
                      rollup.attainment(rollup.won_and_booked)])

    if rollup.reps:
        sheet.append([])
        sheet.append(_bold_row(sheet, [_("Rep"),
                                       *(str(Category(c).label) for c in FORECAST_CATEGORIES),
                                       _("Adjusted commit"), _("Adjusted best case")]))
        for rep in rollup.reps:
            cells, adjusted = rep["cells"], rep["adjusted"]
            sheet.append([_text(sheet, str(rep["user"])),
                          *(_money(sheet, cells[c].amount) for c in FORECAST_CATEGORIES),
                          *(_money(sheet, adjusted[c].amount) if c in adjusted else None
                            for c in (Category.COMMIT, Category.BEST_CASE))])


# --- Cells -----------------------------------------------------------------------------

def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31]


def _bold_row(sheet, values) -> list:
    row = []
    for value in values:
        value = _text(sheet, value)
        cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
        cell.font = BOLD
        row.append(cell)
    return row


def _text(sheet, value):
    """`value` as a text cell that stays text. openpyxl stores a string beginning with "="
    as a live formula (and "#N/A" as an error): such a text becomes a cell typed as a
    string, shown exactly as entered, and marked quotePrefix (Excel's hidden apostrophe)
    so that it stays text when someone edits it. Control characters that XML cannot hold
    are left out. Other texts go as they are: openpyxl writes them as strings already."""
    if sheet is None or not isinstance(value, str) or not (
            value.startswith(FORMULA_START) or value in ERROR_CODES
            or ILLEGAL_CHARACTERS_RE.search(value)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _money(sheet, value):
    if value is None or sheet is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def _date(sheet, value):
    if value is None or sheet is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def export_response(user, params):
    """The .xlsx download for the `node` and `period` in `params` (page and API alike)."""
    node = parse_node(user, params.get("node"))
    period = parse_period(params.get("period"))
    response = HttpResponse(content_type=EXPORT_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(node, period)}"'
    forecast_workbook(user=user, node=node, period=period, out=response)
    return response
