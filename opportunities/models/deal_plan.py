"""The deal plan (METHODOLOGY.md §4 step 3): how deep a plan a deal needs, its versions,
and the opportunity assessment (the 20 TAS questions). It feeds the stage-3 gate, so it
lives with the selling cycle."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DealPlanSettings(models.Model):
    """How deep a plan a deal needs, by its amount in the base currency (METHODOLOGY.md §4
    step 3); one row, edited by an administrator."""

    assessment_from = models.DecimalField(
        _("the opportunity assessment is required from"), max_digits=14, decimal_places=2,
        default=Decimal("50000"), validators=[MinValueValidator(Decimal("0"))])
    tas_from = models.DecimalField(
        _("the TAS opportunity plan is required above"), max_digits=14, decimal_places=2,
        default=Decimal("100000"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("deal plan settings")
        verbose_name_plural = _("deal plan settings")

    def __str__(self):
        return str(_("Deal plan settings"))

    @classmethod
    def current(cls) -> "DealPlanSettings":
        return cls.objects.first() or cls()


class PlanDepth(models.TextChoices):
    BASIC = "basic", _("Win strategy and action items (under 50K)")
    ASSESSMENT = "assessment", _("Plus the opportunity assessment (50K–100K)")
    TAS = "tas", _("Short TAS opportunity plan (over 100K)")
    FULL = "full", _("Full TAS plan (strategic or named account)")


SECTIONS = {
    "win_strategy": _("Win strategy"),
    "action_items": _("Action items"),
    "business_drivers_roi": _("Business drivers and return on investment"),
    "solution_strategy": _("Solution strategy"),
    "competitive_strategy": _("Competitive strategy"),
    "decision_map": _("Decision map: everyone who influences the decision"),
    "relationship_strategy": _("Relationship strategy per key player"),
    "risks": _("Risks and countermeasures"),
    "action_plan": _("Action plan with a timeline"),
}
# The assessment (20 questions) is its own record, see Assessment; from the ASSESSMENT depth
# on, a complete one is required too.
REQUIRED_SECTIONS = {
    PlanDepth.BASIC: ["win_strategy", "action_items"],
    PlanDepth.ASSESSMENT: ["win_strategy", "action_items"],
    PlanDepth.TAS: ["win_strategy", "action_items", "business_drivers_roi",
                    "solution_strategy", "competitive_strategy", "decision_map",
                    "relationship_strategy", "risks", "action_plan"],
    PlanDepth.FULL: list(SECTIONS),
}


def required_depth(opportunity, thresholds: DealPlanSettings | None = None) -> str:
    """The plan depth a deal needs: by its base-currency amount, or the full plan on a
    strategic or named account."""
    account = opportunity.account
    if account.is_strategic or account.is_named:
        return PlanDepth.FULL
    thresholds = thresholds or DealPlanSettings.current()
    amount = opportunity.amount_base or Decimal(0)
    if amount > thresholds.tas_from:
        return PlanDepth.TAS
    if amount >= thresholds.assessment_from:
        return PlanDepth.ASSESSMENT
    return PlanDepth.BASIC


def needs_assessment(depth: str) -> bool:
    return depth != PlanDepth.BASIC


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
    business_drivers_roi = models.TextField(SECTIONS["business_drivers_roi"], blank=True)
    solution_strategy = models.TextField(SECTIONS["solution_strategy"], blank=True)
    competitive_strategy = models.TextField(SECTIONS["competitive_strategy"], blank=True)
    decision_map = models.TextField(SECTIONS["decision_map"], blank=True)
    relationship_strategy = models.TextField(SECTIONS["relationship_strategy"], blank=True)
    risks = models.TextField(SECTIONS["risks"], blank=True)
    action_plan = models.TextField(SECTIONS["action_plan"], blank=True)
    # The rules in force when this version was written: the depth thresholds and the codes
    # of the assessment questions then in use. An administrator's later change of either
    # applies to the deal from its next version on, never to a version already written
    # (empty only on rows older than these fields: they follow today's rules).
    assessment_from = models.DecimalField(
        _("assessment required from (when written)"), max_digits=14, decimal_places=2,
        null=True, blank=True, editable=False)
    tas_from = models.DecimalField(
        _("TAS plan required above (when written)"), max_digits=14, decimal_places=2,
        null=True, blank=True, editable=False)
    assessment_questions = models.JSONField(
        _("assessment questions in use (when written)"), null=True, blank=True,
        editable=False)

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

    def thresholds(self) -> DealPlanSettings:
        """The depth thresholds this version was written under."""
        if self.assessment_from is None or self.tas_from is None:
            return DealPlanSettings.current()
        return DealPlanSettings(assessment_from=self.assessment_from, tas_from=self.tas_from)

    def record_rules_in_force(self) -> None:
        """Keep, on a version being written, the thresholds and questions in use now."""
        current = DealPlanSettings.current()
        self.assessment_from, self.tas_from = current.assessment_from, current.tas_from
        self.assessment_questions = list(
            AssessmentQuestion.objects.filter(is_active=True).values_list("code", flat=True))

    def depth(self) -> str:
        """The depth the deal needs under the rules this version was written under."""
        return required_depth(self.opportunity, self.thresholds())


# --- The opportunity assessment (TAS 20 questions) ----------------------------------

class AssessmentHeading(models.TextChoices):
    OPPORTUNITY = "opportunity", _("Is there an opportunity?")
    COMPETE = "compete", _("Can we compete?")
    WIN = "win", _("Can we win?")
    WORTH = "worth", _("Is it worth winning?")


class AssessmentQuestion(models.Model):
    """One question of the bank; an administrator edits the bank."""

    code = models.CharField(_("code"), max_length=60, unique=True)  # e.g. "win.champion"
    heading = models.CharField(_("heading"), max_length=20, choices=AssessmentHeading.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("assessment question")
        verbose_name_plural = _("assessment questions")

    def __str__(self):
        return self.text_en

    def text(self, language: str) -> str:
        return self.text_zh if language.startswith("zh") and self.text_zh else self.text_en


class Assessment(models.Model):
    """One answering of the questions, for us or as we judge a competitor, at the stage
    the deal was in: kept as a history so assessments at different stages compare."""

    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.CASCADE,
                                    related_name="assessments")
    competitor = models.ForeignKey("opportunities.Competitor", verbose_name=_("competitor"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+",
                                   help_text=_("Empty: the assessment of our own position."))
    stage = models.CharField(_("stage"), max_length=8)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity assessment")
        verbose_name_plural = _("opportunity assessments")

    def __str__(self):
        return f"{self.opportunity} @ {self.stage}"


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", pgettext_lazy("assessment answer", "Unknown")


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AssessmentQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "question"],
                                               name="assessment_answer_once")]

    def __str__(self):
        return f"{self.question_id}: {self.answer}"
