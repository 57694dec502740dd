"""Writes to territories, accounts, contacts and partners. Each checks who may make the
change (osp.access) and validates the whole record before saving anything."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, Partner, Territory
from accounts.signals import FLAGS, announce_flag_change, announce_org_chart_change
from osp import permissions
from osp.concurrency import check_version, locked_copy
from osp.models import User
from osp.services import (
    apply_fields,
    check_can_create,
    check_owner,
    full_clean_and_save,
    record_delete,
    record_update,
)

TERRITORY_FIELDS = ("name", "parent", "owner", "description")
ACCOUNT_FIELDS = ("name", "territory", "owner", "industry", "size", "is_named", "is_strategic",
                  "website", "business_situation", "goals", "it_base", "funding",
                  "source", "external_id")
PARTNER_FIELDS = ("name", "type", "owner", "core_competences", "solution_areas", "website",
                  "source", "external_id")
CONTACT_FIELDS = ("account", "partner", "first_name", "last_name", "title", "department",
                  "email", "phone", "reports_to", "buying_role", "influence", "attitude",
                  "notes", "source", "external_id")


def _create(model, allowed, *, user: User, fields: dict):
    check_can_create(user, model)
    fields.setdefault("owner", user)
    check_owner(user, fields["owner"])
    obj = model()
    apply_fields(obj, fields, allowed=allowed)
    return full_clean_and_save(obj)


def _update(obj, allowed, *, user: User, fields: dict, expected_version: int | None = None,
            handover_reason: str = ""):
    return record_update(obj, fields, allowed=allowed, user=user,
                         expected_version=expected_version, reason=handover_reason)


@transaction.atomic
def territory_create(*, user: User, **fields) -> Territory:
    return _create(Territory, TERRITORY_FIELDS, user=user, fields=fields)


@transaction.atomic
def territory_update(*, territory: Territory, user: User, expected_version: int | None = None,
                  handover_reason: str = "", **fields) -> Territory:
    """Change what `fields` name (nothing else); StaleRecord if `expected_version` is
    given and no longer the record's."""
    return _update(territory, TERRITORY_FIELDS, user=user, fields=fields,
                   expected_version=expected_version, handover_reason=handover_reason)


@transaction.atomic
def account_create(*, user: User, **fields) -> Account:
    return _create(Account, ACCOUNT_FIELDS, user=user, fields=fields)


@transaction.atomic
def account_update(*, account: Account, user: User, expected_version: int | None = None,
                  handover_reason: str = "", flags_reason: str = "", **fields) -> Account:
    """Change what `fields` name (nothing else); StaleRecord if `expected_version` is
    given and no longer the record's. Making it named or strategic (or no longer) changes
    the plan its deals need: they are rechecked at once, with `flags_reason` in the
    reason their owners read (the browser asks first: accounts.forms)."""
    before = {}
    account = record_update(
        account, fields, allowed=ACCOUNT_FIELDS, user=user, expected_version=expected_version,
        reason=handover_reason,
        prepare=lambda locked, _fields: before.update({f: getattr(locked, f) for f in FLAGS}))
    if any(getattr(account, f) != before[f] for f in FLAGS):
        announce_flag_change(account, flag_change_cause(user, account, flags_reason))
    return account


def flag_change_cause(user: User, account: Account, reason: str = "") -> str:
    """Who made the account named or strategic (or neither), and why: the reason the
    account's deals record when the change moves them."""
    now = [str(Account._meta.get_field(f).verbose_name) for f in FLAGS if getattr(account, f)]
    cause = _("%(who)s made %(account)s: %(flags)s") % {
        "who": user, "account": account,
        "flags": ", ".join(now) if now else _("neither a named nor a strategic account")}
    reason = (reason or "").strip()
    if not reason:
        return cause
    return _("%(cause)s. Why: %(reason)s") % {"cause": cause, "reason": reason}


@transaction.atomic
def partner_create(*, user: User, **fields) -> Partner:
    return _create(Partner, PARTNER_FIELDS, user=user, fields=fields)


@transaction.atomic
def partner_update(*, partner: Partner, user: User, expected_version: int | None = None,
                  handover_reason: str = "", **fields) -> Partner:
    """Change what `fields` name (nothing else); StaleRecord if `expected_version` is
    given and no longer the record's."""
    return _update(partner, PARTNER_FIELDS, user=user, fields=fields,
                   expected_version=expected_version, handover_reason=handover_reason)


def _check_contact_parent(user: User, contact: Contact) -> None:
    if contact.account_id and not permissions.can_work_on(user, contact.account):
        raise PermissionDenied(_("You cannot add people to this account."))
    if contact.partner_id and not permissions.can_change(user, contact.partner):
        raise PermissionDenied(_("You cannot add people to this partner."))


@transaction.atomic
def contact_create(*, user: User, **fields) -> Contact:
    check_can_create(user, Contact)
    contact = Contact()
    apply_fields(contact, fields, allowed=CONTACT_FIELDS)
    _check_contact_parent(user, contact)
    return full_clean_and_save(contact)


def _recheck_deals(account, cause):
    # The org chart feeds the stage-2 and stage-4 gates (technical and business lead).
    announce_org_chart_change(account, cause)


@transaction.atomic
def contact_update(*, contact: Contact, user: User, expected_version: int | None = None,
                   **fields) -> Contact:
    """Change what `fields` name (nothing else), on the row read under its lock."""
    contact = locked_copy(contact)
    permissions.require_change(user, contact)
    check_version(contact, expected_version)
    before = contact.account
    apply_fields(contact, fields, allowed=CONTACT_FIELDS)
    _check_contact_parent(user, contact)
    contact.updated_by = user
    full_clean_and_save(contact)
    cause = _("%(who)s changed contact %(contact)s") % {"who": user, "contact": contact}
    _recheck_deals(before, cause)
    if contact.account != before:
        _recheck_deals(contact.account, cause)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, user: User) -> None:
    account = contact.account
    name = str(contact)
    record_delete(obj=contact, user=user)
    _recheck_deals(account, _("%(who)s removed contact %(contact)s") % {"who": user,
                                                                         "contact": name})
