"""Who may see what: the one place every page, API view, service and sync batch asks.
(Who may *act* — change, reassign, approve, decide, mark finance stages, import, reopen —
is decided next door, in osp.permissions.)

The rules (issue #2):
- everyone works within a *scope*: themselves and everyone below them in the manager
  hierarchy; a rep's scope is just the rep;
- an opportunity is visible when its owner or a team member is in scope;
- an account is visible when its owner or its territory's owner is in scope, or when one
  of its opportunities is visible; contacts follow their account (or partner);
- partners and territories are the company's shared directory: every signed-in user reads
  them; their owner's scope changes them;
- finance reads everything and changes nothing here; admins read and change everything.

Anything not visible is a 404 (never a 403 that would confirm it exists); something
visible but not changeable is a 403.

The core knows no app's records: each app registers, for its models, the records a user's
scope reaches (`register`, from its AppConfig.ready(); see accounts/rules.py,
opportunities/rules.py, plans/rules.py). An app above may widen a rule of an app below
(opportunities: an account is also visible through its visible deals); the parts are
OR-ed, in the order the apps are installed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from osp.models import Role, User

ScopeRule = Callable[[User], Q]  # the records `user`'s scope reaches, as a filter


def scope_user_ids(user: User) -> frozenset[int]:
    """The user and everyone below them in the hierarchy. One query, cached on the
    user object for the request."""
    cached = getattr(user, "_osp_scope_ids", None)
    if cached is None:
        cached = frozenset(pk for pk, *_names in scope_people(user))
        user._osp_scope_ids = cached
    return cached


def scope_people(user: User) -> list[tuple[int, str, str, str]]:
    """(id, first name, last name, username) of the user's scope, in the order people are
    listed (User.Meta.ordering). The same query as the scope's ids: a list page offers
    them as its owner filter without a query of its own."""
    cached = getattr(user, "_osp_scope_people", None)
    if cached is not None:
        return cached
    # A recursive query (PostgreSQL and SQLite alike): only the scope's rows come back,
    # not the whole company's hierarchy.
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE scope(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT u.id FROM "
            f"{table} u JOIN scope s ON u.manager_id = s.id) "
            f"SELECT p.id, p.first_name, p.last_name, p.username FROM scope s JOIN {table} p "
            "ON p.id = s.id ORDER BY p.first_name, p.last_name, p.username", [user.pk])
        user._osp_scope_people = cursor.fetchall()
    return user._osp_scope_people


def managers_of(user: User) -> list[User]:
    """The user's management chain, nearest first: their manager, that one's manager, and
    so on up (a loop in the hierarchy ends the walk)."""
    chain, node, seen = [], user.manager, set()
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.manager
    return chain


def reads_everything(user: User) -> bool:
    return user.is_admin or user.has_role(Role.FINANCE)


def changes_everything(user: User) -> bool:
    return user.is_admin


# --- The rules apps register -----------------------------------------------------------

@dataclass
class RecordRules:
    """What an app says about one model's records. Each list holds ScopeRules, OR-ed."""

    see: list[ScopeRule] = field(default_factory=list)  # empty: everyone sees every record
    change: list[ScopeRule] = field(default_factory=list)  # empty: only admins change them
    work_on: list[ScopeRule] = field(default_factory=list)  # may add records under them
    # The same question as `change` for one record, answered without a query where its
    # own fields suffice (an owner in scope); osp.permissions.can_change asks it.
    may_change: Callable[[User, Model], bool] | None = None


_RULES: dict[type[Model], RecordRules] = {}


def register(model: type[Model], *, see: ScopeRule | None = None,
             change: ScopeRule | None = None, work_on: ScopeRule | None = None,
             may_change: Callable[[User, Model], bool] | None = None) -> None:
    """Add to `model`'s rules (from an AppConfig.ready(): once a process)."""
    rules = _RULES.setdefault(model, RecordRules())
    for kind, rule in (("see", see), ("change", change), ("work_on", work_on)):
        if rule is not None:
            getattr(rules, kind).append(rule)
    if may_change is not None:
        rules.may_change = may_change


def rules_for(model: type[Model]) -> RecordRules:
    try:
        return _RULES[model]
    except KeyError:
        raise TypeError(f"no access rules registered for {model.__name__}") from None


def scope_filter(user: User, model: type[Model], kind: str) -> Q:
    """The records of `model` that `user`'s scope reaches for `kind` (see, change,
    work_on): the OR of the registered rules; nothing when there are none."""
    rules = getattr(rules_for(model), kind)
    return reduce(or_, (rule(user) for rule in rules)) if rules else Q(pk__in=[])


# --- Visibility (querysets) ------------------------------------------------------------

def visible_to(user: User, model: type[Model], qs: QuerySet | None = None) -> QuerySet:
    qs = model.objects.all() if qs is None else qs
    if not rules_for(model).see or reads_everything(user):
        return qs
    return qs.filter(scope_filter(user, model, "see"))


def get_visible_or_404(user: User, model, pk, qs: QuerySet | None = None):
    try:
        return visible_to(user, model, qs).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_choices(user: User, qs: QuerySet) -> QuerySet:
    """`qs` narrowed to what `user` may see, for the records a request may name (the
    choices of a form or serializer field): a hidden one is then refused exactly like one
    that does not exist, with no 403 or 404 that would confirm it exists."""
    if qs.model in _RULES:
        return visible_to(user, qs.model, qs)
    return qs
