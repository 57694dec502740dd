"""Who may act: change a record, add to it, reassign it, and the acts of the selling cycle
and the plans that belong to a role. The one place every view, API view, admin, task,
service and the sync batch asks; who may *see* is osp.access, next door, and a record's
scope (its owner, its team) is what its app registered there.

Refusals: a record the user cannot see is a 404 (osp.access), one they see but may not
change a 403 (`require_change`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from osp.access import (
    changes_everything,
    managers_of,
    rules_for,
    scope_filter,
    scope_user_ids,
)
from osp.models import Role, User


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


# --- Changing records ------------------------------------------------------------------

def can_change(user: User, obj: Model) -> bool:
    """May `user` change `obj`? Call only for objects already known to be visible."""
    if not _active(user):
        return False
    if changes_everything(user):
        return True
    rules = rules_for(type(obj))
    if rules.may_change is not None:
        return rules.may_change(user, obj)
    if not rules.change:
        return False
    return type(obj)._default_manager.filter(scope_filter(user, type(obj), "change"),
                                             pk=obj.pk).exists()


def require_change(user: User, obj: Model) -> None:
    """can_change, or PermissionDenied: the one refusal of a change to a record `user`
    may see (a 403: it exists, they know)."""
    if not can_change(user, obj):
        raise PermissionDenied(_("You may see this %(record)s but not change it.")
                               % {"record": obj._meta.verbose_name})


def changeable_pks(user: User, model: type[Model], pks) -> set[int]:
    """Which of `pks` (records already known to be visible, deleted ones included) `user`
    may change: can_change for many records in one query (sync batches)."""
    pks = set(pks)
    if not pks or changes_everything(user):
        return pks
    if not user.is_active:
        return set()
    return set(model.all_objects.filter(scope_filter(user, model, "change"), pk__in=pks)
               .values_list("pk", flat=True))


def can_work_on(user: User, parent: Model) -> bool:
    """May `user` add records under `parent` (contacts and deals on an account)? Whoever
    may change it, and whoever its app lets in besides (an account: whoever works one of
    its deals, as the org chart is built by the deal team)."""
    if changes_everything(user):
        return True
    model = type(parent)
    return model._default_manager.filter(scope_filter(user, model, "work_on"),
                                         pk=parent.pk).exists()


def workable_pks(user: User, model: type[Model], pks) -> set[int]:
    """can_work_on for many records in one query (sync batches)."""
    pks = set(pks)
    if not pks or changes_everything(user):
        return pks
    return set(model._default_manager.filter(scope_filter(user, model, "work_on"),
                                             pk__in=pks).values_list("pk", flat=True))


def can_create(user: User, model) -> bool:
    """May `user` create records of this kind at all? Finance only reads."""
    if changes_everything(user):
        return True
    if model is User:
        return False
    return bool(user.roles) and user.roles != [Role.FINANCE]


def can_add(user: User, model, parent=None) -> bool:
    """May `user` create a `model` record, under `parent` when given (can_work_on)?"""
    if not can_create(user, model):
        return False
    return parent is None or can_work_on(user, parent)


def require_add(user: User, model, parent=None) -> None:
    """can_add, or PermissionDenied saying why: a creation form only for those who may
    create (a 403, not a form that cannot be saved)."""
    if can_add(user, model, parent):
        return
    if parent is None:
        raise PermissionDenied(_("Your role cannot create %(kind)s.")
                               % {"kind": model._meta.verbose_name_plural})
    raise PermissionDenied(_("You cannot add %(kind)s to this %(parent)s.") % {
        "kind": model._meta.verbose_name_plural, "parent": parent._meta.verbose_name})


# --- Owners ----------------------------------------------------------------------------

def assignable_owners(user: User) -> QuerySet:
    """Whom `user` may make the owner of a record: anyone for an admin, else their scope."""
    if changes_everything(user):
        return User.objects.filter(is_active=True)
    return User.objects.filter(is_active=True, pk__in=scope_user_ids(user))


def can_assign_to(user: User, owner: User) -> bool:
    """May `user` make `owner` the owner of a record (a new one, or one handed over)?
    An active person in `user`'s scope; anyone active for an admin (assignable_owners, for
    one person: no query once the scope is known, as sync batches need)."""
    return owner.is_active and (changes_everything(user) or owner.pk in scope_user_ids(user))


def can_reassign(user: User, obj) -> bool:
    """May `user` hand `obj` (an owned record) to someone else? Its owner's management
    chain and admins may, and so may the owner: whoever has the owner in their scope. A
    place on a deal's team is the right to work it, never to take it; the new owner must
    also be one `user` may assign to (assignable_owners)."""
    if not _active(user):
        return False
    return changes_everything(user) or obj.owner_id in scope_user_ids(user)


# --- Acts of a role --------------------------------------------------------------------

def can_mark_finance_stages(user: User) -> bool:
    """May `user` record a payment (9.5) or a booking (10)? Finance only, on every route
    (administrators neither: the books are finance's)."""
    return _active(user) and user.has_role(Role.FINANCE)


def can_open_finance_inbox(user: User) -> bool:
    """May `user` open the finance inbox (the deals waiting for a payment or a booking)?
    Finance, and administrators, who read it without marking anything."""
    return _active(user) and (changes_everything(user) or user.has_role(Role.FINANCE))


def can_reopen(user: User, opportunity) -> bool:
    """May `user` bring a lost or no-go deal back as a lead? A manager's move: a sales
    manager who has the owner below them (the owner's manager or above, never the owner
    themselves, who lost it or decided No-Go), and administrators."""
    if not _active(user):
        return False
    if changes_everything(user):
        return True
    return (user.has_role(Role.SALES_MANAGER) and opportunity.owner_id != user.pk
            and opportunity.owner_id in scope_user_ids(user))


def can_decide_approval(user: User, request) -> bool:
    """May `user` approve, reject or send back this approval request? Its approver, or a
    manager above them when the approver is above the requester (the request went up a
    chain `user` is on), and administrators; never whoever asked for it. (A request is
    routed past a manager who wrote the plan it approves: selling_cycle.approval_request.)"""
    if not _active(user) or user.pk == request.requested_by_id:
        return False
    if changes_everything(user) or user.pk == request.approver_id:
        return True
    return (request.approver in managers_of(request.requested_by)
            and user in managers_of(request.approver))


def can_decide_plan(user: User, plan, *, submitted_by: User | None = None) -> bool:
    """May `user` approve a submitted territory, account or partner plan, or send it back?
    Four eyes: never whoever submitted it (`submitted_by`, the pending version's), nor its
    owner; one of the owner's managers who may change the plan and, when a manager of the
    owner wrote and submitted it, one above that manager (the next one up); and
    administrators other than the submitter."""
    if not _active(user) or (submitted_by is not None and user.pk == submitted_by.pk):
        return False
    if changes_everything(user):
        return True
    scope = scope_user_ids(user)
    if plan.owner_id == user.pk or plan.owner_id not in scope:
        return False
    if submitted_by is None or submitted_by.pk in scope:
        return True
    # Submitted by someone outside the owner's management chain (an administrator): the
    # owner's managers decide it.
    return submitted_by not in managers_of(plan.owner)


def can_manage_forecast(user: User) -> bool:
    """Does `user` do a manager's forecast work: take snapshots, look at their team's
    forecasts and be offered adjustments of them (each one is can_adjust_forecast)?
    Sales managers and administrators."""
    return _active(user) and (changes_everything(user) or user.has_role(Role.SALES_MANAGER))


def can_adjust_forecast(user: User, subject: User) -> bool:
    """May `user` put their own number on `subject`'s forecast? Only for someone below
    them: an administrator is nobody's manager, and nobody adjusts their own."""
    return (_active(user) and subject.pk != user.pk
            and subject.pk in scope_user_ids(user))


def can_set_away(user: User, person: User) -> bool:
    """May `user` say when `person` is away? Everyone for themselves; administrators for
    anyone."""
    return _active(user) and (user.pk == person.pk or changes_everything(user))


def can_manage_users(user: User) -> bool:
    """May `user` create people, change their roles, manager or access? Administrators."""
    return _active(user) and changes_everything(user)


def can_import(user: User, *, paid_or_booked: bool = False) -> bool:
    """May `user` create a deal already past the start (another system's history)?
    Whoever holds the import permission (and admins); a deal already paid or booked also
    finance, whose acts 9.5 and 10 are."""
    if not _active(user):
        return False
    if user.is_admin or user.has_perm("opportunities.import_stage"):
        return True
    return paid_or_booked and can_mark_finance_stages(user)
