from decimal import Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Partner
from osp.models import ExternalRecord, TimeStamped


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


OPEN_STAGES = [s.value for s in Stage if s not in (Stage.LOST, Stage.NO_GO)]


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


class Opportunity(fsm.ConcurrentTransitionMixin, ExternalRecord):
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
    expected_close_date = models.DateField(_("expected close date"), db_index=True)
    lead_source = models.CharField(_("lead source"), max_length=20, choices=LeadSource.choices,
                                   default=LeadSource.FIELD)
    why_do_it = models.TextField(_("business drivers: why do it"), blank=True)
    why_now = models.TextField(_("business drivers: why now"), blank=True)
    pains = models.TextField(_("customer pains"), blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True,
                                 blank=True, validators=[MinValueValidator(Decimal("0"))])
    procurement_process = models.TextField(_("procurement process"), blank=True)
    description = models.TextField(_("description"), blank=True)
    competitors = models.ManyToManyField(Competitor, verbose_name=_("competitors"), blank=True,
                                         related_name="opportunities")

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
        indexes = [models.Index(fields=["owner", "stage"], name="opportunity_owner_stage")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("opportunity-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.stage not in (Stage.LOST, Stage.NO_GO)


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
