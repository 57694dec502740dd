from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Plan depth by deal size in the base currency (METHODOLOGY.md §4 step 3).
ASSESSMENT_FROM = Decimal("50000")
TAS_FROM = Decimal("100000")


class PlanDepth(models.TextChoices):
    BASIC = "basic", _("Win strategy and action items (under 50K)")
    ASSESSMENT = "assessment", _("Plus the opportunity assessment (50K–100K)")
    TAS = "tas", _("Short TAS opportunity plan (over 100K)")
    FULL = "full", _("Full TAS plan (strategic or named account)")


SECTIONS = {
    "win_strategy": _("Win strategy"),
    "action_items": _("Action items"),
    "assessment": _("Opportunity assessment: is there an opportunity, can we compete, can "
                    "we win, is it worth winning?"),
    "business_drivers_roi": _("Business drivers and return on investment"),
    "solution_strategy": _("Solution strategy"),
    "competitive_strategy": _("Competitive strategy"),
    "decision_map": _("Decision map: everyone who influences the decision"),
    "relationship_strategy": _("Relationship strategy per key player"),
    "risks": _("Risks and countermeasures"),
    "action_plan": _("Action plan with a timeline"),
}
REQUIRED_SECTIONS = {
    PlanDepth.BASIC: ["win_strategy", "action_items"],
    PlanDepth.ASSESSMENT: ["win_strategy", "action_items", "assessment"],
    PlanDepth.TAS: ["win_strategy", "action_items", "assessment", "business_drivers_roi",
                    "solution_strategy", "competitive_strategy", "decision_map",
                    "relationship_strategy", "risks", "action_plan"],
    PlanDepth.FULL: list(SECTIONS),
}


def required_depth(opportunity) -> str:
    account = opportunity.account
    if account.is_strategic or account.is_named:
        return PlanDepth.FULL
    amount = opportunity.amount_base or Decimal(0)
    if amount > TAS_FROM:
        return PlanDepth.TAS
    if amount >= ASSESSMENT_FROM:
        return PlanDepth.ASSESSMENT
    return PlanDepth.BASIC


class OpportunityPlan(models.Model):
    """One version of an opportunity's plan to win. Saving a change writes a new version,
    so an approval names exactly what the manager approved."""

    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.CASCADE,
                                    related_name="plans")
    version = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    win_strategy = models.TextField(SECTIONS["win_strategy"], blank=True)
    action_items = models.TextField(SECTIONS["action_items"], blank=True)
    assessment = models.TextField(SECTIONS["assessment"], blank=True)
    business_drivers_roi = models.TextField(SECTIONS["business_drivers_roi"], blank=True)
    solution_strategy = models.TextField(SECTIONS["solution_strategy"], blank=True)
    competitive_strategy = models.TextField(SECTIONS["competitive_strategy"], blank=True)
    decision_map = models.TextField(SECTIONS["decision_map"], blank=True)
    relationship_strategy = models.TextField(SECTIONS["relationship_strategy"], blank=True)
    risks = models.TextField(SECTIONS["risks"], blank=True)
    action_plan = models.TextField(SECTIONS["action_plan"], blank=True)

    class Meta:
        ordering = ["opportunity", "-version"]
        verbose_name = _("opportunity plan")
        verbose_name_plural = _("opportunity plans")
        constraints = [models.UniqueConstraint(fields=["opportunity", "version"],
                                               name="opportunity_plan_version_unique")]

    def __str__(self):
        return f"{self.opportunity} v{self.version}"

    def missing_sections(self, depth: str) -> list[str]:
        return [name for name in REQUIRED_SECTIONS[depth] if not getattr(self, name).strip()]
