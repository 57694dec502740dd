"""Who may see and change what: the one place every page, API view and service asks.

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
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, Partner, Territory
from opportunities.models import FINANCE_STAGES, Opportunity, OpportunityTeamMember
from osp.expressions import InSubquery, InValues
from osp.models import Role, User


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


def reads_everything(user: User) -> bool:
    return user.is_admin or user.has_role(Role.FINANCE)


def changes_everything(user: User) -> bool:
    return user.is_admin


# --- Visibility (querysets) ---------------------------------------------------------

# Opportunity lists, the board and the forecast filter by these on every request, for
# scopes of hundreds of people: an array parameter (InValues) keeps the statement short
# and quick to plan; InSubquery, not a correlated EXISTS, keeps the OR on indexes (see
# osp.expressions: a whole-table scan otherwise).

def _owned_in_scope(ids) -> InValues:
    return InValues(F("owner_id"), sorted(ids))


def _on_team_in_scope(ids) -> InSubquery:
    return InSubquery(F("pk"), OpportunityTeamMember.objects.filter(
        InValues(F("user_id"), sorted(ids))).values("opportunity_id"))


def _opportunity_in_scope(user: User) -> Q:
    ids = scope_user_ids(user)
    return Q(_owned_in_scope(ids)) | Q(_on_team_in_scope(ids))


def _account_in_scope(user: User) -> Q:
    # The accounts of visible deals as two uncorrelated sets (PostgreSQL hashes each once):
    # those of deals owned in scope come from the (owner, account) index alone.
    ids = scope_user_ids(user)
    owned_deals = Opportunity.objects.filter(_owned_in_scope(ids)).values("account_id")
    team_deals = Opportunity.objects.filter(_on_team_in_scope(ids)).values("account_id")
    return (Q(owner_id__in=ids) | Q(territory__owner_id__in=ids) | Q(pk__in=owned_deals)
            | Q(pk__in=team_deals))


def _account_changeable(user: User) -> Q:
    ids = scope_user_ids(user)
    return Q(owner_id__in=ids) | Q(territory__owner_id__in=ids)


def opportunities_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    qs = Opportunity.objects.all() if qs is None else qs
    return qs if reads_everything(user) else qs.filter(_opportunity_in_scope(user))


def opportunities_visible_in_parts(user: User, qs: QuerySet | None = None) -> list[QuerySet]:
    """opportunities_visible_to(user, qs) as disjoint querysets: those owned in scope, then
    those visible only through their team. For aggregates (the board's totals): each part
    on its own can be answered from an index (owner, stage, amount), where the OR of the
    two must read every visible row from the table."""
    qs = Opportunity.objects.all() if qs is None else qs
    if reads_everything(user):
        return [qs]
    ids = scope_user_ids(user)
    return [qs.filter(_owned_in_scope(ids)),
            qs.exclude(_owned_in_scope(ids)).filter(_on_team_in_scope(ids))]


def accounts_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    qs = Account.objects.all() if qs is None else qs
    return qs if reads_everything(user) else qs.filter(_account_in_scope(user))


def contacts_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    qs = Contact.objects.all() if qs is None else qs
    if reads_everything(user):
        return qs
    return qs.filter(
        Q(partner__isnull=False)
        | Q(account__in=accounts_visible_to(user, Account.all_objects.all()).values("pk"))
    )


def partners_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    return Partner.objects.all() if qs is None else qs


def territories_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    return Territory.objects.all() if qs is None else qs


def users_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    # The people directory: everybody needs it to pick owners, managers and team members.
    return User.objects.all() if qs is None else qs


def plans_visible_to(user: User, qs: QuerySet | None = None) -> QuerySet:
    from plans.models import Plan

    qs = Plan.objects.all() if qs is None else qs
    return qs if reads_everything(user) else qs.filter(owner_id__in=scope_user_ids(user))


VISIBLE = {
    Opportunity: opportunities_visible_to,
    Account: accounts_visible_to,
    Contact: contacts_visible_to,
    Partner: partners_visible_to,
    Territory: territories_visible_to,
    User: users_visible_to,
}


def visible_to(user: User, model, qs: QuerySet | None = None) -> QuerySet:
    from plans.models import Plan

    if model is Plan:
        return plans_visible_to(user, qs)
    return VISIBLE[model](user, qs)


def get_visible_or_404(user: User, model, pk, qs: QuerySet | None = None):
    try:
        return visible_to(user, model, qs).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Changes (single objects) --------------------------------------------------------

def can_change(user: User, obj) -> bool:
    """May `user` change `obj`? Call only for objects already known to be visible."""
    if not user.is_authenticated or not user.is_active:
        return False
    if changes_everything(user):
        return True
    ids = scope_user_ids(user)
    if isinstance(obj, Opportunity):
        if obj.owner_id in ids:
            return True
        return obj.team_members.filter(user_id__in=ids).exists()
    if isinstance(obj, Account):
        return Account.objects.filter(_account_changeable(user), pk=obj.pk).exists()
    if isinstance(obj, Contact):
        if obj.partner_id:
            return obj.partner.owner_id in ids
        return can_work_on_account(user, obj.account)
    if isinstance(obj, Partner | Territory):
        return obj.owner_id in ids
    if isinstance(obj, User):
        return False
    raise TypeError(f"no change rule for {type(obj).__name__}")


def require_change(user: User, obj) -> None:
    """can_change, or PermissionDenied: the one refusal of a change to a record `user`
    may see (a 403: it exists, they know)."""
    if not can_change(user, obj):
        raise PermissionDenied(_("You may see this %(record)s but not change it.")
                               % {"record": obj._meta.verbose_name})


def _account_workable(user: User) -> Q:
    return _account_changeable(user) | Q(Exists(
        Opportunity.objects.filter(_opportunity_in_scope(user), account_id=OuterRef("pk"))))


def can_work_on_account(user: User, account: Account) -> bool:
    """May `user` add contacts and opportunities to `account`? Its owners may, and so
    may whoever works a deal on it (the org chart is built by the deal team)."""
    if changes_everything(user):
        return True
    return Account.objects.filter(Q(pk=account.pk) & _account_workable(user)).exists()


def changeable_pks(user: User, model, pks) -> set[int]:
    """Which of `pks` (records already known to be visible, deleted ones included) `user`
    may change: can_change for many records in one query (sync batches)."""
    pks = set(pks)
    if not pks or changes_everything(user):
        return pks
    if not user.is_active:
        return set()
    ids = scope_user_ids(user)
    rule = {
        Opportunity: lambda: _opportunity_in_scope(user),
        Account: lambda: _account_changeable(user),
        Contact: lambda: (Q(partner__owner_id__in=ids)
                          | Q(account__in=Account.all_objects.filter(_account_workable(user)))),
        Partner: lambda: Q(owner_id__in=ids),
    }[model]()
    return set(model.all_objects.filter(rule, pk__in=pks).values_list("pk", flat=True))


def workable_account_pks(user: User, pks) -> set[int]:
    """Which of these accounts `user` may add contacts and opportunities to."""
    pks = set(pks)
    if not pks or changes_everything(user):
        return pks
    return set(Account.objects.filter(_account_workable(user), pk__in=pks)
               .values_list("pk", flat=True))


def can_create(user: User, model) -> bool:
    """May `user` create records of this kind at all? Finance only reads."""
    if changes_everything(user):
        return True
    if model is User:
        return False
    return bool(user.roles) and user.roles != [Role.FINANCE]


def can_add(user: User, model, parent=None) -> bool:
    """May `user` create a `model` record, under `parent` when given? Contacts and
    opportunities go on accounts `user` may work on (can_work_on_account); contacts go
    on partners `user` may change."""
    if not can_create(user, model):
        return False
    if parent is None:
        return True
    if isinstance(parent, Partner):
        return can_change(user, parent)
    return can_work_on_account(user, parent)


def require_add(user: User, model, parent=None) -> None:
    """can_add, or PermissionDenied saying why: a creation form only for those who may
    create (a 403, not a form that cannot be saved)."""
    if can_add(user, model, parent):
        return
    if parent is None:
        raise PermissionDenied(_("Your role cannot create %(kind)s.")
                               % {"kind": model._meta.verbose_name_plural})
    if model is Opportunity:
        raise PermissionDenied(_("You cannot open opportunities on this account."))
    raise PermissionDenied(_("You cannot add people to this partner.")
                           if isinstance(parent, Partner)
                           else _("You cannot add people to this account."))


def visible_choices(user: User, qs: QuerySet) -> QuerySet:
    """`qs` narrowed to what `user` may see, for the records a request may name (the
    choices of a form or serializer field): a hidden one is then refused exactly like one
    that does not exist, with no 403 or 404 that would confirm it exists."""
    from plans.models import Plan

    if qs.model in VISIBLE or qs.model is Plan:
        return visible_to(user, qs.model, qs)
    return qs


def assignable_owners(user: User) -> QuerySet:
    """Whom `user` may make the owner of a record: anyone for an admin, else their scope."""
    if changes_everything(user):
        return User.objects.filter(is_active=True)
    return User.objects.filter(is_active=True, pk__in=scope_user_ids(user))


def can_reassign(user: User, obj) -> bool:
    """May `user` hand `obj` (an owned record) to someone else? Its owner's management
    chain and admins may, and so may the owner: whoever has the owner in their scope. A
    place on a deal's team is the right to work it, never to take it; the new owner must
    also be one `user` may assign to (assignable_owners)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return changes_everything(user) or obj.owner_id in scope_user_ids(user)


def can_mark_finance_stages(user: User) -> bool:
    """May `user` record a payment (9.5) or a booking (10)? Finance only, on every route."""
    return user.is_active and user.has_role(Role.FINANCE)


def can_import_at(user: User, stage: str) -> bool:
    """May `user` create a deal already at `stage` (another system's history)? Whoever
    holds the import permission (and admins); a deal already paid or booked also finance,
    whose act 9.5 and 10 are."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin or user.has_perm("opportunities.import_stage"):
        return True
    return stage in FINANCE_STAGES and can_mark_finance_stages(user)
