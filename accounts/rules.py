"""Whose scope reaches accounts, contacts, partners and territories (osp.access registers
them; accounts/apps.py). Opportunities widen the account rules: opportunities/rules.py."""

from django.db.models import Q

from accounts.models import Account, Contact, Partner, Territory
from osp import access, permissions
from osp.access import scope_user_ids


def account_owned_in_scope(user) -> Q:
    ids = scope_user_ids(user)
    return Q(owner_id__in=ids) | Q(territory__owner_id__in=ids)


def contact_visible(user) -> Q:
    # A partner's people are the shared directory's; an account's follow the account.
    accounts = access.visible_to(user, Account, Account.all_objects.all())
    return Q(partner__isnull=False) | Q(account__in=accounts.values("pk"))


def contact_changeable(user) -> Q:
    workable = Account.all_objects.filter(access.scope_filter(user, Account, "work_on"))
    return Q(partner__owner_id__in=scope_user_ids(user)) | Q(account__in=workable)


def may_change_contact(user, contact) -> bool:
    if contact.partner_id:
        return contact.partner.owner_id in scope_user_ids(user)
    return permissions.can_work_on(user, contact.account)


def owned_in_scope(user) -> Q:
    return Q(owner_id__in=scope_user_ids(user))


def may_change_owned(user, record) -> bool:
    return record.owner_id in scope_user_ids(user)


def register():
    access.register(Account, see=account_owned_in_scope, change=account_owned_in_scope,
                    work_on=account_owned_in_scope)
    access.register(Contact, see=contact_visible, change=contact_changeable,
                    may_change=may_change_contact)
    # Partners and territories: everyone reads the directory; the owner's scope changes it.
    for model in (Partner, Territory):
        access.register(model, change=owned_in_scope, work_on=owned_in_scope,
                        may_change=may_change_owned)
