"""The board's cards and the list's rows, drawn in Python (opportunities/templatetags/
pipeline.py): amounts as floatformat:"0g" gives them in each language, every text
escaped."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from opportunities.selectors import BoardCard
from opportunities.templatetags.pipeline import board_cards, whole_amounts

AMOUNTS = ["0", "0.4", "0.5", "-0.4", "-1234.5", "999.49", "1000", "1234567.50",
           "98765432109.99", "12345678901234.00"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_amounts_as_floatformat_gives_them(language):
    with translation.override(language):
        amount = whole_amounts()
        for value in AMOUNTS:
            assert amount(Decimal(value)) == floatformat(Decimal(value), "0g"), value


def test_a_card_escapes_every_text():
    card = BoardCard(pk=7, name='<script>alert("x")</script>', stage="9.5",
                     amount_base=Decimal("1234567.5"), account_name="A & B",
                     url='/opportunities/7/"', risks=["<b>risk</b>", "two"])
    with translation.override("en"):
        html = board_cards([card])
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert "A &amp; B" in html and 'href="/opportunities/7/&quot;"' in html
    assert 'title="&lt;b&gt;risk&lt;/b&gt; · two">⚠ 2</span>' in html
    assert 'data-id="7" data-stage="9.5"' in html and "1,234,568 " in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_list_row_is_what_the_template_filters_give(db, language):
    """The row drawn by hand against the same row through format_html and the filters a
    template would apply, with texts that need escaping."""
    import datetime

    from django.conf import settings
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template.defaultfilters import slugify
    from django.utils.html import format_html

    from opportunities.models import Opportunity
    from opportunities.templatetags.pipeline import opportunity_rows
    from opportunities.views import LIST_ROW
    from tests.factories import AccountFactory, OpportunityFactory

    deal = OpportunityFactory(name='Deal "<one>" & more', stage="9.5",
                              account=AccountFactory(name="O'Brien & <Sons>"),
                              amount=Decimal("1234567.50"), amount_base=Decimal("176370.5"),
                              currency="CNY", expected_close_date=datetime.date(2027, 3, 31))
    deal.owner.first_name, deal.owner.last_name = "<Li>", "Wei & co"
    deal.owner.save()
    row = Opportunity.objects.filter(pk=deal.pk).values(*LIST_ROW).get()
    with translation.override(language):
        drawn = opportunity_rows([row, row])
        expected = format_html(
            '<tr><td><a href="{}">{}</a></td>\n<td><a href="{}">{}</a></td>\n'
            '<td><span class="stage stage-{}">{}</span></td>\n'
            '<td class="num" title="{} {}">{} {}</td>\n<td>{}</td>\n<td>{}</td></tr>',
            f"/opportunities/{deal.pk}/", deal.name, f"/accounts/{deal.account_id}/",
            deal.account.name, slugify(deal.stage), deal.stage_label, intcomma(deal.amount),
            deal.currency, floatformat(deal.amount_base, "0g"), settings.OSP_BASE_CURRENCY,
            "2027-03-31", deal.owner)
    assert drawn == expected + expected  # the second row reuses the page's work
    assert "&lt;one&gt;" in drawn and "&lt;Li&gt; Wei &amp; co" in drawn
