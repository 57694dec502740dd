"""Writes from integration clients: upsert (one record or a batch), soft delete, and the
clients' tokens. The same rules as the browser apply (osp.access decides who may see and
change what; stage moves go through opportunities.selling_cycle), applied to a whole
batch at once so that 500 records cost a handful of queries, not thousands.
"""

from dataclasses import dataclass, field

import django_fsm as fsm
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, Partner
from accounts.services import contact_delete, flag_change_cause
from accounts.signals import FLAGS
from opportunities.models import FINANCE_STAGES, LIVE_CHECKED, ExchangeRate, Opportunity, Stage
from opportunities.selling_cycle import (
    GateClosed,
    ImportedClose,
    opportunities_recheck_account,
    opportunity_import_at,
    opportunity_import_errors,
    opportunity_recheck,
    opportunity_transition,
)
from opportunities.services import amount_in_base_currency, count_close_date_push
from osp import access, permissions
from osp.concurrency import is_stale
from osp.models import User
from osp.services import owner_change_record, owner_error, record_delete
from osp.validators import has_null_character, null_character_errors
from sync import feed
from sync.models import IntegrationClient
from sync.records import CLOSE_DATES, CLOSE_DETAILS, RecordType, to_wire_many

MAX_BATCH = 500


class Code:
    """Row error codes (the README's "Sync API" lists them)."""

    VALIDATION = "VALIDATION"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    NOT_FOUND_OR_NO_ACCESS = "NOT_FOUND_OR_NO_ACCESS"
    REFERENCE_NOT_FOUND = "REFERENCE_NOT_FOUND"
    FIELD_NOT_WRITABLE = "FIELD_NOT_WRITABLE"
    STAGE_GATE = "STAGE_GATE"
    ROLLED_BACK = "ROLLED_BACK"


@dataclass
class RowResult:
    index: int
    source: str | None
    external_id: str | None
    status: str = "error"  # created | updated | unchanged | error
    id: int | None = None
    version: int | None = None
    errors: list[dict] = field(default_factory=list)
    record: dict | None = None

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def fail(self, code: str, message, **extra) -> None:
        self.status = "error"
        self.errors.append({"code": code, "message": str(message), **extra})

    def as_dict(self) -> dict:
        return {"index": self.index, "source": self.source, "external_id": self.external_id,
                "id": self.id, "status": self.status, "version": self.version,
                "errors": self.errors}


@dataclass
class _Row:
    result: RowResult
    data: dict
    obj: object = None
    existed: bool = False
    changed: bool = False
    stage: str | None = None  # a stage to import or move to
    old_account_id: int | None = None
    old_flags: tuple = ()  # an account's (is_named, is_strategic) before this row
    handed_over_from: User | None = None  # the owner before this row gave it a new one
    close: ImportedClose = field(default_factory=ImportedClose)  # what the move records
    # Finance, who changes no deal, marking 9.5 or 10 (an existing deal) or importing a
    # deal already paid or booked: the only rows finance's client may write.
    by_finance: bool = False


def sync_upsert(*, user: User, rtype: RecordType, records: list, all_or_none: bool = False,
                if_match: int | None = None) -> list[RowResult]:
    """Create or update `records` (dicts with `source` and `external_id`), each on its
    own unless `all_or_none`. Returns one result per record, in order."""
    if len(records) > MAX_BATCH:  # the API answers 413 before calling us
        raise ValidationError(_("At most %(n)d records per batch.") % {"n": MAX_BATCH})
    with transaction.atomic():
        feed.lock()
        rows = _parse(rtype, records, if_match)
        _Batch(user, rtype, rows).run()
        failed = any(r.result.failed for r in rows)
        if all_or_none and failed:
            transaction.set_rollback(True)
            for r in rows:
                if not r.result.failed:
                    r.result.id = r.result.version = None
                    r.result.fail(Code.ROLLED_BACK, _("Not written: another record of this "
                                                      "all-or-none batch failed."))
        return [r.result for r in rows]


def _parse(rtype: RecordType, records: list, if_match) -> list[_Row]:
    rows, seen = [], {}
    for index, data in enumerate(records):
        if not isinstance(data, dict):
            result = RowResult(index, None, None)
            result.fail(Code.VALIDATION, _("Each record must be a JSON object."))
            rows.append(_Row(result, {}))
            continue
        source, external_id = data.get("source"), data.get("external_id")
        # The answer repeats the key only when it is one (text without NUL), as documented.
        result = RowResult(index, source if _is_key(source) else None,
                           external_id if _is_key(external_id) else None)
        row = _Row(result, data)
        rows.append(row)
        refused = null_character_errors(data)
        if refused:  # before any query: PostgreSQL refuses NUL in text
            result.fail(Code.VALIDATION, _("Some fields are not valid."), fields=refused)
            continue
        errors = {}
        for name, value, limit in (("source", source, 50), ("external_id", external_id, 100)):
            if not isinstance(value, str) or not value.strip():
                errors[name] = [_("This field is required.")]
            elif len(value) > limit:
                errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        if errors:
            result.fail(Code.VALIDATION, _("The record's key is missing or invalid."),
                        fields=errors)
            continue
        if (source, external_id) in seen:
            result.fail(Code.VALIDATION, _("This record appears twice in the batch (first at "
                                           "index %(i)d).") % {"i": seen[source, external_id]})
            continue
        seen[source, external_id] = index
        unknown = sorted(set(data) - rtype.known_keys())
        read_only = sorted((set(data) & rtype.known_keys()) - rtype.writable_keys())
        if read_only:
            result.fail(Code.FIELD_NOT_WRITABLE, _("These fields are read-only: %(f)s.")
                        % {"f": ", ".join(read_only)},
                        fields={n: [_("This field is read-only.")] for n in read_only})
        if unknown:
            result.fail(Code.VALIDATION, _("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)},
                        fields={n: [_("Unknown field.")] for n in unknown})
        if if_match is not None:
            data.setdefault("version", if_match)
        version = data.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                    or version < 0):
            result.fail(Code.VALIDATION, _("The version must be a whole number."),
                        fields={"version": [_("Enter a whole number.")]})
    return rows


def _is_key(value) -> bool:
    return isinstance(value, str) and not has_null_character(value)


class _Batch:
    """One batch, in phases: load what exists and what is referenced (a few queries for
    the whole batch), build and validate every row, write in bulk, move stages one by one,
    append the changes to the feed."""

    def __init__(self, user: User, rtype: RecordType, rows: list[_Row]):
        self.user, self.rtype, self.model = user, rtype, rtype.model
        self.rows = rows
        self.live = [r for r in rows if not r.result.failed]

    def run(self):
        if not self.live:
            return
        self._load_existing()
        self._load_references()
        self.rates = None
        for row in self.live:
            self._build(row)
        self._write()

    # --- loading ---------------------------------------------------------------------

    def _keys_query(self, model, keys) -> Q:
        by_source: dict[str, set[str]] = {}
        for source, external_id in keys:
            by_source.setdefault(source, set()).add(external_id)
        q = Q(pk__in=[])
        for source, ids in by_source.items():
            q |= Q(source=source, external_id__in=ids)
        # Repeats the unique index's condition: with a long IN list PostgreSQL cannot see
        # that it holds and would scan the table instead.
        return q & ~Q(external_id="") if by_source else q

    def _load_existing(self):
        keys = {(r.result.source, r.result.external_id) for r in self.live}
        qs = (self.model.all_objects.select_for_update(of=("self",))
              .select_related(*_wire_related(self.rtype))
              .filter(self._keys_query(self.model, keys)))
        self.existing = {(o.source, o.external_id): o for o in qs}
        pks = [o.pk for o in self.existing.values()]
        visible = set(access.visible_to(self.user, self.model,
                                        self.model.all_objects.filter(pk__in=pks))
                      .values_list("pk", flat=True)) if pks else set()
        self.visible = visible
        self.changeable = permissions.changeable_pks(self.user, self.model, visible)

    def _load_references(self):
        """Referenced records, by external id (same source) and by OSP id; visible ones
        only, so a client learns nothing about what it may not see."""
        self.refs: dict[str, dict] = {}
        usernames = set()
        for ref in self.rtype.references:
            if ref.by_username:
                usernames |= {r.data[ref.name] for r in self.live
                              if isinstance(r.data.get(ref.name), str)}
                continue
            by_key, by_id = set(), set()
            for r in self.live:
                value = r.data.get(ref.name)
                if ref.external and isinstance(value, str) and value:
                    by_key.add((r.result.source, value))
                value = r.data.get(ref.id_key)
                # An id beyond 64 bits names nothing (and SQLite cannot even compare it).
                if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
                    by_id.add(value)
            if not by_key and not by_id:
                self.refs[ref.name] = {}
                continue
            qs = access.visible_to(self.user, ref.model, ref.model.objects.all()).filter(
                self._keys_query(ref.model, by_key) | Q(pk__in=by_id))
            found = {}
            for obj in qs:
                found[obj.pk] = obj
                if ref.external and obj.external_id:
                    found[obj.source, obj.external_id] = obj
            self.refs[ref.name] = found
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        accounts = [o.pk for k, o in self.refs.get("account", {}).items() if isinstance(k, int)]
        self.workable_accounts = permissions.workable_pks(self.user, Account, accounts)
        partners = [o.pk for k, o in self.refs.get("partner", {}).items() if isinstance(k, int)]
        self.changeable_partners = permissions.changeable_pks(self.user, Partner, partners)

    # --- building ---------------------------------------------------------------------

    def _build(self, row: _Row):
        result, data = row.result, row.data
        obj = self.existing.get((result.source, result.external_id))
        row.by_finance = self._by_finance(obj, data)
        # Not visible and visible-but-not-changeable answer alike: nothing leaks.
        if obj is not None and obj.pk not in self.changeable and not row.by_finance:
            result.fail(Code.NOT_FOUND_OR_NO_ACCESS,
                        _("There is no such record that you may change."))
            return
        if (obj is None and not permissions.can_create(self.user, self.model)
                and not row.by_finance):
            result.fail(Code.NOT_FOUND_OR_NO_ACCESS,
                        _("Your role cannot create %(kind)s.") % {"kind": self.rtype.label})
            return
        current = obj.version if obj is not None else 0
        expected = data.get("version")
        if is_stale(current, expected):
            result.fail(Code.VERSION_CONFLICT,
                        _("The record is at version %(current)d, not %(expected)d.")
                        % {"current": current, "expected": expected},
                        current_version=current if obj is not None else None)
            return
        row.existed = obj is not None
        if obj is None:
            obj = self.model(source=result.source, external_id=result.external_id)
            if any(ref.by_username for ref in self.rtype.references):
                obj.owner = self.user
        else:
            row.old_account_id = getattr(obj, "account_id", None)
            if self.model is Account:
                row.old_flags = tuple(getattr(obj, f) for f in FLAGS)
        row.obj = obj
        errors: dict[str, list] = {}
        for name in self.rtype.fields:
            if name in data:
                f = self.model._meta.get_field(name)
                if isinstance(data[name], (dict, list)):
                    # Every synced field holds one value; str() would store the structure.
                    errors[name] = [_("Send one value here, not a list or an object.")]
                    continue
                try:
                    # clean(), not to_python(): an amount of 1e400 must be refused here,
                    # before the conversion to the base currency tries to round it.
                    setattr(obj, f.attname, f.clean(data[name], obj))
                except ValidationError as e:
                    errors[name] = e.messages
        missing = self._apply_references(row, errors)
        if missing:
            result.fail(Code.REFERENCE_NOT_FOUND, _("Not found: %(refs)s.") % {
                "refs": ", ".join(f"{k}={v!r}" for k, v in missing.items())},
                fields={k: [_("No such record that you may see.")] for k in missing})
        if self.model is Opportunity:
            self._opportunity_fields(row, errors)
        if obj.deleted_at is not None:
            obj.deleted_at = None  # pushed again after a delete: it comes back
        if not errors and not missing:
            try:
                obj.full_clean(exclude=[ref.name for ref in self.rtype.references]
                               + ["stage", "amount_base"],
                               validate_unique=False, validate_constraints=False)
            except ValidationError as e:
                errors.update(e.message_dict)
        if errors:
            errors = {("non_field_errors" if k == "__all__" else k): v
                      for k, v in errors.items()}
            result.fail(Code.VALIDATION, _("Some fields are not valid."), fields=errors)
            return
        if result.failed:
            return
        row.changed = obj.synced_fields_changed()
        if row.by_finance and row.existed and row.changed:
            result.fail(Code.FIELD_NOT_WRITABLE, _(
                "Finance marks stages 9.5 and 10; the deal's other fields are the sales "
                "team's: send them unchanged."),
                fields={name: [_("This field is read-only.")] for name in self.rtype.fields
                        if name in data and getattr(obj, name) != obj._loaded.get(name)})
            return
        result.id, result.version = obj.pk, obj.version
        if not row.changed and not row.stage:
            result.status = "unchanged"

    def _by_finance(self, obj, data) -> bool:
        """Is this finance's own act, which finance's client may write although finance
        changes no deal: marking a visible deal 9.5 or 10, or importing one already there?"""
        stage = data.get("stage")
        if self.model is not Opportunity or stage not in FINANCE_STAGES:
            return False
        if obj is None:
            return (not permissions.can_create(self.user, Opportunity)
                    and permissions.can_import(self.user, paid_or_booked=stage in FINANCE_STAGES))
        return obj.pk in self.visible and permissions.can_mark_finance_stages(self.user)

    def _apply_references(self, row: _Row, errors: dict) -> dict:
        obj, data, missing = row.obj, row.data, {}
        for ref in self.rtype.references:
            if ref.by_username:
                if ref.name not in data:
                    continue
                username = data[ref.name]
                target = self.users.get(username) if isinstance(username, str) else None
                if target is None:
                    missing[ref.name] = username
                    continue
                changes_owner = getattr(obj, f"{ref.name}_id") != target.pk
                if changes_owner and row.existed and not permissions.can_reassign(self.user, obj):
                    errors[ref.name] = [_("Only the owner, the owner's managers and "
                                          "administrators can hand this record to someone "
                                          "else.")]
                elif changes_owner and not (row.by_finance and target.is_active) and (
                        refused := owner_error(self.user, target)):
                    # Finance's import files the deal under its owner, whoever that is.
                    errors[ref.name] = [refused]
                elif changes_owner and row.existed:
                    row.handed_over_from = getattr(obj, ref.name)
                setattr(obj, ref.name, target)
                continue
            given = [k for k in ref.wire_keys if k in data]
            if len(given) > 1:
                errors[ref.name] = [_("Give %(a)s or %(b)s, not both.")
                                    % {"a": ref.name, "b": ref.id_key}]
                continue
            if not given:
                continue
            key = given[0]
            value = data[key]
            if value in (None, ""):
                setattr(obj, ref.name, None)
                continue
            if key == ref.name:  # an external id in the record's own source
                lookup = (row.result.source, value) if isinstance(value, str) else None
            else:  # an OSP id
                lookup = value if type(value) is int else None
            target = self.refs.get(ref.name, {}).get(lookup)
            if target is None:
                missing[key] = value
                continue
            # Finance reads every account: its import files the booked deal where it was.
            if getattr(obj, f"{ref.name}_id") != target.pk and not row.by_finance:
                if ref.name == "account" and target.pk not in self.workable_accounts:
                    errors[ref.name] = [_("You cannot add records to this account.")]
                if ref.name == "partner" and target.pk not in self.changeable_partners:
                    errors[ref.name] = [_("You cannot add people to this partner.")]
            setattr(obj, ref.name, target)
        return missing

    def _opportunity_fields(self, row: _Row, errors: dict):
        obj, data = row.obj, row.data
        if not (obj.currency or row.existed):
            obj.currency = settings.OSP_BASE_CURRENCY  # as opportunity_create's default
        if self.rates is None:  # every rate once for the batch, not a query a row
            self.rates = dict(ExchangeRate.objects.values_list("currency", "rate_to_base"))
        errors.update(amount_in_base_currency(obj, rates=self.rates))
        if row.existed and "expected_close_date" in data:
            count_close_date_push(obj, before=obj._loaded.get("expected_close_date"),
                                  after=obj.expected_close_date)
        stage = data.get("stage")
        if stage is None:
            return
        row.close = self._close(data, errors)
        if stage not in Stage.values:
            errors["stage"] = [_("Not a stage: %(s)s.") % {"s": stage}]
        elif not row.existed and stage != Stage.LEAD:
            if not permissions.can_import(self.user, paid_or_booked=stage in FINANCE_STAGES):
                row.result.fail(Code.FIELD_NOT_WRITABLE, _(
                    "Only a client with the import permission may create an opportunity "
                    "above lead (at 9.5 and 10, also finance's)."),
                    fields={"stage": [_("This field is read-only.")]})
            if row.by_finance and "owner" not in data:
                errors["owner"] = [_("Name the deal's owner (Siebel's Sales Rep): finance "
                                     "imports the deal, it does not own it.")]
            # Checked here, before anything is written, by the service's own rules.
            refused = opportunity_import_errors(opportunity=obj, to=stage, close=row.close)
            for name, messages in refused.items():
                errors.setdefault(_WIRE_NAME.get(name, name), []).extend(messages)
            row.stage = stage
        elif row.existed and stage != obj.stage:
            row.stage = stage

    def _close(self, data: dict, errors: dict) -> ImportedClose:
        """The details of a move (or an import) from the row, its dates parsed."""
        texts = {"reason": "stage_reason", "winning_competitor": "winning_competitor",
                 **{name: name for name in CLOSE_DETAILS if name not in CLOSE_DATES}}
        values = {}
        for name, key in texts.items():
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                errors[key] = [_("Send text here.")]
            values[name] = value if isinstance(value, str) else ""
        for name in CLOSE_DATES:
            try:
                values[name] = _DATE.clean(data.get(name) or None, None)
            except ValidationError as e:
                errors[name] = e.messages
                values[name] = None
        return ImportedClose(**values)

    # --- writing ----------------------------------------------------------------------

    def _write(self):
        built = [r for r in self.live if not r.result.failed]
        now = timezone.now()
        created = [r for r in built if not r.existed]
        # A stage move re-reads the record under its own lock: its fields are saved with it.
        updated = [r for r in built if r.existed and r.changed and not r.stage]
        # ExternalRecord.save()'s rule (a change of synced fields is one version more and
        # one change in the feed, in the same transaction, the feed's lock taken first),
        # restated for the bulk writes: save() writes a row and a feed change at a time,
        # the batch writes them all in a few statements (its query counts are pinned,
        # tests/sync). The lock is the batch's (sync_upsert took it), the rows were read
        # under theirs (_load_existing), so their version plus one is check_current's.
        for r in created:
            r.obj.version = 1
        for r in updated:
            r.obj.version += 1
            r.obj.updated_at = now
        if created:
            self.model.all_objects.bulk_create([r.obj for r in created])
        if updated:
            names = {self.model._meta.get_field(n).name for n in self.model.SYNCED_FIELDS}
            names |= {"version", "deleted_at", "updated_at"}
            if self.model is Opportunity:
                names = (names - {"stage"}) | {"amount_base", "close_date_pushes"}
            _update_rows(self.model, [r.obj for r in updated], sorted(names))
        feed.record_many([r.obj for r in created + updated])
        for r in created + updated:
            r.result.status = "created" if not r.existed else "updated"
            r.result.id, r.result.version = r.obj.pk, r.obj.version
            if r.handed_over_from is not None:
                owner_change_record(obj=r.obj, from_owner=r.handed_over_from, by=self.user,
                                    reason=_("Synced from %(source)s") % {"source": r.obj.source})
        for r in built:
            if r.stage:
                self._move(r)
        self._recheck([r for r in updated if not r.result.failed])

    def _move(self, row: _Row):
        """A stage in the payload is a transition request (or, on a new record, an
        import); refused, the row fails and none of its fields are kept."""
        result, data = row.result, row.data
        reason = str(data.get("stage_reason") or "")
        try:
            with transaction.atomic():
                if row.existed:
                    seen = row.obj._loaded.get("stage")
                    if row.changed:
                        row.obj.save()
                    outcome = opportunity_transition(
                        opportunity=row.obj, user=self.user, to=row.stage, reason=reason,
                        expected_stage=seen, loss_reason=reason,
                        winning_competitor=row.close.winning_competitor,
                        finance=_finance_details(row.stage, row.close),
                        request_approval=False)
                else:
                    outcome = opportunity_import_at(opportunity=row.obj, user=self.user,
                                                    to=row.stage, close=row.close)
                opp = outcome.opportunity
        except GateClosed as e:
            result.fail(Code.STAGE_GATE, e.message, unmet=[
                {"code": r.code, "text": str(r.criterion.text), "stage": r.criterion.stage}
                for r in e.unmet])
        except PermissionDenied as e:
            result.fail(Code.STAGE_GATE, str(e), unmet=[])
        except ValidationError as e:
            fields = ({_WIRE_NAME.get(k, k): v for k, v in e.message_dict.items()}
                      if hasattr(e, "error_dict") else {"stage": e.messages})
            result.fail(Code.VALIDATION, _("The stage move needs more details."),
                        fields=fields)
        except fsm.ConcurrentTransition as e:
            result.fail(Code.VERSION_CONFLICT, str(e))
        else:
            result.status = "created" if not row.existed else "updated"
            result.id, result.version = opp.pk, opp.version
            row.obj = opp
            if row.handed_over_from is not None:
                owner_change_record(obj=opp, from_owner=row.handed_over_from, by=self.user,
                                    reason=_("Synced from %(source)s") % {"source": opp.source})
            return
        if not row.existed:  # the import failed: the new record goes too
            result.id = result.version = None
            Opportunity.all_objects.filter(pk=row.obj.pk).delete()

    def _recheck(self, rows: list[_Row]):
        """Changed amounts, dates or org charts can break a deal's criteria, as in the
        browser."""
        cause = _("%(who)s synced a change") % {"who": self.user}
        if self.model is Opportunity:
            for r in rows:
                if r.obj.stage in LIVE_CHECKED:
                    r.result.version = opportunity_recheck(opportunity=r.obj,
                                                           cause=cause).version
        elif self.model is Contact:
            accounts = {r.obj.account_id for r in rows} | {r.old_account_id for r in rows}
            for account in Account.objects.filter(pk__in=accounts - {None}):
                opportunities_recheck_account(account=account, cause=cause)
        elif self.model is Account:
            # Named or strategic decides the plan its deals need (the full TAS plan).
            for r in rows:
                if r.old_flags and r.old_flags != tuple(getattr(r.obj, f) for f in FLAGS):
                    opportunities_recheck_account(
                        account=r.obj, cause=flag_change_cause(self.user, r.obj,
                                                               _("synced from %(source)s")
                                                               % {"source": r.obj.source}))


# The services' names for what the wire calls otherwise.
_WIRE_NAME = {"reason": "stage_reason", "loss_reason": "stage_reason",
              "reference": "payment_reference", "date": "payment_date"}
_DATE = models.DateField(null=True, blank=True)  # parses the wire's ISO dates


def _finance_details(to: str, close: ImportedClose) -> dict | None:
    """What finance records with a move to 9.5 (the payment) or 10 (the booking). The
    stage_reason still carries the reference, as before these fields."""
    if to == "9.5":
        details = {"reference": close.payment_reference or close.reason,
                   "date": close.payment_date}
    elif to == "10":
        details = {"reference": close.booking_reference or close.reason,
                   "date": close.booking_date, "period": close.booking_period}
    else:
        return None
    return details if details["reference"] else None


def _update_rows(model, objs, names):
    """Write these fields of `objs` in one statement. Django's bulk_update builds a CASE
    per field per row (seconds for 500 rows); on PostgreSQL, one UPDATE ... FROM unnest()."""
    if connection.vendor != "postgresql":
        model.all_objects.bulk_update(objs, names)
        return
    qn = connection.ops.quote_name
    fields = [model._meta.pk] + [model._meta.get_field(n) for n in names]
    arrays = [[f.get_db_prep_save(getattr(o, f.attname), connection) for o in objs]
              for f in fields]
    aliases = [f"v{i}" for i in range(len(fields))]
    sets = ", ".join(f"{qn(f.column)} = v.{a}" for f, a in zip(fields[1:], aliases[1:],
                                                               strict=True))
    unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(model._meta.db_table)} AS t SET {sets} FROM unnest({unnest}) "
            f"AS v({', '.join(aliases)}) WHERE t.{qn(fields[0].column)} = v.v0", arrays)


def sync_delete(*, user: User, rtype: RecordType, source: str, external_id: str,
                if_match: int | None = None) -> RowResult:
    """Delete softly (a tombstone stays in the change feed)."""
    result = RowResult(0, source, external_id)
    if has_null_character(source, external_id):  # no key holds one
        result.source = result.external_id = None
        result.fail(Code.NOT_FOUND_OR_NO_ACCESS,
                    _("There is no such record that you may change."))
        return result
    with transaction.atomic():
        feed.lock()
        obj = (rtype.model.objects.select_for_update(of=("self",))
               .filter(source=source, external_id=external_id).first())
        if obj is None or not access.visible_to(user, rtype.model).filter(pk=obj.pk).exists() \
                or not permissions.can_change(user, obj):
            result.fail(Code.NOT_FOUND_OR_NO_ACCESS,
                        _("There is no such record that you may change."))
            return result
        if is_stale(obj.version, if_match):
            result.fail(Code.VERSION_CONFLICT,
                        _("The record is at version %(current)d, not %(expected)d.")
                        % {"current": obj.version, "expected": if_match},
                        current_version=obj.version)
            return result
        try:
            if rtype.model is Contact:
                contact_delete(contact=obj, user=user)
            else:
                record_delete(obj=obj, user=user)
        except ValidationError as e:
            result.fail(Code.VALIDATION, " ".join(e.messages))
            return result
        result.status, result.id, result.version = "deleted", obj.pk, obj.version
        return result


def _visible_records(user: User, rtype: RecordType):
    """Live records `user` may see, with what the wire format shows of their references."""
    qs = rtype.model.objects.select_related(*_wire_related(rtype))
    return access.visible_to(user, rtype.model, qs)


def _wire_related(rtype: RecordType) -> list[str]:
    return [ref.name for ref in rtype.references if ref.name != "territory"]


def sync_record(*, user: User, rtype: RecordType, source: str, external_id: str):
    """The live record with this key that `user` may see, or None."""
    if has_null_character(source, external_id):
        return None  # no key holds one (and PostgreSQL could not compare it)
    return _visible_records(user, rtype).filter(source=source,
                                                external_id=external_id).first()


def sync_list(*, user: User, rtype: RecordType, after: int, limit: int) -> list[dict]:
    """Live records in id order after `after` (keyset paging), as the wire shows them:
    how a client reads everything when it starts or after its cursor expired."""
    return to_wire_many(_visible_records(user, rtype).filter(pk__gt=after)
                        .order_by("pk")[:limit])


# --- Integration clients ----------------------------------------------------------------

@transaction.atomic
def integration_client_create(*, name: str, user: User,
                              requests_per_minute: int = 600) -> tuple[IntegrationClient, str]:
    """A new client and its token; the token is returned once and never stored."""
    client = IntegrationClient(name=name, user=user, requests_per_minute=requests_per_minute)
    token = client.issue_token()
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def integration_client_rotate(*, client: IntegrationClient) -> str:
    token = client.issue_token()
    client.revoked_at = None
    client.save()
    return token


@transaction.atomic
def integration_client_revoke(*, client: IntegrationClient) -> None:
    client.revoke()
    client.save(update_fields=["revoked_at"])
