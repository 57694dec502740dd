from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Quota(models.Model):
    """A quarter's quota, in the base currency, for a rep or a territory. The fiscal year
    is named by the calendar year in which it ends (osp.fiscal)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="quotas")
    territory = models.ForeignKey("accounts.Territory", verbose_name=_("territory"), null=True,
                                  blank=True, on_delete=models.CASCADE, related_name="quotas")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    amount = models.DecimalField(_("quota"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["fiscal_year", "quarter"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(name="quota_for_rep_or_territory", condition=(
                Q(user__isnull=False, territory__isnull=True)
                | Q(user__isnull=True, territory__isnull=False))),
            models.UniqueConstraint(fields=["user", "fiscal_year", "quarter"],
                                    condition=Q(user__isnull=False), name="quota_once_per_rep"),
            models.UniqueConstraint(fields=["territory", "fiscal_year", "quarter"],
                                    condition=Q(territory__isnull=False),
                                    name="quota_once_per_territory"),
        ]

    def __str__(self):
        return f"FY{self.fiscal_year} Q{self.quarter} {self.user or self.territory}: {self.amount}"


class Category(models.TextChoices):
    NOT_FORECAST = "not_forecast", _("Not forecast")
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    WON = "won", _("Won (awaiting finance)")
    BOOKED = "booked", _("Booked")
    OMITTED = "omitted", _("Omitted")


# The default mapping (METHODOLOGY.md §3, §6): stage 6 = highly likely to win, 7 = closes
# this quarter, 9.5 and 10 = finance bookings.
DEFAULT_CATEGORIES = {
    "lead": (Category.NOT_FORECAST, 0), "2": (Category.PIPELINE, 10),
    "3": (Category.PIPELINE, 20), "4": (Category.PIPELINE, 30), "5": (Category.PIPELINE, 40),
    "6": (Category.BEST_CASE, 60), "7": (Category.COMMIT, 80), "8": (Category.COMMIT, 90),
    "9": (Category.WON, 100), "9.5": (Category.BOOKED, 100), "10": (Category.BOOKED, 100),
    "lost": (Category.OMITTED, 0), "no_go": (Category.OMITTED, 0),
}


class StageCategory(models.Model):
    """Which forecast category a stage counts in, and its default probability; one row a
    stage, edited by an administrator."""

    stage = models.CharField(_("stage"), max_length=8, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("stage category")
        verbose_name_plural = _("stage categories")

    def __str__(self):
        return f"{self.stage}: {self.get_category_display()} ({self.probability}%)"

    CACHE_KEY = "forecasting:stage-categories"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.forget()
        return result

    @classmethod
    def forget(cls):
        from django.core.cache import cache

        cache.delete(cls.CACHE_KEY)

    @classmethod
    def mapping(cls) -> dict[str, tuple[str, int]]:
        """Stage -> (category, probability). Cached: every opportunity saved writes its
        probability to the sync feed; saving or deleting a row clears the cache."""
        from django.core.cache import cache

        cached = cache.get(cls.CACHE_KEY)
        if cached is None:
            rows = {r.stage: (r.category, r.probability) for r in cls.objects.all()}
            cached = {**DEFAULT_CATEGORIES, **rows}
            cache.set(cls.CACHE_KEY, cached, 3600)
        return cached


class ForecastAdjustment(models.Model):
    """A manager's own number for someone below them, for a period and category, with a
    note. Rows are kept: the latest counts, the others are the history."""

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("for"),
                                on_delete=models.CASCADE, related_name="forecast_adjustments")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                                on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=12)  # "FY2027 Q1" or "FY2027"
    category = models.CharField(_("category"), max_length=20, choices=[
        (Category.COMMIT, Category.COMMIT.label), (Category.BEST_CASE, Category.BEST_CASE.label)])
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")

    def __str__(self):
        return f"{self.subject} {self.period} {self.category}: {self.amount}"


class ForecastSnapshot(models.Model):
    """Every open opportunity's stage, category, amount and close date, frozen (weekly,
    and on demand)."""

    taken_at = models.DateTimeField(_("taken"), auto_now_add=True, db_index=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self):
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.label}"


class SnapshotLine(models.Model):
    snapshot = models.ForeignKey(ForecastSnapshot, on_delete=models.CASCADE,
                                 related_name="lines")
    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.CASCADE,
                                    related_name="+")
    owner_id_at = models.BigIntegerField(_("owner"))
    stage = models.CharField(_("stage"), max_length=8)
    category = models.CharField(_("category"), max_length=20)
    amount_base = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    expected_close_date = models.DateField(_("expected close date"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "opportunity"],
                                               name="snapshot_line_once")]
        indexes = [models.Index(fields=["snapshot", "owner_id_at"], name="snapshot_owner")]

    def __str__(self):
        return f"{self.snapshot_id}/{self.opportunity_id}"


class RiskRuleSetting(models.Model):
    """An administrator's switch and threshold for one risk rule (forecasting.risks)."""

    code = models.CharField(_("rule"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self):
        return self.code
