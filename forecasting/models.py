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
