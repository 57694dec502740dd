from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from osp.models import TimeStamped


class PlanSettings(models.Model):
    """When territory, account and partner plans are due for review, and when an overdue
    one is escalated; one row, edited by an administrator. (How deep a deal's plan must be
    is `opportunities.DealPlanSettings`.)"""

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
