"""Keyset ("cursor") pagination, shared by the browser lists and the API.

A page is "the N rows after (or before) this row in this order", found by a range
condition on the ordering columns, so the database reads N+1 rows through an index
whatever the page's depth, and never counts the table to draw a pager. Offset pagination
(`?page=400`) reads and throws away every row before the page, and its page count is a
COUNT over everything visible: at a million opportunities each is a full scan.

The ordering always ends with the primary key, so every row has a distinct position and
rows with equal values (two deals closing the same day) are neither skipped nor repeated.
Ordering columns must be NOT NULL (a NULL has no place in `>`).

The cursor names the boundary row by its ordering values: base64 of
`{"o": ordering, "v": values, "r": 1 if the page lies before the row}`. It carries no
rights: the page query keeps every visibility rule and filter of the list.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Value
from django.db.models.constants import LOOKUP_SEP


class InvalidCursor(ValueError):
    pass


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None  # the rows after the last one shown
    previous_cursor: str | None  # the rows before the first one shown

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def ordering_of(qs: QuerySet) -> list[str]:
    """The queryset's ordering ("-amount_base", "account__name", ...), ending with "pk"."""
    ordering = list(qs.query.order_by) or list(qs.model._meta.ordering)
    keys = []
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            raise ValueError(f"keyset pagination orders by field names, not {item!r}")
        keys.append(item)
    if not any(k.lstrip("-") in ("pk", qs.model._meta.pk.name) for k in keys):
        last_descending = bool(keys) and keys[-1].startswith("-")
        keys.append("-pk" if last_descending else "pk")
    return keys


def _field(model, path: str):
    """The model field at the end of a lookup path ("account__name")."""
    parts = path.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if index < len(parts) - 1:
            model = field.related_model
    if field.null:
        raise ValueError(f"keyset pagination cannot order by the nullable field {path!r}")
    return field


def _value(row, path: str):
    if isinstance(row, dict):  # a .values() row
        return row[path]
    for part in path.split(LOOKUP_SEP):
        row = getattr(row, part)
    return row


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(ordering: list[str], row, *, before: bool) -> str:
    data = {"o": ordering, "v": [_plain(_value(row, k.lstrip("-"))) for k in ordering]}
    if before:
        data["r"] = 1
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, ordering: list[str], model) -> tuple[list, bool]:
    """(the boundary row's ordering values, whether the page lies before it). A cursor made
    for another ordering (the sort changed) or tampered with is an InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data["o"] != ordering or len(data["v"]) != len(ordering):
            raise InvalidCursor("the cursor belongs to another ordering")
        values = [_field(model, k.lstrip("-")).to_python(v)
                  for k, v in zip(ordering, data["v"], strict=True)]
    except InvalidCursor:
        raise
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError,
            FieldDoesNotExist) as e:
        raise InvalidCursor(str(e)) from None
    if any(v is None for v in values):
        raise InvalidCursor("empty value in the cursor")
    return values, bool(data.get("r"))


class _RowComparison(Expression):
    """`(a, b) > (x, y)`: one range condition that an index on (a, b) answers directly,
    where the equivalent OR of comparisons is tested row by row (slow when many rows share
    the leading value, e.g. ordering by stage). PostgreSQL and SQLite (3.15+) both have
    row values."""

    output_field = BooleanField()

    def __init__(self, columns: list, values: list, operator: str):
        super().__init__()
        self.columns, self.values, self.operator = columns, values, operator

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, exprs):
        n = len(self.columns)
        self.columns, self.values = exprs[:n], exprs[n:]

    def as_sql(self, compiler, connection):
        sides, params = [], []
        for expressions in (self.columns, self.values):
            parts = []
            for expression in expressions:
                sql, p = compiler.compile(expression)
                parts.append(sql)
                params.extend(p)
            sides.append(", ".join(parts))
        return f"({sides[0]}) {self.operator} ({sides[1]})", params


def _beyond(model, ordering: list[str], values: list, *, before: bool) -> Q:
    """The rows after (or before) the boundary row in `ordering`.

    All in one direction: the row comparison (a, pk) > (va, vpk). Mixed directions
    (a, -b, pk): a > va OR (a = va AND b < vb) OR (a = va AND b = vb AND pk > vpk). Either
    way the leading column's bound (a >= va) is repeated on its own, so that the database
    starts an index scan there (also for a column of a joined table)."""
    first = ordering[0]
    bound = "gte" if (not first.startswith("-")) != before else "lte"
    leading = Q(**{f"{first.lstrip('-')}__{bound}": values[0]})
    descending = {key.startswith("-") for key in ordering}
    if len(descending) == 1:
        after = descending == {False}
        columns = [F(key.lstrip("-")) for key in ordering]
        typed = [Value(v, output_field=_field(model, key.lstrip("-")))
                 for key, v in zip(ordering, values, strict=True)]
        return leading & Q(_RowComparison(columns, typed, ">" if after != before else "<"))
    branches, equal = [], Q()
    for key, value in zip(ordering, values, strict=True):
        name = key.lstrip("-")
        lookup = "gt" if (not key.startswith("-")) != before else "lt"
        branches.append(equal & Q(**{f"{name}__{lookup}": value}))
        equal &= Q(**{name: value})
    return leading & reduce(or_, branches)


def _reversed(ordering: list[str]) -> list[str]:
    return [k[1:] if k.startswith("-") else f"-{k}" for k in ordering]


def keyset_page(qs: QuerySet, *, size: int, cursor: str | None = None) -> KeysetPage:
    """The page of `qs` (in its ordering) that `cursor` points to, the first page without
    one. One query of `size` + 1 rows; raises InvalidCursor."""
    ordering = ordering_of(qs)
    before = False
    if cursor:
        values, before = decode_cursor(cursor, ordering, qs.model)
        qs = qs.filter(_beyond(qs.model, ordering, values, before=before))
    rows = list(qs.order_by(*(_reversed(ordering) if before else ordering))[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if before:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)
    # Moving forward, rows remain before the page when we came from one; moving back,
    # the boundary row we came from follows the page.
    has_next = more if not before else True
    has_previous = more if before else bool(cursor)
    return KeysetPage(
        rows,
        encode_cursor(ordering, rows[-1], before=False) if has_next else None,
        encode_cursor(ordering, rows[0], before=True) if has_previous else None,
    )
