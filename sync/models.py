import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "osp"


def hash_token(secret: str) -> str:
    # The secret is 32 random bytes: a fast hash is enough (no password to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


class IntegrationClient(models.Model):
    """A system that syncs with OSP (e.g. the production Siebel). It acts as `user`, so it
    sees and changes exactly what that person may; its token is shown once and only its
    hash is kept."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acts as"),
                             on_delete=models.PROTECT, related_name="integration_clients")
    key = models.CharField(_("key"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("integration client")
        verbose_name_plural = _("integration clients")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def issue_token(self) -> str:
        """A new token (the old one stops working). Returned once, never stored."""
        self.key = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        self.token_hash = hash_token(secret)
        return f"{TOKEN_PREFIX}_{self.key}_{secret}"

    def revoke(self):
        self.revoked_at = timezone.now()


class FeedHead(models.Model):
    """One row: the last sequence number handed out, and how far the feed was pruned.
    Writers lock this row before their first synced change and keep it until they commit,
    so sequence numbers are committed in order and a reader never skips one."""

    last_seq = models.BigIntegerField(default=0)
    pruned_through = models.BigIntegerField(default=0)

    def __str__(self):
        return f"feed at {self.last_seq} (pruned through {self.pruned_through})"


class FeedChange(models.Model):
    """One change of one synced record, in commit order (`seq`)."""

    class Op(models.TextChoices):
        UPSERT = "upsert", _("created or changed")
        DELETE = "delete", _("deleted")

    seq = models.BigIntegerField(primary_key=True)
    type = models.CharField(max_length=20)
    op = models.CharField(max_length=10, choices=Op.choices)
    object_id = models.BigIntegerField()
    source = models.CharField(max_length=50, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField()
    data = models.JSONField(null=True)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["type", "object_id"], name="feed_change_record")]

    def __str__(self):
        return f"{self.seq} {self.op} {self.type} {self.object_id} v{self.version}"


class StoredResponse(models.Model):
    """The answer to a request sent with an Idempotency-Key, kept so a replay gets the
    same answer and writes nothing. Inserted in the same transaction as the writes: the
    unique constraint makes a concurrent replay wait for the first and then read it."""

    caller = models.CharField(max_length=40)  # "client:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"],
                                               name="stored_response_unique_key")]

    def __str__(self):
        return f"{self.caller} {self.key}"
