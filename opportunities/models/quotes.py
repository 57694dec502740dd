"""The product catalogue (the price book) and the quote on a deal (METHODOLOGY.md §4 steps
6 and 7: configuration and quote, discount, the reseller's margin, commercial terms).

A deal has one quote; the quote is a series of versions. A version is never changed: a
revision is a new version, numbered from 1, so what the customer saw (and, later, what the
manager approved) stays as it was. Each line copies the product's list price when the
version is written; a later change in the catalogue changes no quote already written."""

from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opportunities.models.append_only import AppendOnly

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(HUNDRED)]


def money(value: Decimal) -> Decimal:
    """Rounded to the cent, half up, as an invoice rounds."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Product(models.Model):
    """An item of the price book: licences, subscriptions, services."""

    code = models.CharField(_("product code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Only active products can be quoted."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.code} · {self.name_en}"

    def clean(self):
        # A price in a currency without a rate could not be quoted on any deal in another.
        self.currency = (self.currency or "").upper()
        rates = apps.get_model("opportunities", "ExchangeRate").objects
        if self.currency and self.currency != settings.OSP_BASE_CURRENCY and not rates.filter(
                currency=self.currency).exists():
            raise ValidationError({"currency": _(
                "There is no exchange rate for %(currency)s; add it first (Exchange rates).")
                % {"currency": self.currency}})

    def name(self, language: str) -> str:
        """The product's name in `language` (the English one when it has no Chinese)."""
        if (language or "").lower().startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


class Quote(models.Model):
    """The deal's quote: its versions, the current one (the latest), and the one the
    customer accepted, if any."""

    opportunity = models.OneToOneField("opportunities.Opportunity", on_delete=models.PROTECT,
                                       related_name="quote", verbose_name=_("opportunity"))
    current = models.ForeignKey("QuoteVersion", verbose_name=_("current version"), null=True,
                                on_delete=models.PROTECT, related_name="+", editable=False)
    accepted = models.ForeignKey("QuoteVersion", verbose_name=_("accepted version"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self):
        return str(_("Quote for %(deal)s") % {"deal": self.opportunity})


class QuoteVersion(AppendOnly):
    """One version of a quote, as written: lines, terms, the reseller and its margin, how
    long it is valid, and its totals in the deal's currency and the base currency."""

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    currency = models.CharField(_("currency"), max_length=3)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    commercial_terms = models.TextField(_("commercial terms"), blank=True)
    reseller = models.ForeignKey("accounts.Partner", verbose_name=_("reseller"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    reseller_margin = models.DecimalField(_("reseller margin (%)"), max_digits=5,
                                          decimal_places=2, default=Decimal("0"),
                                          validators=PERCENT)
    valid_until = models.DateField(_("valid until"))
    # Kept when written, from the lines: the list price total and the customer's price.
    list_total = models.DecimalField(_("list price total"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    total_base = models.DecimalField(_("total in base currency"), max_digits=16,
                                     decimal_places=2)
    base_currency = models.CharField(_("base currency"), max_length=3)

    class Meta:
        ordering = ["quote", "-number"]
        verbose_name = _("quote version")
        verbose_name_plural = _("quote versions")
        constraints = [models.UniqueConstraint(fields=["quote", "number"],
                                               name="quote_version_number_unique")]

    def __str__(self):
        return f"{self.quote_id} v{self.number}"

    @property
    def discount_amount(self) -> Decimal:
        return self.list_total - self.total

    @property
    def discount_percent(self) -> Decimal:
        """The discount on the whole quote, from the list price total."""
        if not self.list_total:
            return Decimal("0.00")
        return money(self.discount_amount * HUNDRED / self.list_total)

    @property
    def reseller_margin_amount(self) -> Decimal:
        return money(self.total * self.reseller_margin / HUNDRED)

    @property
    def net_total(self) -> Decimal:
        """What the reseller pays us: the customer's price less the reseller's margin."""
        return self.total - self.reseller_margin_amount

    @property
    def is_expired(self) -> bool:
        return self.valid_until < timezone.localdate()


class QuoteLine(AppendOnly):
    version = models.ForeignKey(QuoteVersion, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(CENT)])
    # In the quote's currency, copied from the catalogue when the version was written.
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2,
                                           default=Decimal("0"), validators=PERCENT)
    line_total = models.DecimalField(_("line total"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [models.UniqueConstraint(fields=["version", "position"],
                                               name="quote_line_position_unique")]

    def __str__(self):
        return f"{self.product.code} × {self.quantity}"

    @property
    def list_amount(self) -> Decimal:
        return money(self.quantity * self.list_price)
