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
