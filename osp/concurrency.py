"""Edits that race, as Siebel's MODIFICATION_NUM and Salesforce's "record was modified"
handle them (issue #15):

- a partial update (an API PATCH, one field from a task) re-reads the record under a row
  lock and changes only the fields it names, so two people changing different fields at
  the same moment both keep their change;
- an update made from a copy the caller read earlier says which version that copy was
  (`If-Match`, the version a browser form was opened at); if the record has moved on
  since, the update is refused with StaleRecord, which the API answers with 412 and a
  browser form with what changed, keeping what the user typed;
- each committed change raises the version by exactly one, read from the locked row,
  never from a copy.

The row locks here come after the synced-writes lock (osp.changes), the order every
writer of synced records keeps; services take both through `locked_copy`.
"""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from osp import changes


class StaleRecord(Exception):
    """`obj` (the record as it is now) has changed since the version the caller read."""

    def __init__(self, obj, *, expected: int, current: int | None = None):
        current = obj.version if current is None else current
        super().__init__(f"{type(obj).__name__} {obj.pk} is at version {current}, "
                         f"not {expected}")
        self.obj, self.expected, self.current = obj, expected, current


def stale_message(exc: StaleRecord) -> str:
    """What changed under the caller, for people: who saved the record last and when."""
    obj = exc.obj
    # A record saved in place names its last editor; a record kept in versions (a deal's
    # plan) is the newest version, which names its author.
    by = getattr(obj, "updated_by", None) or getattr(obj, "author", None)
    at = getattr(obj, "updated_at", None) or getattr(obj, "created_at", None)
    when = formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else ""
    if by is not None:
        return _("%(who)s changed this record at %(when)s, after you opened it (it is now "
                 "at version %(current)d, not %(expected)d). Nothing was saved.") % {
            "who": by, "when": when, "current": exc.current, "expected": exc.expected}
    return _("Someone changed this record after you opened it (it is now at version "
             "%(current)d, not %(expected)d). Nothing was saved.") % {
        "current": exc.current, "expected": exc.expected}


def check_current(obj) -> int:
    """Lock `obj`'s row and return the version it holds now; StaleRecord if `obj` was
    read at another version (someone committed a change since). Called by every save of
    a versioned record (osp.models.ExternalRecord.save): a stale copy from any route, the
    admin and tasks included, cannot write old values back."""
    model = type(obj)
    current = (model._base_manager.select_for_update().filter(pk=obj.pk)
               .values_list("version", flat=True).first())
    loaded = getattr(obj, "_loaded", {}).get("version", obj.version)
    if current is None:  # not in the table (yet): nothing to compare with
        return obj.version
    if current != loaded:
        raise StaleRecord(model._base_manager.get(pk=obj.pk), expected=loaded)
    return current


def locked_copy(obj):
    """`obj` re-read with its row locked to the end of the current transaction, which
    the caller must have opened."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_copy needs a transaction")
    model = type(obj)
    if hasattr(model, "SYNCED_FIELDS"):
        changes.lock()  # first (see above)
    return model._base_manager.select_for_update(of=("self",)).get(pk=obj.pk)


def is_stale(current: int, expected_version: int | None) -> bool:
    """Did the caller read a record at another version than `current`, the one it has now
    (read under its lock; 0 for one that does not exist yet)? Nothing to check when the
    caller named none. The services (check_version) and the sync batch ask this."""
    return expected_version is not None and current != expected_version


def check_version(obj, expected_version: int | None) -> None:
    """StaleRecord if the caller read `obj` at another version than the one it has now
    (`obj` read under its lock); nothing to check when the caller named none."""
    if is_stale(obj.version, expected_version):
        raise StaleRecord(obj, expected=expected_version)
