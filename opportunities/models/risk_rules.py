"""An administrator's settings of the deal risk rules (opportunities/risks.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskRuleSetting(models.Model):
    """An administrator's switch and threshold for one risk rule (opportunities.risks)."""

    code = models.CharField(_("rule"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self):
        return self.code
