"""The quote in the browser: the card on the deal, the form of a new version, the
versions and the printable quotation."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from opportunities.models import Opportunity, QuoteVersion
from tests.quotes.conftest import in_days, write


def _form(deal, rows, **fields):
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0",
            "valid_until": in_days(30).isoformat(), "reseller": deal.reseller.pk,
            "reseller_margin": "12", "payment_terms": "Net 45", "commercial_terms": "",
            "expected_version": "0"}
    for n, row in enumerate(rows):
        data.update({f"lines-{n}-{k}": v for k, v in row.items()})
    data.update(fields)
    return data


def test_the_deal_page_shows_the_current_version(people, deal, browser):
    write(deal, people.rep_a)
    page = browser(people.rep_a).get(deal.opp.get_absolute_url()).content.decode()
    assert 'id="quote"' in page and "CORE-ENT" in page and "32,400.00" in page
    assert "Jade Reseller" in page and "Net 45" in page
    assert f"/opportunities/{deal.opp.pk}/quote/new/" in page


def test_finance_reads_the_quote_but_is_offered_no_change(people, deal, browser):
    write(deal, people.rep_a)
    client = browser(people.finance)
    page = client.get(deal.opp.get_absolute_url()).content.decode()
    assert "CORE-ENT" in page and "/quote/new/" not in page and "/accept/" not in page
    assert client.get(f"/opportunities/{deal.opp.pk}/quote/1/").status_code == 200
    assert client.get(f"/opportunities/{deal.opp.pk}/quote/new/").status_code == 403


def test_a_colleague_outside_the_scope_sees_nothing(people, deal, browser):
    write(deal, people.rep_a)
    client = browser(people.rep_b)
    for path in ("quote/", "quote/1/", "quote/new/"):
        assert client.get(f"/opportunities/{deal.opp.pk}/{path}").status_code == 404


def test_a_new_version_is_written_through_the_form(people, deal, browser):
    client = browser(people.rep_a)
    url = f"/opportunities/{deal.opp.pk}/quote/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form(deal, [
        {"product": deal.licence.pk, "quantity": "2", "discount_percent": "5"},
        {"product": "", "quantity": "", "discount_percent": ""},  # a blank row: no line
        {"product": deal.appliance.pk, "quantity": "1", "discount_percent": ""}]))
    assert response.status_code == 302
    version = QuoteVersion.objects.get()
    assert version.lines.count() == 2 and version.total == Decimal("22800.00") + Decimal("53200")
    assert version.reseller == deal.reseller and version.reseller_margin == 12
    # The next form starts from it, and removing a line leaves it out.
    page = client.get(url).content.decode()
    assert 'name="expected_version" value="1"' in page and 'value="2"' in page
    response = client.post(url, _form(deal, [
        {"product": deal.licence.pk, "quantity": "2", "discount_percent": "5"},
        {"product": deal.appliance.pk, "quantity": "1", "DELETE": "on"}],
        expected_version="1"))
    assert response.status_code == 302
    assert QuoteVersion.objects.get(number=2).lines.count() == 1


def test_bad_input_comes_back_on_the_form_and_nothing_is_saved(people, deal, browser):
    client = browser(people.rep_a)
    url = f"/opportunities/{deal.opp.pk}/quote/new/"
    response = client.post(url, _form(deal, [
        {"product": deal.licence.pk, "quantity": "0", "discount_percent": "120"}],
        valid_until=in_days(-1).isoformat(), reseller=deal.stranger.pk))
    assert response.status_code == 200 and not QuoteVersion.objects.exists()
    page = response.content.decode()
    assert "has-error" in page and "Select a valid choice" in page  # not on the deal
    response = client.post(url, _form(deal, [{"product": "", "quantity": ""}],
                                      valid_until=in_days(-1).isoformat()))
    page = response.content.decode()
    assert "A quote needs at least one line." in page
    assert "The validity date cannot be in the past." in page
    assert not QuoteVersion.objects.exists()


def test_more_rows_keeps_what_was_typed(people, deal, browser):
    client = browser(people.rep_a)
    response = client.post(f"/opportunities/{deal.opp.pk}/quote/new/", _form(deal, [
        {"product": deal.licence.pk, "quantity": "7"}], more_rows="1"))
    page = response.content.decode()
    assert response.status_code == 200 and not QuoteVersion.objects.exists()
    assert 'name="lines-TOTAL_FORMS" value="4"' in page and 'value="7"' in page


def test_a_stale_form_is_refused_with_who_changed_it(people, deal, browser):
    write(deal, people.manager_a)
    response = browser(people.rep_a).post(
        f"/opportunities/{deal.opp.pk}/quote/new/",
        _form(deal, [{"product": deal.licence.pk, "quantity": "1"}], expected_version="0"))
    assert response.status_code == 200 and QuoteVersion.objects.count() == 1
    assert "after you opened it" in response.content.decode()


def test_the_versions_page_compares_the_last_two(people, deal, browser):
    write(deal, people.rep_a)
    write(deal, people.rep_a, lines=[{"product": deal.licence, "quantity": 4}],
          payment_terms="Net 30")
    page = browser(people.rep_a).get(f"/opportunities/{deal.opp.pk}/quote/").content.decode()
    assert "Version 1 → version 2" in page and 'class="changed"' in page and "Net 30" in page
    assert "+48.1%" in page  # 4 licences at list price instead of 3 at 10% off


def test_the_printed_quote_speaks_chinese(people, deal, client, settings):
    settings.OSP_COMPANY_NAME = "华信软件有限公司"
    write(deal, people.rep_a, lines=[{"product": deal.licence, "quantity": 1200}])
    client.force_login(people.rep_a)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/opportunities/{deal.opp.pk}/quote/1/").content.decode()
    assert "核心平台许可" in page and "Core platform licence" not in page
    assert "华信软件有限公司" in page and "报价单" in page
    with translation.override("zh-hans"):
        from django.utils import formats

        expected_date = formats.date_format(in_days(30), "DATE_FORMAT")
    assert expected_date in page and "年" in expected_date
    assert "14,400,000.00" in page  # grouped as Chinese quotations write amounts
    client.cookies["django_language"] = "en"
    page = client.get(f"/opportunities/{deal.opp.pk}/quote/1/").content.decode()
    assert "Core platform licence" in page and "14,400,000.00" in page


def test_the_customer_accepts_from_the_deal_page(people, deal, browser):
    write(deal, people.rep_a)
    response = browser(people.rep_a).post(f"/opportunities/{deal.opp.pk}/quote/1/accept/")
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=deal.opp.pk).amount == Decimal("32400.00")


def test_the_deal_page_queries_do_not_grow_with_lines_or_versions(people, deal, browser):
    client = browser(people.rep_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(deal.opp.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    write(deal, people.rep_a, lines=[{"product": deal.licence, "quantity": 1}])
    small = count()
    for n in range(2, 6):
        write(deal, people.rep_a, lines=[{"product": p, "quantity": n}
                                         for p in [deal.licence, deal.appliance] * 6])
    assert count() == small


def test_calculating_totals_shows_them_and_saves_nothing(people, deal, browser):
    response = browser(people.rep_a).post(f"/opportunities/{deal.opp.pk}/quote/new/", _form(
        deal, [{"product": deal.licence.pk, "quantity": "3", "discount_percent": "10"}],
        preview="1"))
    page = response.content.decode()
    assert response.status_code == 200 and not QuoteVersion.objects.exists()
    assert 'class="quote-preview"' in page and "32,400.00" in page
    assert "28,512.00" in page  # net of the reseller's 12%
    assert 'value="3"' in page  # what was typed stays


def test_the_deals_history_lists_the_quote_versions(people, deal, browser):
    write(deal, people.rep_a)
    page = browser(people.rep_a).get(deal.opp.get_absolute_url()).content.decode()
    assert "Quote version 1: 32,400.00 USD" in page
