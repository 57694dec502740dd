"""What a synced record looks like over the wire, per type.

A record is a flat JSON object. Plain fields carry the model's values (decimals and dates
as strings). A reference to another synced record is given either as `<name>` (its
external id in the *same source* as the record) or as `<name>_id` (its OSP id); the owner
is a username (Siebel's "Sales Rep" login). Responses and the change feed carry both forms.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Partner, Territory
from opportunities.models import Opportunity, Stage, StageCategory
from osp.models import User


@dataclass(frozen=True)
class Reference:
    name: str            # "account": the model field, and the wire key of the external id
    model: type
    external: bool = True  # referenced by external id as well as by OSP id
    by_username: bool = False

    @property
    def id_key(self) -> str:
        return f"{self.name}_id"

    @property
    def wire_keys(self) -> tuple[str, ...]:
        if self.by_username:
            return (self.name,)
        return (self.name, self.id_key) if self.external else (self.id_key,)


OWNER = Reference("owner", User, external=False, by_username=True)

# What finance recorded, pushed with a move to (or an import at) 9.5 and 10; the dates
# put a won deal in its forecast period.
CLOSE_DETAILS = ("payment_reference", "payment_date", "booking_reference", "booking_date",
                 "booking_period")
CLOSE_DATES = ("payment_date", "booking_date")


@dataclass(frozen=True)
class RecordType:
    name: str
    model: type
    fields: tuple[str, ...]
    references: tuple[Reference, ...]
    read_only: tuple[str, ...] = ()
    # Keys a row may carry that are not stored fields.
    transient: tuple[str, ...] = field(default=())

    @property
    def label(self):
        return self.model._meta.verbose_name_plural

    def writable_keys(self) -> set[str]:
        keys = {"source", "external_id", "version", *self.fields, *self.transient}
        for ref in self.references:
            keys.update(ref.wire_keys)
        return keys

    def known_keys(self) -> set[str]:
        return self.writable_keys() | {"id", *self.read_only}


ACCOUNTS = RecordType(
    "accounts", Account,
    fields=("name", "industry", "size", "is_named", "is_strategic", "website",
            "business_situation", "goals", "it_base", "funding"),
    references=(Reference("territory", Territory, external=False), OWNER),
    read_only=("deleted",),
)
PARTNERS = RecordType(
    "partners", Partner,
    fields=("name", "type", "core_competences", "solution_areas", "website"),
    references=(OWNER,),
    read_only=("deleted",),
)
CONTACTS = RecordType(
    "contacts", Contact,
    fields=("first_name", "last_name", "title", "department", "email", "phone",
            "buying_role", "influence", "attitude", "notes"),
    references=(Reference("account", Account), Reference("partner", Partner),
                Reference("reports_to", Contact)),
    read_only=("deleted",),
)
OPPORTUNITIES = RecordType(
    "opportunities", Opportunity,
    fields=("name", "amount", "currency", "expected_close_date", "lead_source", "next_step",
            "description", "why_do_it", "why_now", "pains", "budget", "procurement_process",
            "po_number", "po_date", "po_amount"),
    references=(Reference("account", Account), OWNER),
    read_only=("deleted", "stage_label", "probability", "amount_base", "won_on",
               "booked_on"),
    # `stage` is a transition request, not a plain field. The others describe the move:
    # `stage_reason` why (a move back, a loss, a No-Go), `winning_competitor` who won a
    # loss, and what finance recorded for 9.5 (payment) and 10 (booking).
    transient=("stage", "stage_reason", "winning_competitor", *CLOSE_DETAILS),
)

TYPES = {t.name: t for t in (ACCOUNTS, CONTACTS, PARTNERS, OPPORTUNITIES)}
TYPE_OF_MODEL = {t.model: t for t in TYPES.values()}
TYPE_HELP = _("One of: accounts, contacts, partners, opportunities.")


def _stage_labels() -> dict[str, str]:
    # get_FOO_display() evaluates every lazy label on each call; this, once per language.
    from django.utils.translation import get_language

    language = get_language()
    if language not in _STAGE_LABELS:
        _STAGE_LABELS[language] = {s.value: str(s.label) for s in Stage}
    return _STAGE_LABELS[language]


_STAGE_LABELS: dict[str | None, dict[str, str]] = {}


def wire_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_wire_many(objs) -> list[dict]:
    """to_wire for many records, reading the stage probabilities once."""
    objs = list(objs)
    probabilities = None
    if any(isinstance(o, Opportunity) for o in objs):
        probabilities = StageCategory.mapping()
    return [to_wire(o, probabilities=probabilities) for o in objs]


def to_wire(obj: models.Model, *, probabilities: dict | None = None) -> dict:
    """`obj` as the API and the change feed show it. Reads referenced rows already
    attached to `obj` (no query when the caller assigned or selected them)."""
    rt = TYPE_OF_MODEL[type(obj)]
    data = {"id": obj.pk, "source": obj.source, "external_id": obj.external_id,
            "version": obj.version, "deleted": obj.deleted_at is not None}
    for name in rt.fields:
        data[name] = wire_value(getattr(obj, name))
    for ref in rt.references:
        target_id = getattr(obj, f"{ref.name}_id")
        if ref.by_username:
            data[ref.name] = getattr(obj, ref.name).username if target_id else None
            continue
        data[ref.id_key] = target_id
        if ref.external:
            target = getattr(obj, ref.name) if target_id else None
            same_source = target is not None and target.source == obj.source
            data[ref.name] = target.external_id if same_source and target.external_id else None
    if isinstance(obj, Opportunity):
        if probabilities is None:
            probabilities = StageCategory.mapping()
        data.update(stage=obj.stage, stage_label=_stage_labels().get(obj.stage, obj.stage),
                    probability=probabilities.get(obj.stage, (None, None))[1],
                    amount_base=wire_value(obj.amount_base), won_on=wire_value(obj.won_on),
                    booked_on=wire_value(obj.booked_on))
    return data
