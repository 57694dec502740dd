"""The markup repeated hundreds of times on the pipeline pages, drawn in Python: the
board's cards (up to 330) and the opportunity list's rows. Each value costs the template
engine a lookup, an escape and a filter call; for a board that was most of the page's
time (issue #7). The markup is the same as a template would give, escaped the same way."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, slugify
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

from opportunities.models import stage_label_of
from osp.models import User
from osp.pages import record_url

register = template.Library()


_ONE = Decimal(1)


def whole_amounts():
    """floatformat(value, "0g") for a page of amounts (a whole number, grouped as the
    current language groups thousands), the language's format read once instead of once
    an amount."""
    separator, grouping = get_format("THOUSAND_SEPARATOR"), get_format("NUMBER_GROUPING")
    if separator and grouping != 3:
        return lambda value: floatformat(value, "0g")

    def whole(value):
        number = int(Decimal(value).quantize(_ONE, ROUND_HALF_UP))
        return f"{number:,}".replace(",", separator) if separator else str(number)
    return whole


@register.simple_tag
def board_cards(cards):
    """A column's cards (opportunities.selectors.BoardCard). Written out by hand, every
    text escaped: format_html's escaping per value was most of the board's time."""
    currency, amount = escape(settings.OSP_BASE_CURRENCY), whole_amounts()
    drawn = []
    for c in cards:
        risks = (f' <span class="risk-mark" title="{escape(" · ".join(c.risks))}">'
                 f"⚠ {len(c.risks)}</span>" if c.risks else "")
        drawn.append(
            f'<article class="card-item" draggable="true" data-id="{int(c.pk)}" '
            f'data-stage="{escape(c.stage)}"><a href="{escape(c.url)}">{escape(c.name)}</a>'
            f'<span class="muted">{escape(c.account_name)}</span><span class="amount">'
            f"{amount(c.amount_base)} {currency}{risks}</span></article>")
    return mark_safe("\n".join(drawn))  # noqa: S308 (every value above is escaped)


@register.simple_tag
def opportunity_rows(rows):
    """The opportunity list's rows (dicts of opportunities.views.LIST_ROW), each `<tr>`
    with the deal, its account, stage, amount (in the base currency; the deal's own
    currency on hover), close date and owner. All rows in one call: a row template
    included per row cost a template lookup and a context layer each. What is the same
    for every row (the addresses, the amount format, a stage's label) is worked out once
    a page."""
    deal_url, account_url = record_url("opportunity-detail"), record_url("account-detail")
    amount, base = whole_amounts(), escape(settings.OSP_BASE_CURRENCY)
    stages = {}
    drawn = []
    for row in rows:
        stage = row["stage"]
        if stage not in stages:
            stages[stage] = (f'<span class="stage stage-{escape(slugify(stage))}">'
                             f"{escape(str(stage_label_of(stage)))}</span>")
        close = row["expected_close_date"].isoformat() if row["expected_close_date"] else ""
        owner = User.display_name(row["owner__first_name"], row["owner__last_name"],
                                  row["owner__username"])
        # By hand, as the board's cards: format_html's escaping was most of a row's time.
        drawn.append(
            f'<tr><td><a href="{escape(deal_url(row["pk"]))}">{escape(row["name"])}</a></td>\n'
            f'<td><a href="{escape(account_url(row["account_id"]))}">'
            f'{escape(row["account__name"])}</a></td>\n'
            f"<td>{stages[stage]}</td>\n"
            f'<td class="num" title="{escape(str(intcomma(row["amount"])))} '
            f'{escape(row["currency"])}">{amount(row["amount_base"])} {base}</td>\n'
            f"<td>{close}</td>\n<td>{escape(owner)}</td></tr>")
    return mark_safe("".join(drawn))  # noqa: S308 (every value above is escaped)
