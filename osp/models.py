from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from osp import changes
from osp.concurrency import check_current


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


class LiveRecords(models.Manager):
    """Records not deleted. Deleting a synced record is soft (sync.services): the row stays
    so the change feed can publish a tombstone and a re-push can bring it back."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class ExternalRecord(TimeStamped):
    """A record integration clients sync (accounts, contacts, partners, opportunities).

    An integration client knows it by its own key (`source`, `external_id`), e.g. a Siebel
    ROW_ID. `version` goes up by one whenever a synced field changes, whoever changes it
    (browser, API, sync, a task), and every such change is written to the change feed in
    the same transaction (sync.feed). Saving without a real change does neither.
    """

    # The fields whose change is a new version; the models list their own.
    SYNCED_FIELDS: tuple[str, ...] = ()

    source = models.CharField(
        _("source system"), max_length=50, blank=True, help_text=_("e.g. siebel-prod")
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    # Who saved the last change: a form refused as stale says who changed the record since.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("last changed by"),
                                   null=True, blank=True, editable=False,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = LiveRecords()
    all_objects = models.Manager()  # noqa: DJ012 (a manager; `objects` must stay first)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # One transaction (the caller's, if any): the version checked under the row lock
        # is the one the row still has when it is written.
        with transaction.atomic(savepoint=False):
            self._save_versioned(*args, **kwargs)

    def _save_versioned(self, *args, **kwargs):
        changed = self.synced_fields_changed()
        if changed:
            # The synced-writes lock first, then the row: the order every writer keeps.
            changes.lock()
        if not self._state.adding and self.pk is not None:
            # Whatever route saves (a service, the admin, a task), a copy read before
            # someone else's commit must not write its stale values back: the version
            # the copy was read at must still be the row's (osp.concurrency).
            self.version = check_current(self) + (1 if changed else 0)
        elif changed:
            self.version += 1
        if changed and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        if changed:
            changes.record_changed.send(sender=type(self), instance=self)
        self._loaded = self._current_values()

    def _current_values(self, attnames=None) -> dict:
        return {f.attname: self.__dict__.get(f.attname) for f in self._meta.concrete_fields
                if attnames is None or f.attname in attnames}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What was loaded, to tell a real change from a save of the same values, and the
        # version a later save must still find (osp.concurrency.check_current).
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        attnames = None if fields is None else {self._meta.get_field(f).attname
                                                for f in fields}
        self._loaded = {**getattr(self, "_loaded", {}), **self._current_values(attnames)}

    @classmethod
    def _synced_attnames(cls) -> list[str]:
        if "_synced_attnames_cache" not in cls.__dict__:
            cls._synced_attnames_cache = [
                cls._meta.get_field(n).attname
                for n in (*cls.SYNCED_FIELDS, "source", "external_id", "deleted_at")]
        return cls._synced_attnames_cache

    # Soft deletes (osp.services.record_delete) ask the record what goes with it.

    def soft_delete_blockers(self) -> list[str]:
        """The kinds of live records that still depend on this one: the soft delete is
        refused while there are any, as on_delete=PROTECT refuses a real one."""
        return []

    def soft_delete_dependents(self, now) -> None:
        """Delete softly, at `now`, what goes with this record (called with its row
        locked, before it is deleted)."""

    def synced_fields_changed(self) -> bool:
        if self._state.adding or not hasattr(self, "_loaded"):
            return True
        for name in self._synced_attnames():
            if name in self._loaded:
                if self.__dict__.get(name) != self._loaded[name]:
                    return True
            elif name in self.__dict__:
                return True
        return False


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
    # The language chosen in the interface, so e-mails reach people in it too.
    language = models.CharField(_("language"), max_length=10, blank=True,
                                choices=settings.LANGUAGES)
    # While a manager is away, their approvals go to the next one up, and come back when
    # they return (opportunities.selling_cycle.approvals_follow_who_is_away).
    away_from = models.DateField(_("away from"), null=True, blank=True)
    away_until = models.DateField(_("away until"), null=True, blank=True,
                                  help_text=_("The last day away; empty: until further notice."))

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name(self.first_name, self.last_name, self.username)

    @staticmethod
    def display_name(first_name: str, last_name: str, username: str) -> str:
        """The full name, or the username when there is none (what __str__ shows)."""
        return f"{first_name} {last_name}".strip() or username

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def away_on(self, day) -> bool:
        return (self.away_from is not None and self.away_from <= day
                and (self.away_until is None or day <= self.away_until))

    @property
    def is_away(self) -> bool:
        """Away today: approvals meant for them go to the next manager up."""
        return self.away_on(timezone.localdate())

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]

    def clean(self):
        super().clean()
        if self.away_from and self.away_until and self.away_until < self.away_from:
            raise ValidationError({"away_until": _("The last day away comes after the first.")})
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
    message_zh = models.TextField(_("message (Chinese)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.message[:60]

    def text(self, language: str | None = None) -> str:
        zh = (language or get_language() or "en").startswith("zh")
        return self.message_zh if zh and self.message_zh else self.message


class ReminderSent(models.Model):
    """One reminder of one kind, about one subject, for one period, to one person. The
    unique constraint is what makes reminders exactly-once: a task that runs twice, or is
    retried after a worker died, cannot insert the row (and so notify) again.

    The row is also the e-mail's outbox entry (osp/reminders.py): `email_to` is the address
    owed an e-mail (empty: none owed), `emailed_at` says when it went out, so an e-mail
    lost with a killed worker is sent by the next run, and never twice."""

    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=80)  # e.g. "approval:12"
    period = models.CharField(_("period"), max_length=40)  # e.g. "2026-11-27", "FY2027 Q1"
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(Notification, null=True, on_delete=models.SET_NULL,
                                        related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    email_to = models.EmailField(_("e-mail to"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["kind", "subject", "period", "recipient"],
                                               name="reminder_once_per_period")]
        # The catch-up sweep reads only the e-mails still owed: a small partial index.
        indexes = [models.Index(fields=["sent_at"], name="reminder_email_owed",
                                condition=models.Q(emailed_at__isnull=True)
                                & ~models.Q(email_to=""))]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.period} → {self.recipient_id}"


class ReminderPolicy(models.Model):
    """The thresholds of the scheduled reminders; one row, edited by an administrator.
    The schedule itself (hourly) is in settings.CELERY_BEAT_SCHEDULE."""

    approval_wait_working_days = models.PositiveSmallIntegerField(
        _("remind approvers after this many working days"), default=2)
    stale_opportunity_days = models.PositiveSmallIntegerField(
        _("an open opportunity is stale after this many days without change"), default=30)
    stage7_days_before_quarter_end = models.PositiveSmallIntegerField(
        _("remind about stage-7 deals this many days before the quarter ends"), default=14)
    send_email = models.BooleanField(_("also send reminders by e-mail"), default=True)
    # Beat runs the reminder tasks every hour; before this hour of the day they do nothing.
    send_from_hour = models.PositiveSmallIntegerField(
        _("send reminders from this hour of the day"), default=7,
        validators=[MaxValueValidator(23)])

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")

    def __str__(self):
        return str(_("Reminder policy"))

    @classmethod
    def current(cls) -> "ReminderPolicy":
        return cls.objects.first() or cls()

    @classmethod
    def sending_now(cls) -> bool:
        return timezone.localtime().hour >= cls.current().send_from_hour


class OwnerChange(models.Model):
    """A record (a deal, an account, a partner, a territory) handed from one owner to
    another: from whom, to whom, by whom and why. Kept, never changed: the deal's history
    shows it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    from_owner = models.ForeignKey(User, verbose_name=_("from"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    to_owner = models.ForeignKey(User, verbose_name=_("to"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey(User, verbose_name=_("by"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change of owner")
        verbose_name_plural = _("changes of owner")
        indexes = [models.Index(fields=["content_type", "object_id", "at"],
                                name="owner_change_of_record")]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.from_owner_id} → {self.to_owner_id}"


def manager_cycle_error(*, user: "User", manager: "User | None") -> str | None:
    """Why `manager` cannot be `user`'s manager, or None if it can."""
    if manager is None:
        return None
    if user.pk is not None and manager.pk == user.pk:
        return _("A person cannot be their own manager.")
    seen = set()
    node = manager
    while node is not None and node.pk not in seen:
        if user.pk is not None and node.manager_id == user.pk:
            return _(
                "%(manager)s already reports to %(user)s, directly or indirectly; "
                "this would make the hierarchy a loop."
            ) % {"manager": manager, "user": user}
        seen.add(node.pk)
        node = node.manager
    return None
