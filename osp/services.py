"""Writes to users and the reporting hierarchy, and the small helpers every app's services
share. Every route (browser, API, admin, commands) goes through services, so a rule
written here holds everywhere."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from osp import permissions
from osp.concurrency import check_version, locked_copy
from osp.models import ExternalRecord, OwnerChange, User
from osp.reminders import notify
from osp.signals import announce_away_change

USER_FIELDS = ("username", "first_name", "last_name", "email", "title", "roles", "manager",
               "is_active", "away_from", "away_until")


def full_clean_and_save(obj, *, exclude=None):
    """Validate every field and model rule, then save; raises ValidationError and writes
    nothing when anything is wrong."""
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


def apply_fields(obj, fields: dict, *, allowed: tuple[str, ...]):
    """Set `fields` on `obj`, refusing any name not in `allowed` with a clear message."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be written here.") for name in unknown})
    for name, value in fields.items():
        setattr(obj, name, value)



def check_can_create(user: User, model) -> None:
    """permissions.require_add without a parent: may `user`'s role create these at all."""
    permissions.require_add(user, model)


def owner_error(user: User, owner: User) -> str | None:
    """Why `user` may not give a record to `owner` (permissions.can_assign_to), or None.
    The services and the sync batch ask this."""
    if permissions.can_assign_to(user, owner):
        return None
    return _("You can only assign records to yourself or to people who report to you.")


def check_owner(user: User, owner: User | None, *, field: str = "owner") -> None:
    """Records may only be given to someone in the writer's scope."""
    if owner is not None and (error := owner_error(user, owner)):
        raise ValidationError({field: error})


def check_reassign(user: User, obj, owner: User | None) -> None:
    """`user` may hand `obj` to `owner` (osp.access.can_reassign, then check_owner)."""
    if not permissions.can_reassign(user, obj):
        raise PermissionDenied(_("Only the owner, the owner's managers and administrators "
                                 "can hand this record to someone else. Ask %(owner)s or "
                                 "their manager.") % {"owner": obj.owner})
    if owner is None:
        raise ValidationError({"owner": _("This field is required.")})
    check_owner(user, owner)


def owner_change_record(*, obj, from_owner: User | None, by: User, reason: str = "") -> None:
    """Keep the handover in the record's history and tell both owners and their managers
    (not the person who made it) once the change commits."""
    OwnerChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        from_owner=from_owner, to_owner=obj.owner, by=by, reason=(reason or "").strip())
    told = [from_owner, obj.owner]
    told += [p.manager for p in told if p is not None]
    told = [p for p in told if p is not None and p.pk != by.pk]
    opportunity = obj if obj._meta.label == "opportunities.Opportunity" else None
    kind, name = obj._meta.verbose_name, str(obj)  # kind: lazy, read in each language
    who, old, new = str(by), str(from_owner or "—"), str(obj.owner)
    transaction.on_commit(lambda: notify(
        told, opportunity=opportunity,
        render=lambda: _("%(who)s handed %(kind)s %(name)s from %(from)s to %(to)s.")
        % {"who": who, "kind": kind, "name": name, "from": old, "to": new}
        + (" " + _("Reason: %(reason)s") % {"reason": reason.strip()}
           if reason and reason.strip() else "")))


def record_update(obj, fields: dict, *, allowed: tuple[str, ...], user: User,
                  expected_version: int | None = None, reason: str = "", prepare=None,
                  save=full_clean_and_save):
    """The update every service of an owned record shares. Inside the caller's
    transaction: the record re-read under its row lock (osp.concurrency.locked_copy,
    StaleRecord if `expected_version` is no longer its version), who may change it and
    who may hand it over checked on that copy, `prepare(copy, fields)` (the record's own
    rules), only `fields` applied, then `save(copy)` (validates and saves) and a change
    of owner kept in its history. Returns the saved copy."""
    obj = locked_copy(obj)
    permissions.require_change(user, obj)
    if hasattr(obj, "version"):
        check_version(obj, expected_version)
    handed_over = "owner" in fields and getattr(fields["owner"], "pk", None) != obj.owner_id
    from_owner = obj.owner if handed_over else None
    if handed_over:
        check_reassign(user, obj, fields["owner"])
    if prepare is not None:
        prepare(obj, fields)
    apply_fields(obj, fields, allowed=allowed)
    if hasattr(obj, "updated_by_id"):
        obj.updated_by = user
    save(obj)
    if handed_over:
        owner_change_record(obj=obj, from_owner=from_owner, by=user, reason=reason)
    return obj


def _check_admin(actor: User) -> None:
    if not permissions.can_manage_users(actor):
        raise PermissionDenied(_("Only an administrator can manage users."))


@transaction.atomic
def user_create(*, actor: User | None = None, password: str | None = None, **fields) -> User:
    """Create a user. `actor` is None only for trusted callers (demo data, commands)."""
    if actor is not None:
        _check_admin(actor)
    user = User()
    apply_fields(user, fields, allowed=USER_FIELDS)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    return full_clean_and_save(user)


@transaction.atomic
def user_update(*, actor: User | None, user: User, password: str | None = None,
                **fields) -> User:
    if actor is not None:
        _check_admin(actor)
    # Lock our row so two concurrent manager changes cannot together close a loop.
    User.objects.select_for_update().filter(pk=user.pk).first()
    away = (user.away_from, user.away_until)
    apply_fields(user, fields, allowed=USER_FIELDS)
    if password:
        user.set_password(password)
    saved = full_clean_and_save(user)
    if (saved.away_from, saved.away_until) != away:
        announce_away_change(saved)
    return saved


@transaction.atomic
def user_away_set(*, actor: User, user: User, away_from, away_until=None) -> User:
    """Mark `user` away from `away_from` to `away_until` (the last day away; None: until
    further notice), or back (both None). People set their own; administrators anyone's."""
    if not permissions.can_set_away(actor, user):
        raise PermissionDenied(_("You can only say when you yourself are away."))
    if away_until is not None and away_from is None:
        raise ValidationError({"away_from": _("Say from which day.")})
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = (locked.away_from, locked.away_until)
    locked.away_from, locked.away_until = away_from, away_until
    saved = full_clean_and_save(locked)
    if (saved.away_from, saved.away_until) != before:
        announce_away_change(saved)
    return saved


@transaction.atomic
def record_delete(*, obj, user: User) -> None:
    """Delete a record the user may change; refuse clearly when others still depend on it.
    Synced records (accounts, contacts, partners, opportunities) are deleted softly: they
    disappear everywhere, their history stays, and the change feed publishes a tombstone."""
    permissions.require_change(user, obj)
    if isinstance(obj, ExternalRecord):
        _soft_delete(obj)
        return
    try:
        obj.delete()
    except ProtectedError as e:
        _refuse_delete(obj, {o._meta.verbose_name_plural for o in e.protected_objects})


def _refuse_delete(obj, kinds):
    raise ValidationError(
        _("%(record)s cannot be deleted while it still has %(kinds)s; move or delete "
          "those first.") % {"record": obj, "kinds": ", ".join(sorted(map(str, kinds)))}
    ) from None


def _soft_delete(obj) -> None:
    if kinds := obj.soft_delete_blockers():
        _refuse_delete(obj, kinds)
    obj = locked_copy(obj)  # the synced-writes lock, then the row's: deleted as it is now
    now = timezone.now()
    obj.soft_delete_dependents(now)
    obj.deleted_at = now
    obj.save()
