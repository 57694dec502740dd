"""Writes of a deal's quote (METHODOLOGY.md §4 steps 6 and 7): a new version, and the
customer's acceptance of one, which the deal's amount then follows; and the preview of a
version's totals before it is written.

Who may: whoever may change the deal (osp.permissions.require_change); finance and
everyone else who sees the deal read it. Writers of a deal's quote are ordered by the
deal's row lock, as its plan's are."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Partner
from opportunities.models import (
    FINISHED_STAGES,
    DealPartnerRole,
    ExchangeRate,
    Opportunity,
    OpportunityPartner,
    Product,
    Quote,
    QuoteLine,
    QuoteVersion,
)
from opportunities.models.quotes import HUNDRED, money
from opportunities.services import opportunity_update, to_base_currency
from osp import permissions
from osp.concurrency import StaleRecord, locked_copy
from osp.models import User
from osp.validators import null_character_errors

# The largest amount the columns hold (14 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("1000000000000")
MAX_QUANTITY = Decimal("10000000000")


@dataclass(frozen=True)
class _Line:
    product: Product
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


def _decimal(value, default=None) -> Decimal | None:
    if value is None or value == "":
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _rates(currencies: Iterable[str]) -> dict[str, Decimal]:
    """Each currency's rate to the base currency, in one query (the base's is 1)."""
    wanted = {c.upper() for c in currencies if c}
    rates = dict(ExchangeRate.objects.filter(currency__in=wanted)
                 .values_list("currency", "rate_to_base"))
    rates[settings.OSP_BASE_CURRENCY] = Decimal(1)
    return rates


def _in_currency(amount: Decimal, source: str, target: str,
                 rates: Mapping[str, Decimal]) -> Decimal | None:
    """`amount` of `source` in `target`, through the base currency; None without a rate."""
    if source == target:
        return amount
    if source not in rates or target not in rates:
        return None
    return money(amount * rates[source] / rates[target])


def _check_lines(lines, currency: str, errors: dict) -> list[_Line]:
    """The lines priced in the quote's currency, or messages under `lines`."""
    messages, checked = [], []
    lines = list(lines or [])
    if not lines:
        errors["lines"] = [_("A quote needs at least one line.")]
        return []
    rates = _rates([currency, *(getattr(li.get("product"), "currency", "") for li in lines)])
    for n, line in enumerate(lines, 1):
        product = line.get("product")
        quantity = _decimal(line.get("quantity"))
        discount = _decimal(line.get("discount_percent"), Decimal("0"))
        problems = []
        if not isinstance(product, Product):
            problems.append(_("choose a product"))
        elif not product.is_active:
            problems.append(_("%(product)s is no longer in the price book")
                            % {"product": product.code})
        if quantity is None or quantity <= 0:
            problems.append(_("the quantity must be more than 0"))
        elif quantity >= MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.01")):
            problems.append(_("the quantity can have at most 2 decimals and 10 digits"))
        if discount is None or not 0 <= discount <= HUNDRED:
            problems.append(_("the discount must be between 0 and 100%"))
        elif discount != discount.quantize(Decimal("0.01")):
            problems.append(_("the discount can have at most 2 decimals"))
        price = None
        if isinstance(product, Product) and not problems:
            price = _in_currency(product.list_price, product.currency.upper(), currency, rates)
            if price is None:
                problems.append(_("there is no exchange rate from %(from)s to %(to)s; ask an "
                                  "administrator to add one") % {"from": product.currency,
                                                                 "to": currency})
            elif price >= MAX_AMOUNT or quantity * price >= MAX_AMOUNT:
                problems.append(_("the amount is too large"))
        if problems:
            messages.append(_("Line %(n)d: %(problems)s.") % {"n": n,
                                                              "problems": "; ".join(problems)})
            continue
        total = money(quantity * price * (HUNDRED - discount) / HUNDRED)
        checked.append(_Line(product, quantity, price, discount, total))
    if messages:
        errors["lines"] = messages
    elif sum((li.quantity * li.list_price for li in checked), Decimal(0)) >= MAX_AMOUNT:
        errors["lines"] = [_("The quote's total is too large.")]
    return checked


def _check_reseller(opportunity: Opportunity, reseller: Partner | None, margin,
                    errors: dict) -> Decimal:
    margin = _decimal(margin, Decimal("0"))
    if margin is None or not 0 <= margin <= HUNDRED:
        errors["reseller_margin"] = [_("The reseller's margin must be between 0 and 100%.")]
    elif margin != margin.quantize(Decimal("0.01")):
        errors["reseller_margin"] = [_("The margin can have at most 2 decimals.")]
    elif margin and reseller is None:
        errors["reseller_margin"] = [_("A margin needs a reseller: choose the reseller.")]
    if reseller is not None and not OpportunityPartner.objects.filter(
            opportunity=opportunity, partner=reseller, role=DealPartnerRole.RESELLER).exists():
        errors["reseller"] = [_("%(partner)s is not a reseller on this deal; add it under "
                                "Partners on the deal first.") % {"partner": reseller}]
    return margin or Decimal("0")


@dataclass(frozen=True)
class QuotePreview:
    """What a version would add up to (opportunities.quotes.quote_preview)."""

    currency: str
    lines: list[_Line]
    list_total: Decimal
    total: Decimal
    total_base: Decimal
    base_currency: str
    reseller_margin: Decimal

    @property
    def discount_amount(self) -> Decimal:
        return self.list_total - self.total

    @property
    def reseller_margin_amount(self) -> Decimal:
        return money(self.total * self.reseller_margin / HUNDRED)

    @property
    def net_total(self) -> Decimal:
        return self.total - self.reseller_margin_amount


def _totals(checked: list[_Line]) -> tuple[Decimal, Decimal]:
    """The list price total and the customer's total of priced lines."""
    return (money(sum((money(li.quantity * li.list_price) for li in checked), Decimal("0"))),
            money(sum((li.line_total for li in checked), Decimal("0"))))


def quote_preview(*, opportunity: Opportunity, lines, reseller_margin=Decimal("0")
                  ) -> QuotePreview:
    """What a version of the deal's quote with these lines would add up to, priced as
    quote_version_create prices them; writes nothing. ValidationError (under `lines`,
    `reseller_margin` or `currency`) for what quote_version_create would refuse of them."""
    currency = opportunity.currency.upper()
    errors: dict = {}
    checked = _check_lines(lines, currency, errors)
    margin = _decimal(reseller_margin, Decimal("0"))
    if margin is None or not 0 <= margin <= HUNDRED:
        errors["reseller_margin"] = [_("The reseller's margin must be between 0 and 100%.")]
    if errors:
        raise ValidationError(errors)
    list_total, total = _totals(checked)
    return QuotePreview(currency=currency, lines=checked, list_total=list_total, total=total,
                        total_base=to_base_currency(total, currency),
                        base_currency=settings.OSP_BASE_CURRENCY, reseller_margin=margin)


def _check_open(opportunity: Opportunity) -> None:
    if opportunity.stage in FINISHED_STAGES:
        raise ValidationError({"__all__": _(
            "This deal is %(stage)s: its quote is history and cannot change.")
            % {"stage": opportunity.stage_label}})


@transaction.atomic
def quote_version_create(*, opportunity: Opportunity, user: User, lines,
                         payment_terms: str = "", commercial_terms: str = "",
                         reseller: Partner | None = None, reseller_margin=Decimal("0"),
                         valid_until: date | None,
                         expected_version: int | None = None) -> QuoteVersion:
    """Write the deal's quote as a new version, numbered after the current one. `lines`
    are mappings of `product`, `quantity` and `discount_percent` (0-100); each copies the
    product's list price (in the deal's currency, at today's exchange rate). The quote is
    in the deal's currency, its total also in the base currency. StaleRecord if
    `expected_version` (the version number the writer started from, 0 for none) is no
    longer the current one. Nothing is written unless everything is valid."""
    permissions.require_change(user, opportunity)
    opportunity = locked_copy(opportunity)  # orders the writers of this deal's quote
    _check_open(opportunity)
    quote = Quote.objects.select_related("current__author").filter(
        opportunity=opportunity).first()
    current = quote.current if quote else None
    number = current.number if current else 0
    # (No current version yet: the first version cannot be stale.)
    if current is not None and expected_version is not None and expected_version != number:
        raise StaleRecord(current, expected=expected_version, current=number)
    currency = opportunity.currency.upper()
    errors: dict = {}
    checked = _check_lines(lines, currency, errors)
    margin = _check_reseller(opportunity, reseller, reseller_margin, errors)
    if valid_until is None:
        errors["valid_until"] = [_("Say until when the quote is valid.")]
    elif valid_until < timezone.localdate():
        errors["valid_until"] = [_("The validity date cannot be in the past.")]
    errors.update(null_character_errors({"payment_terms": payment_terms,
                                         "commercial_terms": commercial_terms}))
    list_total, total = _totals(checked)
    total_base = None
    if not errors.get("lines"):
        try:
            total_base = to_base_currency(total, currency)
        except ValidationError as e:
            errors.update(e.message_dict)
        else:
            if total_base >= MAX_AMOUNT * 100:  # the column holds 16 digits
                errors["lines"] = [_("The quote's total is too large.")]
    if errors:
        raise ValidationError(errors)
    if quote is None:
        quote = Quote.objects.create(opportunity=opportunity)
    version = QuoteVersion.objects.create(
        quote=quote, number=number + 1, author=user, currency=currency,
        payment_terms=(payment_terms or "").strip(),
        commercial_terms=(commercial_terms or "").strip(), reseller=reseller,
        reseller_margin=margin, valid_until=valid_until, list_total=list_total, total=total,
        total_base=total_base, base_currency=settings.OSP_BASE_CURRENCY)
    QuoteLine.objects.bulk_create(
        QuoteLine(version=version, position=n, product=li.product, quantity=li.quantity,
                  list_price=li.list_price, discount_percent=li.discount_percent,
                  line_total=li.line_total)
        for n, li in enumerate(checked, 1))
    quote.current = version
    quote.save(update_fields=["current"])
    return version


@transaction.atomic
def quote_version_accept(*, version: QuoteVersion, user: User) -> Opportunity:
    """The customer accepted `version` (the deal's current one, still valid): it becomes
    the accepted version and the deal's amount follows its total, written through
    opportunity_update (a new deal version, the sync feed, the gates rechecked)."""
    opportunity = version.quote.opportunity
    permissions.require_change(user, opportunity)
    opportunity = locked_copy(opportunity)
    _check_open(opportunity)
    quote = Quote.objects.select_for_update().get(pk=version.quote_id)
    if quote.current_id != version.pk:
        raise ValidationError({"version": _(
            "Version %(n)d is no longer the current one; the customer can accept only the "
            "current version.") % {"n": version.number}})
    if version.is_expired:
        raise ValidationError({"version": _(
            "Version %(n)d expired on %(date)s; write a new version with a new validity "
            "date.") % {"n": version.number, "date": version.valid_until.isoformat()}})
    if version.currency != opportunity.currency.upper():
        raise ValidationError({"version": _(
            "The deal is now in %(deal)s and this version in %(quote)s; write a new "
            "version.") % {"deal": opportunity.currency, "quote": version.currency}})
    if quote.accepted_id != version.pk:
        quote.accepted, quote.accepted_by, quote.accepted_at = version, user, timezone.now()
        quote.save(update_fields=["accepted", "accepted_by", "accepted_at"])
    return opportunity_update(opportunity=opportunity, user=user, amount=version.total)
