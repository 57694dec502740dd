"""Writing a version of a deal's quote: the rules every route goes through."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opportunities.models import Opportunity, Quote, QuoteLine, QuoteVersion
from osp.concurrency import StaleRecord
from tests.quotes.conftest import in_days, write


def _refused(deal, user, **changes) -> dict:
    with pytest.raises(ValidationError) as e:
        write(deal, user, **changes)
    assert not QuoteVersion.objects.exists() and not QuoteLine.objects.exists()
    return e.value.message_dict


def test_a_version_copies_list_prices_and_adds_up_totals(people, deal):
    version = write(deal, people.rep_a, lines=[
        {"product": deal.licence, "quantity": Decimal("3"), "discount_percent": Decimal("10")},
        {"product": deal.appliance, "quantity": Decimal("1")},
    ])
    lines = list(version.lines.order_by("position"))
    assert [(li.position, li.list_price, li.line_total) for li in lines] == [
        (1, Decimal("12000.00"), Decimal("32400.00")),
        # CNY 380,000 at 0.14 to the base currency, in the deal's USD.
        (2, Decimal("53200.00"), Decimal("53200.00"))]
    assert version.number == 1 and version.currency == "USD"
    assert version.list_total == Decimal("89200.00")
    assert version.total == Decimal("85600.00") == version.total_base
    assert version.discount_amount == Decimal("3600.00")
    assert version.discount_percent == Decimal("4.04")
    assert version.reseller_margin_amount == Decimal("10272.00")
    assert version.net_total == Decimal("75328.00")
    assert Quote.objects.get(opportunity=deal.opp).current == version


def test_a_deal_in_another_currency_is_quoted_in_it_with_the_base_total(people, deal):
    Opportunity.objects.filter(pk=deal.opp.pk).update(currency="CNY")
    version = write(deal, people.rep_a, lines=[
        {"product": deal.licence, "quantity": Decimal("3"), "discount_percent": Decimal("10")},
        {"product": deal.appliance, "quantity": Decimal("1")}])
    prices = list(version.lines.order_by("position").values_list("list_price", "line_total"))
    # USD 12,000 = CNY 85,714.29 at 0.14; three of them less 10% = 231,428.58.
    assert prices == [(Decimal("85714.29"), Decimal("231428.58")),
                      (Decimal("380000.00"), Decimal("380000.00"))]
    assert version.currency == "CNY" and version.total == Decimal("611428.58")
    assert version.total_base == Decimal("85600.00") and version.base_currency == "USD"


def test_money_is_rounded_to_the_cent_half_up(people, deal):
    deal.licence.list_price = Decimal("99.99")
    deal.licence.save()
    version = write(deal, people.rep_a, lines=[
        {"product": deal.licence, "quantity": Decimal("1.5"), "discount_percent": Decimal("12.5")}])
    assert version.lines.get().line_total == Decimal("131.24")  # 131.236875


def test_a_revision_is_a_new_version_and_the_old_one_stays(people, deal):
    first = write(deal, people.rep_a)
    second = write(deal, people.rep_a, expected_version=1, lines=[
        {"product": deal.licence, "quantity": Decimal("5"), "discount_percent": Decimal("15")}])
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.total == Decimal("32400.00") and first.lines.get().quantity == 3
    assert Quote.objects.get().current == second
    with pytest.raises(PermissionError):
        first.save()
    with pytest.raises(PermissionError):
        QuoteLine.objects.filter(version=first).update(quantity=1)


def test_a_later_catalogue_price_changes_no_written_version(people, deal):
    version = write(deal, people.rep_a)
    deal.licence.list_price = Decimal("15000")
    deal.licence.save()
    assert version.lines.get().list_price == Decimal("12000.00")


def test_a_stale_version_is_refused_and_nothing_written(people, deal):
    write(deal, people.rep_a)
    write(deal, people.manager_a, expected_version=1)
    with pytest.raises(StaleRecord) as e:
        write(deal, people.rep_a, expected_version=1)
    assert (e.value.expected, e.value.current) == (1, 2)
    assert QuoteVersion.objects.count() == 2


@pytest.mark.parametrize("quantity", [Decimal("0"), Decimal("-1"), None, Decimal("0.001")])
def test_the_quantity_must_be_more_than_zero(people, deal, quantity):
    errors = _refused(deal, people.rep_a, lines=[{"product": deal.licence,
                                                  "quantity": quantity}])
    assert list(errors) == ["lines"] and errors["lines"][0].startswith("Line 1:")


@pytest.mark.parametrize("discount", [Decimal("-0.01"), Decimal("100.01"), "lots"])
def test_the_discount_is_between_0_and_100(people, deal, discount):
    errors = _refused(deal, people.rep_a, lines=[
        {"product": deal.licence, "quantity": 1, "discount_percent": discount}])
    assert "discount" in errors["lines"][0]


def test_a_product_off_sale_cannot_be_quoted(people, deal):
    errors = _refused(deal, people.rep_a, lines=[
        {"product": deal.licence, "quantity": 1}, {"product": deal.retired, "quantity": 1}])
    assert errors["lines"] == ["Line 2: OLD-CONN is no longer in the price book."]


def test_a_quote_needs_a_line(people, deal):
    assert _refused(deal, people.rep_a, lines=[])["lines"] == [
        "A quote needs at least one line."]


@pytest.mark.parametrize("margin", [Decimal("-1"), Decimal("100.5")])
def test_the_reseller_margin_is_between_0_and_100(people, deal, margin):
    assert "reseller_margin" in _refused(deal, people.rep_a, reseller_margin=margin)


def test_a_margin_needs_a_reseller(people, deal):
    assert "reseller_margin" in _refused(deal, people.rep_a, reseller=None)


def test_the_reseller_must_be_on_the_deal(people, deal):
    errors = _refused(deal, people.rep_a, reseller=deal.stranger)
    assert "not a reseller on this deal" in errors["reseller"][0]


def test_the_validity_is_not_in_the_past(people, deal):
    assert "valid_until" in _refused(deal, people.rep_a, valid_until=in_days(-1))
    assert "valid_until" in _refused(deal, people.rep_a, valid_until=None)
    assert write(deal, people.rep_a, valid_until=in_days(0)).number == 1


def test_text_with_a_nul_character_is_refused(people, deal):
    errors = _refused(deal, people.rep_a, payment_terms="Net\x0030",
                      commercial_terms="VAT\x00")
    assert set(errors) == {"payment_terms", "commercial_terms"}


def test_all_errors_come_back_at_once(people, deal):
    errors = _refused(deal, people.rep_a, lines=[{"product": deal.retired, "quantity": 0}],
                      reseller=deal.stranger, valid_until=in_days(-3))
    assert set(errors) == {"lines", "reseller", "valid_until"}


def test_a_currency_without_a_rate_is_refused(people, deal):
    Opportunity.objects.filter(pk=deal.opp.pk).update(currency="JPY")
    errors = _refused(deal, people.rep_a)
    assert "no exchange rate from USD to JPY" in errors["lines"][0]


@pytest.mark.parametrize("who", ["rep_b", "manager_b", "finance"])
def test_only_those_who_may_change_the_deal_write_its_quote(people, deal, who):
    with pytest.raises(PermissionDenied):
        write(deal, getattr(people, who))
    assert not Quote.objects.exists()


@pytest.mark.parametrize("who", ["rep_a", "manager_a", "director", "admin"])
def test_the_owner_and_their_managers_write_the_quote(people, deal, who):
    assert write(deal, getattr(people, who)).author == getattr(people, who)


def test_a_lost_deal_keeps_its_quote_as_it_was(people, deal):
    from opportunities import selling_cycle

    write(deal, people.rep_a)
    selling_cycle.opportunity_transition(opportunity=deal.opp, user=people.rep_a, to="lost",
                                         loss_reason="Price", winning_competitor="Rival")
    with pytest.raises(ValidationError):
        write(deal, people.rep_a)


def test_an_amount_too_large_for_the_books_is_refused_not_a_crash(people, deal):
    deal.licence.list_price = Decimal("999999999999.99")
    deal.licence.save()
    errors = _refused(deal, people.rep_a, lines=[{"product": deal.licence, "quantity": 2}])
    assert "too large" in errors["lines"][0]
