from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from osp.models import TimeStamped


class PlanSettings(models.Model):
    """Plan depth thresholds in the base currency (METHODOLOGY.md §4 step 3); one row,
    edited by an administrator."""

    assessment_from = models.DecimalField(
        _("the opportunity assessment is required from"), max_digits=14, decimal_places=2,
        default=Decimal("50000"), validators=[MinValueValidator(Decimal("0"))])
    tas_from = models.DecimalField(
        _("the TAS opportunity plan is required above"), max_digits=14, decimal_places=2,
        default=Decimal("100000"), validators=[MinValueValidator(Decimal("0"))])
    review_grace_days = models.PositiveSmallIntegerField(
        _("days into a quarter before an unreviewed plan is overdue"), default=30)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("days overdue before the manager is told"), default=14)

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self):
        return str(_("Plan settings"))

    @classmethod
    def current(cls) -> "PlanSettings":
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


def required_depth(opportunity, thresholds: PlanSettings | None = None) -> str:
    """The plan depth a deal needs: by its base-currency amount, or the full plan on a
    strategic or named account."""
    account = opportunity.account
    if account.is_strategic or account.is_named:
        return PlanDepth.FULL
    thresholds = thresholds or PlanSettings.current()
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


# --- Territory, account and partner plans (step 1) ----------------------------------

class PlanKind(models.TextChoices):
    TERRITORY = "territory", _("Territory plan")
    ACCOUNT = "account", _("Account plan")
    PARTNER = "partner", _("Partner plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


# The written sections of each kind of plan (METHODOLOGY.md §5). Figures such as quota
# attainment, named accounts, the org chart and the pipeline are pulled live, not typed.
PLAN_SECTIONS = {
    "coverage": _("Coverage"),
    "strengths": _("SWOT: strengths"),
    "weaknesses": _("SWOT: weaknesses"),
    "opportunities": _("SWOT: opportunities"),
    "threats": _("SWOT: threats"),
    "major_partners": _("Major channels and partners"),
    "strategy": _("Strategy and planning, including spending"),
    "partners_and_solutions": _("Partners and key solutions"),
    "competition": _("Competition and our position"),
    "joint_targets": _("Joint targets and opportunities"),
    "rules_of_engagement": _("Rules of engagement"),
    "how_to_exceed": _("How to exceed the target"),
    "issues_and_help": _("Issues and help needed"),
}
SECTIONS_BY_KIND = {
    PlanKind.TERRITORY: ["coverage", "strengths", "weaknesses", "opportunities", "threats",
                         "major_partners", "how_to_exceed", "issues_and_help"],
    PlanKind.ACCOUNT: ["strategy", "partners_and_solutions", "competition", "how_to_exceed",
                       "issues_and_help"],
    PlanKind.PARTNER: ["coverage", "joint_targets", "rules_of_engagement", "how_to_exceed",
                       "issues_and_help"],
}


class Plan(TimeStamped):
    """A territory, account or partner plan: written by its owner, approved by the
    manager, reviewed every fiscal quarter."""

    kind = models.CharField(_("kind"), max_length=10, choices=PlanKind.choices)
    territory = models.ForeignKey("accounts.Territory", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="plans")
    account = models.ForeignKey("accounts.Account", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="plans")
    partner = models.ForeignKey("accounts.Partner", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="plans")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    fiscal_year_target = models.DecimalField(
        _("target for the fiscal year"), max_digits=14, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(Decimal("0"))])
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    approved_at = models.DateTimeField(_("last approved"), null=True, blank=True)
    manager_comment = models.TextField(_("manager's comments"), blank=True)
    # Up by one on every saved edit: an edit made from an older copy is refused
    # (osp.concurrency), as for synced records' versions.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("last changed by"),
                                   null=True, blank=True, editable=False,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(name="plan_has_its_subject", condition=(
                Q(kind="territory", territory__isnull=False, account__isnull=True,
                  partner__isnull=True)
                | Q(kind="account", account__isnull=False, territory__isnull=True,
                    partner__isnull=True)
                | Q(kind="partner", partner__isnull=False, territory__isnull=True,
                    account__isnull=True))),
            models.UniqueConstraint(fields=["territory"], condition=Q(kind="territory"),
                                    name="one_plan_per_territory"),
            models.UniqueConstraint(fields=["account"], condition=Q(kind="account"),
                                    name="one_plan_per_account"),
            models.UniqueConstraint(fields=["partner"], condition=Q(kind="partner"),
                                    name="one_plan_per_partner"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def subject(self):
        return self.territory or self.account or self.partner

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("plan-detail", args=[self.pk])

    def section_names(self) -> list[str]:
        return SECTIONS_BY_KIND[self.kind]


class PlanVersion(models.Model):
    """What was submitted, frozen: every submitted version is kept, with the manager's
    decision, so two versions (e.g. this quarter's and last) compare side by side."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("waiting for the manager")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("sent back")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("manager's comments"), blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="plan_version_unique")]

    def __str__(self):
        return f"{self.plan} v{self.number}"


class ActionItem(TimeStamped):
    """What, who (a colleague or a customer/partner contact), when, done — on a plan or
    an opportunity."""

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="action_items")
    opportunity = models.ForeignKey("opportunities.Opportunity", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="action_items")
    what = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who (colleague)"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="action_items")
    contact = models.ForeignKey("accounts.Contact", verbose_name=_("who (contact)"),
                                null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="action_items")
    due = models.DateField(_("when"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [models.CheckConstraint(
            name="action_item_on_plan_or_opportunity",
            condition=(Q(plan__isnull=False, opportunity__isnull=True)
                       | Q(plan__isnull=True, opportunity__isnull=False)))]

    def __str__(self):
        return self.what

    @property
    def who(self):
        return self.assignee or self.contact
