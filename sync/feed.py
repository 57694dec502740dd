"""The change feed: every change of a synced record, numbered in commit order.

Every writer of synced records holds the core's synced-writes lock (osp.changes.lock,
which `lock()` here takes) from before its first change until it commits, so the numbers a
transaction takes are all above those of every transaction committed before it, and a
reader that has seen sequence n will never later find a committed change numbered below
n. ExternalRecord.save announces each change (osp.changes.record_changed); this module
listens and appends it. The sync batch writes many rows at once and appends them itself.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from osp import access, changes
from sync.models import FeedChange, FeedHead
from sync.records import TYPE_OF_MODEL, TYPES, to_wire_many


def _table():
    return connection.ops.quote_name(FeedHead._meta.db_table)


def lock() -> None:
    """Take the synced-writes lock for the rest of the current transaction."""
    changes.lock()


def _allocate(n: int) -> int:
    """Reserve n sequence numbers (under the synced-writes lock); returns the last one."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET last_seq = last_seq + %s WHERE id = 1 "
                       "RETURNING last_seq", [n])
        row = cursor.fetchone()
    if row is None:
        FeedHead.objects.get_or_create(pk=1)  # a fresh (or flushed) database
        return _allocate(n)
    return row[0]


def record_many(objs, *, op: str = FeedChange.Op.UPSERT, last: int | None = None) -> None:
    """Append the current state of `objs` (or their tombstones) to the feed, numbered up
    to `last` if the numbers were already taken."""
    objs = list(objs)
    if not objs:
        return
    if last is None:
        last = _allocate(len(objs))
    now = timezone.now()
    data = [None] * len(objs) if op == FeedChange.Op.DELETE else to_wire_many(objs)
    changes = [
        FeedChange(seq=seq, type=TYPE_OF_MODEL[type(obj)].name, op=op, object_id=obj.pk,
                   source=obj.source, external_id=obj.external_id, version=obj.version,
                   data=wire, changed_at=now)
        for seq, obj, wire in zip(range(last - len(objs) + 1, last + 1), objs, data,
                                  strict=True)]
    _insert(changes)


def _insert(changes: list[FeedChange]) -> None:
    """bulk_create, except on PostgreSQL: there Django 5.2 inserts through UNNEST and
    psycopg spends longer adapting the JSON array than the database spends inserting
    (about a third of a 500-record batch's feed write); a plain VALUES list is faster."""
    if connection.vendor != "postgresql":
        FeedChange.objects.bulk_create(changes)
        return
    columns = ["seq", "type", "op", "object_id", "source", "external_id", "version", "data",
               "changed_at"]
    params = []
    for c in changes:
        data = None if c.data is None else json.dumps(c.data, cls=DjangoJSONEncoder)
        params += [c.seq, c.type, c.op, c.object_id, c.source, c.external_id, c.version,
                   data, c.changed_at]
    row = "(%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)"
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(FeedChange._meta.db_table)} "
                       f"({', '.join(map(qn, columns))}) VALUES "
                       + ", ".join([row] * len(changes)), params)


def record(obj) -> None:
    """Append `obj` as it now is (a tombstone once it is deleted)."""
    op = FeedChange.Op.DELETE if obj.deleted_at else FeedChange.Op.UPSERT
    record_many([obj], op=op)


def _on_record_changed(sender, instance, **kwargs):
    record(instance)


def _on_hard_delete(sender, instance, **kwargs):
    # Deletes are soft everywhere but the admin; a hard delete still leaves a tombstone.
    if instance.deleted_at is None:
        lock()
        instance.version += 1
        record_many([instance], op=FeedChange.Op.DELETE)


def connect_signals():
    changes.record_changed.connect(_on_record_changed, dispatch_uid="sync-feed")
    for model in TYPE_OF_MODEL:
        post_delete.connect(_on_hard_delete, sender=model,
                            dispatch_uid=f"sync-tombstone-{model.__name__}")


# --- Reading ----------------------------------------------------------------------------

class CursorExpired(Exception):
    """The changes after this cursor were partly pruned: the client must resync."""

    def __init__(self, oldest: int, head: int):
        super().__init__(oldest, head)
        self.oldest, self.head = oldest, head


@dataclass
class Page:
    changes: list[dict]
    next_cursor: int
    has_more: bool


def head() -> FeedHead:
    return FeedHead.objects.filter(pk=1).first() or FeedHead(pk=1)


def changes_after(*, user, cursor: int, limit: int, types: list[str]) -> Page:
    """The changes after `cursor` that `user` may see, oldest first. Queries: the head,
    one page of changes, and one visibility check per record type on the page."""
    feed_head = head()
    if cursor < feed_head.pruned_through:
        raise CursorExpired(feed_head.pruned_through, feed_head.last_seq)
    qs = FeedChange.objects.filter(seq__gt=cursor).order_by("seq")
    if set(types) != set(TYPES):
        qs = qs.filter(type__in=types)
    rows = list(qs[:limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1].seq if rows else cursor
    if not access.reads_everything(user):
        rows = _visible(user, rows)
    return Page([_change(r) for r in rows], next_cursor, has_more)


def _visible(user, rows):
    ids_by_type: dict[str, set[int]] = {}
    for r in rows:
        ids_by_type.setdefault(r.type, set()).add(r.object_id)
    visible: set[tuple[str, int]] = set()
    for name, ids in ids_by_type.items():
        model = TYPES[name].model
        qs = access.visible_to(user, model, model.all_objects.filter(pk__in=ids))
        visible.update((name, pk) for pk in qs.values_list("pk", flat=True))
    return [r for r in rows if (r.type, r.object_id) in visible]


def _change(r: FeedChange) -> dict:
    return {"seq": r.seq, "type": r.type, "op": r.op, "id": r.object_id, "source": r.source,
            "external_id": r.external_id, "version": r.version, "changed_at": r.changed_at,
            "data": r.data}


def retention() -> timedelta:
    return timedelta(days=settings.OSP_SYNC_RETENTION_DAYS)


@transaction.atomic
def prune(*, now=None) -> int:
    """Drop changes older than the retention; cursors before them get 410 from then on."""
    cutoff = (now or timezone.now()) - retention()
    lock()
    through = (FeedChange.objects.filter(changed_at__lt=cutoff).order_by("-seq")
               .values_list("seq", flat=True).first())
    if through is None:
        return 0
    deleted, _ = FeedChange.objects.filter(seq__lte=through).delete()
    FeedHead.objects.filter(pk=1).update(pruned_through=through)
    return deleted
