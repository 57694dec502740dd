from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The people of the methodology (METHODOLOGY.md §2) who use OSP."""

    SALES_REP = "sales_rep", _("Sales representative")
    PRESALES = "presales", _("Presales engineer")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    INSIDE_SALES = "inside_sales", _("Inside sales")
    CHANNEL_SALES = "channel_sales", _("Channel sales")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Administrator")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ExternalRecord(TimeStamped):
    """A record that an integration client may know by its own key (e.g. a Siebel ROW_ID)."""

    source = models.CharField(
        _("source system"), max_length=50, blank=True, help_text=_("e.g. siebel-prod")
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    class Meta:
        abstract = True


def validate_roles(value):
    if not isinstance(value, list):
        raise ValidationError(_("Roles must be a list."))
    unknown = [r for r in value if r not in Role.values]
    if unknown:
        raise ValidationError(
            _("Unknown role(s): %(roles)s."), params={"roles": ", ".join(map(str, unknown))}
        )


class User(AbstractUser):
    """A person at our company. Roles say what they do; `manager` forms the hierarchy
    that decides whose records a manager sees and who approves what."""

    roles = models.JSONField(_("roles"), default=list, blank=True, validators=[validate_roles])
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    # An absent manager's approvals go to the next one up.
    is_away = models.BooleanField(_("away (approvals go to the next manager up)"),
                                  default=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]

    def clean(self):
        super().clean()
        from osp.services import manager_cycle_error

        error = manager_cycle_error(user=self, manager=self.manager)
        if error:
            raise ValidationError({"manager": error})


class Notification(models.Model):
    """Something a person must know: a deal moved back by itself, a criterion that stopped
    holding, an approval waiting or decided."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    opportunity = models.ForeignKey("opportunities.Opportunity", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message[:60]
