from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opportunities.models import Category


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
