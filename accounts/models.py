from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from osp.models import ExternalRecord, TimeStamped


class Territory(TimeStamped):
    """A sales territory; territories form a tree (region > country > city...)."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="territories",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="territory_unique_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territory-detail", args=[self.pk])

    def clean(self):
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A territory cannot sit inside itself or its own sub-territory.")}
                )
            seen.add(node.pk)
            node = node.parent


class Industry(models.TextChoices):
    FINANCE = "financial_services", _("Financial services")
    TELECOM = "telecom", _("Telecommunications")
    GOVERNMENT = "government", _("Government")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    ENERGY = "energy", _("Energy and utilities")
    RETAIL = "retail", _("Retail")
    HEALTHCARE = "healthcare", _("Healthcare")
    TRANSPORT = "transport", _("Transport and logistics")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    SMALL = "small", _("Under 200 employees")
    MEDIUM = "medium", _("200–1,000 employees")
    LARGE = "large", _("1,000–10,000 employees")
    ENTERPRISE = "enterprise", _("Over 10,000 employees")


class Account(ExternalRecord):
    """A customer. Its profile follows the methodology's customer profile (step 1 tools):
    industry, size, business situation, goals, IT base and funding."""

    SYNCED_FIELDS = ("name", "territory", "owner", "industry", "size", "is_named",
                     "is_strategic", "website", "business_situation", "goals", "it_base",
                     "funding")

    name = models.CharField(_("name"), max_length=200)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="accounts",
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices,
                                default=Industry.OTHER)
    size = models.CharField(_("size"), max_length=20, choices=CompanySize.choices, blank=True)
    is_named = models.BooleanField(_("named account"), default=False)
    is_strategic = models.BooleanField(_("strategic account"), default=False)
    website = models.URLField(_("website"), blank=True)
    business_situation = models.TextField(_("business situation and planning"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    it_base = models.TextField(_("IT base"), blank=True)
    funding = models.TextField(_("funding and spending"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="account_unique_external_id",
            )
        ]
        # Lists sorted by account name (accounts, and opportunities by their account's
        # name: a director's 1.1 s -> 50 ms, walking accounts in order to their deals).
        indexes = [models.Index(fields=["name", "id"], name="account_name_id")]

    def __str__(self):
        return self.name

    def soft_delete_blockers(self) -> list[str]:
        return [_("opportunities")] if self.opportunities.exists() else []  # live ones

    def soft_delete_dependents(self, now) -> None:
        for contact in self.contacts.select_for_update():  # on_delete=CASCADE
            contact.deleted_at = now
            contact.save()

    def get_absolute_url(self):
        return reverse("account-detail", args=[self.pk])


class PartnerType(models.TextChoices):
    SYSTEM_INTEGRATOR = "system_integrator", _("System integrator")
    ISV = "isv", _("Independent software vendor")
    RESELLER = "reseller", _("Reseller / distributor")
    CONSULTANT = "consultant", _("Consultant")


class Partner(ExternalRecord):
    """A partner company, with the partner analysis of step 1 (core competences,
    solution areas); its owner is usually from channel sales."""

    SYNCED_FIELDS = ("name", "type", "owner", "core_competences", "solution_areas", "website")

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=PartnerType.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="partners",
    )
    core_competences = models.TextField(_("core competences"), blank=True)
    solution_areas = models.TextField(_("solution areas"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="partner_unique_external_id",
            )
        ]

    def __str__(self):
        return self.name

    def soft_delete_blockers(self) -> list[str]:
        live = self.deals.filter(opportunity__deleted_at__isnull=True)
        return [_("opportunities")] if live.exists() else []

    def soft_delete_dependents(self, now) -> None:
        for contact in self.contacts.select_for_update():  # on_delete=CASCADE
            contact.deleted_at = now
            contact.save()

    def get_absolute_url(self):
        return reverse("partner-detail", args=[self.pk])


class BuyingRole(models.TextChoices):
    """The contact's role in the customer's decision (the decision map)."""

    TECHNICAL_LEAD = "technical_lead", _("Technical lead")
    BUSINESS_LEAD = "business_lead", _("Business lead / executive sponsor")
    CHAMPION = "champion", _("Champion / internal supporter")
    EVALUATOR = "evaluator", _("Evaluator")
    INFLUENCER = "influencer", _("Influencer")
    PROCUREMENT = "procurement", _("Procurement")
    USER = "user", _("User")


class Influence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", _("Supports us")
    NEUTRAL = "neutral", _("Neutral")
    SKEPTIC = "skeptic", _("Skeptical")
    OPPONENT = "opponent", _("Favours a competitor")
    UNKNOWN = "unknown", _("Unknown")


class Contact(ExternalRecord):
    """A person at a customer account (its org chart, through `reports_to`) or at a
    partner. Exactly one of `account` and `partner` is set."""

    SYNCED_FIELDS = ("account", "partner", "first_name", "last_name", "title", "department",
                     "email", "phone", "reports_to", "buying_role", "influence", "attitude",
                     "notes")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="contacts",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="contacts",
    )
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80)
    title = models.CharField(_("title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reports_to = models.ForeignKey(
        "self", verbose_name=_("reports to"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="direct_reports",
    )
    buying_role = models.CharField(_("buying role"), max_length=20, choices=BuyingRole.choices,
                                   blank=True)
    influence = models.CharField(_("level of influence"), max_length=10,
                                 choices=Influence.choices, blank=True)
    attitude = models.CharField(_("attitude toward us"), max_length=10,
                                choices=Attitude.choices, default=Attitude.UNKNOWN)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(account__isnull=False, partner__isnull=True)
                           | Q(account__isnull=True, partner__isnull=False)),
                name="contact_of_account_or_partner",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="contact_unique_external_id",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self):
        return reverse("contact-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if bool(self.account_id) == bool(self.partner_id):
            errors["account"] = _("A contact belongs to exactly one account or one partner.")
        if self.reports_to_id:
            boss = self.reports_to
            if (boss.account_id, boss.partner_id) != (self.account_id, self.partner_id):
                errors["reports_to"] = _("A contact can only report to someone in the same "
                                         "organisation.")
            else:
                node, seen = boss, set()
                while node is not None and node.pk not in seen:
                    if self.pk is not None and node.pk == self.pk:
                        errors["reports_to"] = _("This would make the org chart a loop.")
                        break
                    seen.add(node.pk)
                    node = node.reports_to
        if errors:
            raise ValidationError(errors)
