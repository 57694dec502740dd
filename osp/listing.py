"""API list pages from plain rows (issue #7): the same JSON as the serializer, a fraction
of the work.

DRF builds a list page by making a model instance per row, prefetching the nested lists
through the related managers (a queryset clone per row and relation) and asking every
field of every row for its attribute. For a 50-row page of opportunities that was 25 ms
of Python on 3 ms of SQL. A `RowPlan` reads the serializer once, turns each readable field
into a column of `.values()` and the converter its `to_representation` would apply, and
fetches each nested list in one query for the whole page. The serializer stays the single
definition of the representation (the schema, the detail and the writes use it as
before); a serializer with a field the plan cannot express (a method field, a source it
cannot map to columns) is simply listed by DRF as before. tests/api/test_list_rows.py
checks, for every record list, that both give the same JSON.

A model attribute that is not a column but derives from columns (`User.__str__`,
`Opportunity.stage_label`) is declared on the model in `derived_from_columns`:
{attribute: (columns, function of those columns' values)}.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import psycopg
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from osp.expressions import InValues

# Fields whose to_representation returns a database value of their own type unchanged.
_AS_STORED = (serializers.CharField, serializers.ChoiceField, serializers.IntegerField,
              serializers.BooleanField, serializers.PrimaryKeyRelatedField,
              serializers.JSONField)
# The model fields that store what those give back (text, numbers, booleans, ids, JSON).
_STORED_TYPES = (models.CharField, models.TextField, models.IntegerField,
                 models.BooleanField, models.ForeignKey, models.JSONField, models.AutoField)
# What the database driver returns as Django would (no from_db_value conversion).
_PLAIN_TYPES = (models.CharField, models.TextField, models.IntegerField,
                models.BooleanField, models.ForeignKey, models.AutoField)
# Fields whose to_representation needs the value itself (decimals, dates and times).
_CONVERTED = (serializers.DecimalField, serializers.DateField, serializers.DateTimeField)


class Unsupported(Exception):
    """The plan cannot express this serializer: the list stays DRF's."""


@dataclass(frozen=True)
class _Column:
    name: str  # the key in the JSON
    columns: tuple[str, ...]  # the .values() columns it reads
    convert: object  # None (the value as stored) or a function of the columns' values
    derived: bool = False  # convert takes every column (a derived attribute)
    field: serializers.Field | None = None
    plain: bool = False  # read as the driver returns it, and shown as read

    def converter(self):
        """The function for this page. A date-time's time zone (a thread-local lookup)
        is found once a page instead of once a value; a derived value (an owner's name,
        a stage's label in the current language) is worked out once per distinct input."""
        if self.derived:
            known, function = {}, self.convert

            def derive(*values):
                if values not in known:
                    known[values] = function(*values)
                return known[values]
            return derive
        if isinstance(self.field, serializers.DateTimeField) and _iso(self.field):
            zone = (self.field.timezone if hasattr(self.field, "timezone")
                    else self.field.default_timezone())
            if zone is not None:
                slow = self.convert

                def moment(value):
                    if value.tzinfo is None:
                        return slow(value)
                    text = value.astimezone(zone).isoformat()
                    return text[:-6] + "Z" if text.endswith("+00:00") else text
                return moment
        return self.convert


def _iso(field) -> bool:
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return isinstance(output, str) and output.lower() == ISO_8601


@dataclass(frozen=True)
class _Nested:
    name: str
    statement: "_Statement"  # the page's ids -> (owner id, *item columns) rows
    grouped: object  # those rows -> {owner id: [item, ...]}


def _path(model, source_attrs: list[str], allow_null: bool):
    """(the model at the end, its field, the lookup path) for a serializer source such as
    ["account", "name"]; the last attribute may be a derived one (field None)."""
    lookups = []
    for index, attr in enumerate(source_attrs):
        last = index == len(source_attrs) - 1
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            if last and attr in getattr(model, "derived_from_columns", {}):
                return model, None, lookups + [attr]
            raise Unsupported(f"{model.__name__}.{attr} is not a column") from None
        lookups.append(attr)
        if last:
            return model, field, lookups
        if not field.many_to_one or (field.null and not allow_null):
            # Through an empty relation DRF leaves such a field out; values() says None.
            raise Unsupported(f"{model.__name__}.{attr} is not a required foreign key")
        model = field.related_model
    raise Unsupported("empty source")


def _column(model, name: str, field: serializers.Field) -> _Column:
    if field.source == "*":
        raise Unsupported(f"{name}: the whole object")
    end_model, model_field, lookups = _path(model, field.source_attrs, field.allow_null)
    prefix = "__".join(lookups[:-1])
    if model_field is None:  # derived from columns of end_model
        if len(lookups) > 1 and field.allow_null:  # maybe through an empty relation
            raise Unsupported(f"{name}: derived through an optional relation")
        columns, function = end_model.derived_from_columns[lookups[-1]]
        if not isinstance(field, serializers.CharField):
            raise Unsupported(f"{name}: a derived attribute read by {type(field).__name__}")
        return _Column(name, tuple(f"{prefix}__{c}" if prefix else c for c in columns),
                       function, derived=True)
    if model_field.is_relation and not model_field.many_to_one:
        raise Unsupported(f"{name}: a to-many relation outside a nested list")
    column = "__".join(lookups)
    if isinstance(field, serializers.DecimalField):
        return _Column(name, (column,), _decimal_text(field), field=field)
    if isinstance(field, _CONVERTED):
        return _Column(name, (column,), field.to_representation, field=field)
    if isinstance(field, _AS_STORED) and isinstance(model_field, _STORED_TYPES):
        if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field:
            raise Unsupported(f"{name}: a converted primary key")
        return _Column(name, (column,), None, plain=isinstance(model_field, _PLAIN_TYPES))
    raise Unsupported(f"{name}: {type(field).__name__} over {type(model_field).__name__}")


def _decimal_text(field: serializers.DecimalField):
    """field.to_representation, without its quantize (a copied decimal context each time)
    for what a numeric(p, s) column returns: a Decimal already at the field's scale."""
    slow = field.to_representation
    if (field.decimal_places is None or field.localize
            or not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)):
        return slow
    exponent = -field.decimal_places

    def text(value):
        if isinstance(value, Decimal) and value.as_tuple().exponent == exponent:
            return f"{value:f}"
        return slow(value)
    return text


def _readable(serializer) -> dict:
    return {name: f for name, f in serializer.fields.items() if not f.write_only}


class _Statement:
    """A nested list's query for a page of ids. On PostgreSQL it is compiled once and run
    with each page's ids as its one array parameter (osp.expressions.InValues): building
    and compiling the queryset cost several times what the database takes to answer it.
    Elsewhere, or where a column needs Django's conversion of what the driver returns
    (JSON, say), it is an ordinary queryset each time.

    `start` sends it and `finish` reads its rows, so that a page's nested lists can travel
    to the database together (`_together`)."""

    def __init__(self, make, plain: bool):
        self.make, self.plain = make, plain  # make(ids) -> a values_list queryset
        self.compiled = None

    def start(self, ids):
        if not self.plain or connection.vendor != "postgresql":
            return list(self.make(ids))
        if self.compiled is None:
            marker = object()
            sql, params = self.make([marker]).query.sql_with_params()
            position = next(i for i, p in enumerate(params) if p == [marker])
            self.compiled = (sql, params, position)
        sql, params, position = self.compiled
        cursor = connection.cursor()
        cursor.execute(sql, (*params[:position], ids, *params[position + 1:]))
        return cursor

    @staticmethod
    def finish(started) -> list:
        if isinstance(started, list):
            return started
        with started:
            return started.fetchall()


@contextmanager
def _together():
    """Statements started inside travel to PostgreSQL in one round trip (psycopg's
    pipeline mode): a page's three nested lists took 0.83 ms one after the other, 0.49 ms
    together."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    if not psycopg.Pipeline.is_supported():
        yield
        return
    with connection.connection.pipeline():
        yield


def _nested(model, name: str, field) -> _Nested:
    """A nested list (a ListSerializer of a reverse foreign key, or a many-to-many of
    slugs) as one query for the whole page, in the related model's own order."""
    try:
        relation = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        raise Unsupported(f"{name}: {field.source} is not a relation") from None
    if isinstance(field, serializers.ListSerializer) and relation.one_to_many:
        related, key = relation.related_model, relation.field.attname
        items = [_column(related, n, f) for n, f in _readable(field.child).items()]
        if any(c.derived for c in items):
            raise Unsupported(f"{name}: a derived attribute in a nested list")
        order = list(related._meta.ordering) or ["pk"]
        statement = _Statement(
            lambda ids: related._default_manager.filter(InValues(F(key), ids)).order_by(*order)
            .values_list(key, *(c.columns[0] for c in items)),
            plain=all(c.plain for c in items))

        def grouped(rows):
            found = {}
            for owner, *values in rows:
                found.setdefault(owner, []).append(
                    {c.name: v if v is None or c.convert is None else c.convert(v)
                     for c, v in zip(items, values, strict=True)})
            return found
        return _Nested(name, statement, grouped)
    if (isinstance(field, serializers.ManyRelatedField) and relation.many_to_many
            and not relation.auto_created
            and isinstance(field.child_relation, serializers.SlugRelatedField)):
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        slug = field.child_relation.slug_field
        order = [f"{target}__{o}" for o in relation.related_model._meta.ordering] or ["pk"]
        slug_field = relation.related_model._meta.get_field(slug)
        statement = _Statement(
            lambda ids: through._default_manager.filter(InValues(F(f"{source}_id"), ids))
            .order_by(*order).values_list(f"{source}_id", f"{target}__{slug}"),
            plain=isinstance(slug_field, _PLAIN_TYPES))

        def grouped(rows):
            found = {}
            for owner, value in rows:
                found.setdefault(owner, []).append(value)
            return found
        return _Nested(name, statement, grouped)
    raise Unsupported(f"{name}: {type(field).__name__} of {field.source}")


class RowPlan:
    """How to list `serializer_class` from `.values()` rows."""

    def __init__(self, serializer_class):
        serializer = serializer_class()
        model = serializer.Meta.model
        self.parts = []  # _Column and _Nested, in the serializer's order
        for name, field in _readable(serializer).items():
            if isinstance(field, serializers.ListSerializer | serializers.ManyRelatedField):
                self.parts.append(_nested(model, name, field))
            elif field.default is not empty and field.read_only:
                raise Unsupported(f"{name}: a read-only field with a default")
            else:
                self.parts.append(_column(model, name, field))
        self.fetched = sorted({"pk", *(c for part in self.parts
                                       if isinstance(part, _Column) for c in part.columns)})

    def values(self, qs, extra=()):
        """The queryset as the rows the plan reads (plus `extra` columns, e.g. the
        ordering a cursor is made of); select_related and prefetches are dropped."""
        return qs.select_related(None).prefetch_related(None).values(
            *dict.fromkeys([*self.fetched, *extra]))

    def represent(self, rows) -> list[dict]:
        ids = [row["pk"] for row in rows]
        if not ids:
            return []
        nested = [part for part in self.parts if isinstance(part, _Nested)]
        with _together():
            started = [part.statement.start(ids) for part in nested]
        items = {part.name: part.grouped(part.statement.finish(pending))
                 for part, pending in zip(nested, started, strict=True)}
        steps = []  # (key, kind, what): the page's work for each part, prepared once
        for part in self.parts:
            if isinstance(part, _Nested):
                steps.append((part.name, 0, items[part.name]))
            elif part.derived:
                steps.append((part.name, 1, (part.columns, part.converter())))
            else:
                steps.append((part.name, 2, (part.columns[0], part.converter())))
        out = []
        for row in rows:
            item = {}
            for key, kind, what in steps:
                if kind == 2:
                    column, convert = what
                    value = row[column]
                    item[key] = value if value is None or convert is None else convert(value)
                elif kind == 1:
                    columns, convert = what
                    item[key] = convert(*(row[c] for c in columns))
                else:
                    item[key] = what.get(row["pk"], [])
            out.append(item)
        return out


@cache
def row_plan(serializer_class) -> RowPlan | None:
    """The plan for `serializer_class`, or None where DRF must list it."""
    try:
        return RowPlan(serializer_class)
    except Unsupported:
        return None
