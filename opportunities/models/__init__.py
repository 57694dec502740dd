from decimal import Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Partner

# The app's models are in this package: the deal and its selling cycle here, the deal plan
# and assessment in deal_plan.py, the product catalogue and the deal's quote in quotes.py,
# the forecast category of each stage in stage_categories.py, the risk rules' settings in
# risk_rules.py, the append-only base of history in append_only.py (all re-exported, so
# `opportunities.models` names them all).
from opportunities.models.append_only import (  # noqa: F401 (re-exported)
    AppendOnly,
    AppendOnlyQuerySet,
)
from opportunities.models.deal_plan import (  # noqa: F401 (re-exported)
    REQUIRED_SECTIONS,
    SECTIONS,
    Answer,
    Assessment,
    AssessmentAnswer,
    AssessmentHeading,
    AssessmentQuestion,
    DealPlanSettings,
    OpportunityPlan,
    PlanDepth,
    needs_assessment,
    required_depth,
)
from opportunities.models.quotes import (  # noqa: F401 (re-exported)
    Product,
    Quote,
    QuoteLine,
    QuoteVersion,
)
from opportunities.models.risk_rules import RiskRuleSetting  # noqa: F401 (re-exported)
from opportunities.models.stage_categories import (  # noqa: F401 (re-exported)
    DEFAULT_CATEGORIES,
    FORECAST_OPEN,
    FORECAST_WON,
    Category,
    StageCategory,
    stages_in_categories,
)
from osp import permissions
from osp.models import ExternalRecord, TimeStamped
from osp.uploads import UploadedFileValidator
from osp.validators import prohibit_null_characters


class Stage(models.TextChoices):
    """The selling cycle (METHODOLOGY.md §3). `lead` is an opportunity still being
    qualified (before stage 2); `lost` and `no_go` end it outside the ladder."""

    LEAD = "lead", _("Lead")
    S2 = "2", _("2 · Project initiated")
    S3 = "3", _("3 · Plan approved")
    S4 = "4", _("4 · Executive sponsor")
    S5 = "5", _("5 · Short-listed")
    S6 = "6", _("6 · Technical win")
    S7 = "7", _("7 · Closes this quarter")
    S8 = "8", _("8 · Negotiation")
    S9 = "9", _("9 · PO received")
    S9_5 = "9.5", _("9.5 · Payment received")
    S10 = "10", _("10 · Booked")
    LOST = "lost", _("Lost")
    NO_GO = "no_go", _("No-go")


STAGE_VALUES = frozenset(Stage.values)


def stage_label_of(stage: str) -> str:
    return Stage(stage).label if stage in STAGE_VALUES else stage


# The stage sets, named once. Which forecast column a stage counts in is an
# administrator's setting instead (stage_categories.py, StageCategory).
LADDER = ["2", "3", "4", "5", "6", "7", "8", "9", "9.5", "10"]
SELLING_STAGES = ["lead", *LADDER[:7]]  # lead .. 8: still being sold, no PO yet
WON_STAGES = LADDER[7:]  # 9, 9.5, 10: the PO is in (then paid, then booked)
PIPELINE_STAGES = [*SELLING_STAGES, *WON_STAGES]  # every stage but lost and no-go
FINISHED_STAGES = ["10", "lost", "no_go"]  # booked or given up: nothing more to do
UNPAID_STAGES = [*SELLING_STAGES, "9"]  # lead .. 9: not yet paid (a PO may still be cancelled)
NEXT_STAGE = dict(zip(["lead", *LADDER[:-1]], LADDER, strict=True))
# Stages 4-6 move with the deal's situation (METHODOLOGY.md §3); 7 and 8 follow the
# customer: a purchase postponed takes a deal back from 7 to 6, a close that slips from
# 8 to 7. A person moves a deal back with a reason.
BACKWARD_MOVES = {"5": ["4"], "6": ["5", "4"], "7": ["6"], "8": ["7"]}
MOVES_WITH_SITUATION = ["4", "5", "6"]
FINANCE_STAGES = ["9.5", "10"]
LOSABLE = UNPAID_STAGES
NO_GO_FROM = ["lead", "2", "3", "4", "5", "6"]
# Criteria are re-checked while the deal is being sold; from the PO on (9) it is won and
# the ladder's earlier criteria (e.g. "closes this quarter") are history.
LIVE_CHECKED = SELLING_STAGES[1:]


# The process step (METHODOLOGY.md §4) a deal at each stage is in: the one that produces
# its next stage; closed deals are in step 8, account expansion.
STEP_FOR_STAGE = {"lead": 2, "2": 3, "3": 4, "4": 5, "5": 5, "6": 6, "7": 7, "8": 7, "9": 7,
                  "9.5": 7, "10": 8, "lost": 8, "no_go": 2}
# The Go/No-Go decision is taken in step 2 (qualify) and again in step 5 (validate).
GO_NO_GO_STEPS = (2, 5)


def stage_rank(stage: str) -> int:
    return LADDER.index(stage) + 1 if stage in LADDER else 0


def stages_from(stage: str) -> list[str]:
    """`stage` and the ladder's stages above it."""
    return LADDER[LADDER.index(stage):]


class HowChanged(models.TextChoices):
    PERSON = "person", _("by a person")
    APPROVAL = "approval", _("on the manager's approval")
    AUTOMATIC = "automatic", _("automatically")
    IMPORT = "import", _("imported")
    FINANCE = "finance", _("by finance")


# Who may make each move: the transitions' `permission=`, decided in osp.permissions
# (django-fsm calls them with the instance first). The selling cycle's services check them
# before a move (django-fsm itself does not), and the opportunity page offers the moves
# whose permission the user holds.

def _may_change(instance, user) -> bool:
    """A rep's moves: whoever may change the deal."""
    return permissions.can_change(user, instance)


def _marks_finance_stages(instance, user) -> bool:
    """9.5 and 10: finance's."""
    return permissions.can_mark_finance_stages(user)


def _may_reopen(instance, user) -> bool:
    """Lost or no-go back to lead: the owner's manager or above."""
    return permissions.can_reopen(user, instance)


def _gate_open(instance) -> bool:
    """Every criterion of every stage up to the next one holds (evaluated by the service
    just before the transition, under the row lock)."""
    evaluation = instance.evaluation()
    return not evaluation.unmet_up_to(NEXT_STAGE[instance.stage])


class LeadSource(models.TextChoices):
    INSIDE_SALES = "inside_sales", _("Inside sales")
    WEB = "web", _("Web")
    EVENT = "event", _("Event")
    PARTNER = "partner", _("Partner")
    MARKETING = "marketing", _("Marketing campaign")
    FIELD = "field", _("Field sales")


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of `currency` is worth."""

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    rate_to_base = models.DecimalField(
        _("rate to base currency"), max_digits=18, decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self):
        return f"1 {self.currency} = {self.rate_to_base} {settings.OSP_BASE_CURRENCY}"


class Competitor(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self):
        return self.name

    @classmethod
    def name_errors(cls, name: str) -> list[str]:
        """Why `name` cannot name a competitor (none: it can). Asked before a service adds
        one, so that a refused name writes nothing."""
        try:
            prohibit_null_characters(name)
            cls(name=name).clean_fields()
        except ValidationError as e:
            return e.messages
        return []


class Opportunity(fsm.ConcurrentTransitionMixin, ExternalRecord):
    SYNCED_FIELDS = ("name", "account", "owner", "stage", "amount", "currency",
                     "expected_close_date", "lead_source", "next_step", "description",
                     "why_do_it", "why_now", "pains", "budget", "procurement_process",
                     "po_number", "po_date", "po_amount")

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="opportunities",
    )
    # Only transitions may write the stage (protected=True); see the selling-cycle services.
    stage = fsm.FSMField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.LEAD,
                         protected=True, db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3)
    # The amount in the base currency at the rate in force when it was last set, so
    # rollups add like with like without a join.
    amount_base = models.DecimalField(_("amount in base currency"), max_digits=16,
                                      decimal_places=2, editable=False)
    # Indexed with the id (Meta.indexes): lists page by (expected close date, id).
    expected_close_date = models.DateField(_("expected close date"))
    lead_source = models.CharField(_("lead source"), max_length=20, choices=LeadSource.choices,
                                   default=LeadSource.FIELD)
    why_do_it = models.TextField(_("business drivers: why do it"), blank=True)
    why_now = models.TextField(_("business drivers: why now"), blank=True)
    pains = models.TextField(_("customer pains"), blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True,
                                 blank=True, validators=[MinValueValidator(Decimal("0"))])
    procurement_process = models.TextField(_("procurement process"), blank=True)
    description = models.TextField(_("description"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    competitors = models.ManyToManyField(Competitor, verbose_name=_("competitors"), blank=True,
                                         related_name="opportunities")
    # What approvals and gates look at (stages 6, 7 and 9).
    quoted_amount = models.DecimalField(_("initial quote"), max_digits=14, decimal_places=2,
                                        null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0"))])
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    commercial_terms = models.TextField(_("commercial terms"), blank=True)
    po_number = models.CharField(_("PO number"), max_length=60, blank=True)
    po_date = models.DateField(_("PO date"), null=True, blank=True)
    po_amount = models.DecimalField(_("PO amount"), max_digits=14, decimal_places=2, null=True,
                                    blank=True, validators=[MinValueValidator(Decimal("0"))])
    # Kept by the selling-cycle services, never by forms.
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, editable=False)
    # When the PO came in (stage 9) and when finance booked it (stage 10): won and booked
    # deals are forecast in the period of these dates, not of the expected close date.
    won_on = models.DateField(_("won on"), null=True, editable=False, db_index=True)
    close_date_pushes = models.PositiveSmallIntegerField(
        _("times the close date was pushed out"), default=0, editable=False)
    booked_on = models.DateField(_("booked on"), null=True, editable=False, db_index=True)
    flagged_criteria = models.JSONField(_("criteria that stopped holding"), default=list,
                                        blank=True, editable=False)
    loss_reason = models.TextField(_("loss reason"), blank=True, editable=False)
    winning_competitor = models.ForeignKey(
        Competitor, verbose_name=_("winning competitor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="wins_against_us", editable=False)
    no_go_rationale = models.TextField(_("Go/No-Go rationale"), blank=True, editable=False)

    class Meta:
        ordering = ["expected_close_date", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="opportunity_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "stage"], name="opportunity_owner_stage"),
            # The pipeline board (issue #7): its per-stage totals for a team read only this
            # index (index-only scan), and each column's largest deals walk the next one.
            models.Index(fields=["owner", "stage", "amount_base"],
                         condition=Q(deleted_at__isnull=True),
                         name="opportunity_live_owner_stage"),
            models.Index(fields=["stage", "-amount_base"], condition=Q(deleted_at__isnull=True),
                         name="opportunity_live_stage_amount"),
            # Which accounts a team's deals are with (account visibility), from this index
            # alone.
            models.Index(fields=["owner", "account"], condition=Q(deleted_at__isnull=True),
                         name="opportunity_live_owner_account"),
            # The orders the list and the API page by (keyset: column, then id), so that a
            # page, however deep, is a short index range instead of a sort of every visible
            # deal.
            models.Index(fields=["expected_close_date", "id"], name="opportunity_close_id"),
            models.Index(fields=["name", "id"], name="opportunity_name_id"),
            models.Index(fields=["amount_base", "id"], name="opportunity_amount_id"),
            models.Index(fields=["stage", "id"], name="opportunity_stage_id"),
            models.Index(fields=["created_at", "id"], name="opportunity_created_id"),
            models.Index(fields=["updated_at", "id"], name="opportunity_updated_id"),
        ]
        permissions = [("import_stage", _("Can create opportunities above lead (import)"))]

    def __str__(self):
        return self.name

    def soft_delete_dependents(self, now) -> None:
        # A deleted deal asks nobody for anything any more.
        self.approval_requests.filter(status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.WITHDRAWN, updated_at=now)

    def get_absolute_url(self):
        return reverse("opportunity-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.stage not in (Stage.LOST, Stage.NO_GO)

    @property
    def stage_label(self) -> str:
        """get_stage_display() for lists: that one hashes every choice's lazy label on each
        call (about 50 µs, on every row of a page)."""
        return stage_label_of(self.stage)

    @property
    def is_won(self):
        return self.stage in WON_STAGES

    def evaluation(self):
        """The gate criteria as they stand (cached until `forget_evaluation`)."""
        if getattr(self, "_evaluation", None) is None:
            # Imported here: the criteria read these models (a cycle inside the app).
            from opportunities.criteria import evaluate

            self._evaluation = evaluate(self)
        return self._evaluation

    def forget_evaluation(self):
        self._evaluation = None

    # --- The selling cycle. Only opportunities.selling_cycle calls these, under a row
    # lock, after checking who may make the move (django-fsm does not check permission=).
    # `custom["move"]` names the opportunity page's button for a person's move
    # (opportunities.selectors.stage_panel); the automatic moves and the import have none.

    @fsm.transition(field=stage, source=["lead", *LADDER[:7]],
                    target=fsm.RETURN_VALUE(*LADDER[:8]), conditions=[_gate_open],
                    permission=_may_change, custom={"move": "advance"})
    def advance(self):
        return NEXT_STAGE[self.stage]

    @fsm.transition(field=stage, source="9", target="9.5", conditions=[_gate_open],
                    permission=_marks_finance_stages, custom={"move": "advance"})
    def record_payment(self):
        pass

    @fsm.transition(field=stage, source="9.5", target="10", conditions=[_gate_open],
                    permission=_marks_finance_stages, custom={"move": "advance"})
    def book(self):
        pass

    @fsm.transition(field=stage, source=list(BACKWARD_MOVES),
                    target=fsm.RETURN_VALUE("4", "5", "6", "7"), permission=_may_change,
                    custom={"move": "back"})
    def move_back(self, to):
        if to not in BACKWARD_MOVES[self.stage]:
            raise fsm.TransitionNotAllowed(f"cannot move back from {self.stage} to {to}")
        return to

    # Automatic: the criteria no longer hold (opportunity_recheck); nobody's move.
    @fsm.transition(field=stage, source=MOVES_WITH_SITUATION,
                    target=fsm.RETURN_VALUE("3", "4", "5"))
    def fall_back(self, to):
        return to

    # Automatic: a stage-7 deal that did not close in its quarter; nobody's move.
    @fsm.transition(field=stage, source="7", target="6")
    def slip(self):
        pass

    @fsm.transition(field=stage, source=LOSABLE, target=Stage.LOST,
                    permission=_may_change, custom={"move": "lose"})
    def lose(self):
        pass

    @fsm.transition(field=stage, source=NO_GO_FROM, target=Stage.NO_GO,
                    permission=_may_change, custom={"move": "no_go"})
    def decide_no_go(self):
        pass

    @fsm.transition(field=stage, source=[Stage.LOST, Stage.NO_GO], target=Stage.LEAD,
                    permission=_may_reopen, custom={"move": "reopen"})
    def reopen(self):
        pass

    # An import (another system's history) may place a deal anywhere, closed ones included.
    # Who may depends on where it lands (permissions.can_import: 9.5 and 10 also finance),
    # which a permission= cannot see: opportunity_import_at asks can_import itself.
    @fsm.transition(field=stage, source=Stage.LEAD,
                    target=fsm.RETURN_VALUE(*LADDER, Stage.LOST, Stage.NO_GO))
    def import_at(self, to):
        return to


class DealPartnerRole(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    INTEGRATOR = "integrator", _("System integrator")
    ISV = "isv", _("ISV")
    CONSULTANT = "consultant", _("Consultant")
    INFLUENCER = "influencer", _("Influencer")


class OpportunityPartner(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="deal_partners")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="deals")
    role = models.CharField(_("role on the deal"), max_length=20,
                            choices=DealPartnerRole.choices)

    class Meta:
        verbose_name = _("partner on the deal")
        verbose_name_plural = _("partners on the deal")
        constraints = [models.UniqueConstraint(fields=["opportunity", "partner", "role"],
                                               name="opportunity_partner_unique")]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"


class TeamRole(models.TextChoices):
    PRESALES = "presales", _("Presales engineer (SE)")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")
    CHANNEL = "channel", _("Channel sales")
    STRATEGY_TEAM = "strategy_team", _("Strategy & Architecture Team")
    INSIDE_SALES = "inside_sales", _("Inside sales")
    SALES = "sales", _("Sales")


class OpportunityTeamMember(models.Model):
    """A colleague working the deal; team members see and edit the opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("colleague"),
                             on_delete=models.CASCADE, related_name="opportunity_teams")
    role = models.CharField(_("role"), max_length=30, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["opportunity", "user"],
                                               name="opportunity_team_member_unique")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    WORKSHOP = "workshop", _("Workshop")
    DEMO = "demo", _("Demo / proof of concept")


class Activity(TimeStamped):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="activities")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices,
                            default=ActivityKind.NOTE)
    occurred_on = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.subject


# --- The selling cycle's records -----------------------------------------------------

class GoDecision(AppendOnly):
    """Going on with the deal, decided at a Go/No-Go step (2 or 5): who, when and why. The
    other half, No-Go, is the move to `no_go` with its rationale."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="go_decisions")
    step = models.PositiveSmallIntegerField(_("step"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("decided"), auto_now_add=True)
    rationale = models.TextField(_("why go on"), validators=[prohibit_null_characters])

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Go decision")
        verbose_name_plural = _("Go decisions")

    def __str__(self):
        return f"{self.opportunity_id} Go @ step {self.step}"


class StageChange(AppendOnly):
    """One move of an opportunity's stage: who, when, from, to, why and how."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=8, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=8, choices=Stage.choices)
    how = models.CharField(_("how"), max_length=10, choices=HowChanged.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    # The criteria that held when the stage was entered: the audit of the gate.
    criteria_met = models.JSONField(_("criteria met"), default=list)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.opportunity_id}: {self.from_stage} → {self.to_stage}"


def evidence_path(instance, filename):
    return f"evidence/{instance.opportunity_id}/{filename}"


class Attestation(AppendOnly):
    """A person confirms (or withdraws) an attested criterion, naming the customer contact
    it refers to, the date, and optionally evidence."""

    class Action(models.TextChoices):
        ATTEST = "attest", _("confirmed")
        WITHDRAW = "withdraw", _("withdrawn")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="attestations")
    criterion = models.CharField(_("criterion"), max_length=40, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    note = models.TextField(_("note"))
    # The link may be cleared if the contact is deleted later; the name stays as recorded.
    contact = models.ForeignKey("accounts.Contact", verbose_name=_("customer contact"),
                                null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="attestations")
    contact_name = models.CharField(_("customer contact"), max_length=200, blank=True)
    occurred_on = models.DateField(_("date"))
    evidence_url = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=evidence_path, blank=True,
        validators=[UploadedFileValidator()])
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self):
        return f"{self.criterion} {self.action}"


class ApprovalKind(models.TextChoices):
    OPPORTUNITY_PLAN = "opportunity_plan", _("Opportunity plan (stage 3)")
    QUOTING_STRATEGY = "quoting_strategy", _("Quoting strategy (stage 6)")
    PRICE_TERMS = "price_terms", _("Price, discount and commercial terms (stage 7)")
    RESOURCE = "resource", _("Resource request")


class ResourceType(models.TextChoices):
    STRATEGY_TEAM = "strategy_team", _("Strategy & Architecture Team")
    PRESALES = "presales", _("Presales engineer (SE)")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the manager")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("sent back")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ApprovalRequest(TimeStamped):
    """A rep asks their manager to approve a stage-gating decision (stages 3, 6, 7) or to
    lend a resource. `approved_facts` records what was approved, so a material change
    afterwards makes the approval stale."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="approval_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=ApprovalKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"),
                                 on_delete=models.PROTECT, related_name="approvals_to_decide")
    # The approver who is away, while the next one up holds the request; it goes back to
    # them when they return.
    routed_from = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("while away"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING, db_index=True)
    comment = models.TextField(_("request"), blank=True)
    approved_facts = models.JSONField(_("what is to be approved"), default=dict)
    # Resource requests only.
    resource_type = models.CharField(_("resource"), max_length=30, choices=ResourceType.choices,
                                     blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    short_notice = models.BooleanField(_("asked less than two weeks ahead"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.opportunity}"


class ApprovalDecision(AppendOnly):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("approve")
        REJECT = "reject", _("reject")
        RETURN = "return", _("send back")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT,
                                related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")

    def __str__(self):
        return f"{self.get_decision_display()} ({self.by})"


class FinanceRecord(AppendOnly):
    """What finance records for stages 9.5 (payment received) and 10 (booked)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment received")
        BOOKING = "booking", _("Booked as sales achievement")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="finance_records")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=80)
    period = models.CharField(_("booking period"), max_length=20, blank=True,
                              help_text=_("e.g. FY2026 Q4"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    received_on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finance record")
        verbose_name_plural = _("finance records")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference}"


class WinLossAnalysis(TimeStamped):
    """Why we won or lost, against whom, what to repeat or avoid (step 7 and 8)."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE,
                                       related_name="win_loss")
    why = models.TextField(_("why we won or lost"))
    against = models.ForeignKey(Competitor, verbose_name=_("against"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    repeat_or_avoid = models.TextField(_("what to repeat or avoid"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("win/loss analysis")
        verbose_name_plural = _("win/loss analyses")


class ServicesHandover(TimeStamped):
    """The hand-over of a won deal to professional services."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE,
                                       related_name="handover")
    scope = models.TextField(_("service scope"))
    acceptance_terms = models.TextField(_("acceptance terms"))
    services_owner = models.ForeignKey(settings.AUTH_USER_MODEL,
                                       verbose_name=_("professional-services owner"),
                                       on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("services hand-over")
        verbose_name_plural = _("services hand-overs")


class StepGuide(models.Model):
    """What the page shows for a process step: content an administrator edits (one item a
    line), in English and Simplified Chinese."""

    step = models.PositiveSmallIntegerField(_("step"), unique=True,
                                            validators=[MinValueValidator(1),
                                                        MaxValueValidator(8)])
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_zh = models.TextField(_("definition (Chinese)"), blank=True)
    results_en = models.TextField(_("results (English)"), blank=True)
    results_zh = models.TextField(_("results (Chinese)"), blank=True)
    checklist_en = models.TextField(_("checklist (English)"), blank=True)
    checklist_zh = models.TextField(_("checklist (Chinese)"), blank=True)
    practices_en = models.TextField(_("recommended practices (English)"), blank=True)
    practices_zh = models.TextField(_("recommended practices (Chinese)"), blank=True)
    problems_en = models.TextField(_("common problems (English)"), blank=True)
    problems_zh = models.TextField(_("common problems (Chinese)"), blank=True)
    questions_en = models.TextField(_("manager's coaching questions (English)"), blank=True)
    questions_zh = models.TextField(_("manager's coaching questions (Chinese)"), blank=True)

    class Meta:
        ordering = ["step"]
        verbose_name = _("step guide")
        verbose_name_plural = _("step guides")

    def __str__(self):
        return f"{self.step}. {self.title_en}"

    def localized(self, field: str, language: str) -> str:
        zh = language.startswith("zh")
        return getattr(self, f"{field}_{'zh' if zh else 'en'}") or getattr(self, f"{field}_en")

    def items(self, field: str, language: str) -> list[str]:
        return [line.strip() for line in self.localized(field, language).splitlines()
                if line.strip()]


def tool_path(instance, filename):
    return f"sales-tools/step-{instance.step_id}/{filename}"


class SalesTool(models.Model):
    """A file for a step (plan template, proposal template, quotation form...)."""

    step = models.ForeignKey(StepGuide, on_delete=models.CASCADE, related_name="tools")
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120, blank=True)
    file = models.FileField(_("file"), upload_to=tool_path, blank=True)

    class Meta:
        ordering = ["step", "title_en"]
        verbose_name = _("sales tool")
        verbose_name_plural = _("sales tools")

    def __str__(self):
        return self.title_en

    def title(self, language: str) -> str:
        return (self.title_zh if language.startswith("zh") and self.title_zh
                else self.title_en)


