"""The board's cards and the list's rows (Jinja2 templates): every text escaped, amounts as
floatformat:"0g" gives them in each language, the deal's own amount on hover."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def nasty(people):
    deal = OpportunityFactory(name='Deal "<one>" & more', stage="5",
                              account=AccountFactory(name="O'Brien & <Sons>"),
                              amount=Decimal("1234567.50"), amount_base=Decimal("1234567.5"),
                              currency="CNY", expected_close_date=datetime.date(2027, 3, 31))
    deal.owner.first_name, deal.owner.last_name = "<Li>", "Wei & co"
    deal.owner.save()
    return deal


def test_a_card_escapes_every_text(people, nasty, browser, monkeypatch):
    monkeypatch.setattr("opportunities.cycle_views.risk_flags",
                        lambda qs: {nasty.pk: ["<b>risk</b>", "two"]})
    html = browser(people.admin).get("/opportunities/board/",
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Jinja2's escaping (MarkupSafe) writes quotes as &#34; and &#39;.
    assert "<one>" not in html and "Deal &#34;&lt;one&gt;&#34; &amp; more" in html
    assert "O&#39;Brien &amp; &lt;Sons&gt;" in html
    assert f'data-id="{nasty.pk}" data-stage="5"><a href="/opportunities/{nasty.pk}/">' in html
    assert 'title="&lt;b&gt;risk&lt;/b&gt; · two">⚠ 2</span>' in html
    assert f"1,234,568 {settings.OSP_BASE_CURRENCY}" in html


@pytest.mark.parametrize(("language", "amount", "title"), [
    # Chinese amounts are grouped by thousands too (config/formats/zh_Hans).
    ("en", "1,234,568", "1,234,567.50 CNY"), ("zh-hans", "1,234,568", "1,234,567.50 CNY")])
def test_a_list_row_shows_the_deal_escaped(people, nasty, browser, language, amount, title):
    html = browser(people.admin).get("/opportunities/",
                                     HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        label = str(nasty.stage_label)
    assert (f'<tr><td><a href="/opportunities/{nasty.pk}/">Deal &#34;&lt;one&gt;&#34; '
            f'&amp; more</a></td>\n<td><a href="/accounts/{nasty.account_id}/">'
            "O&#39;Brien &amp; &lt;Sons&gt;</a></td>\n"
            f'<td><span class="stage stage-5">{label}</span></td>\n'
            f'<td class="num" title="{title}">{amount} {settings.OSP_BASE_CURRENCY}</td>\n'
            "<td>2027-03-31</td>\n<td>&lt;Li&gt; Wei &amp; co</td></tr>") in html


AMOUNTS = ["0", "0.4", "0.5", "-0.4", "-1234.5", "999.49", "1000", "1234567.50",
           "98765432109.99", "12345678901234.00"]


@pytest.mark.parametrize("language", ["en", "zh-hans", "de", "fr"])
def test_amounts_read_as_floatformat_gives_them(language):
    from django.template.defaultfilters import floatformat

    from config.jinja2 import whole_amount

    with translation.override(language):
        for value in AMOUNTS:
            assert whole_amount(Decimal(value)) == floatformat(Decimal(value), "0g"), value
