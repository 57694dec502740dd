"""Whose scope reaches plans (osp.access registers it; plans/apps.py): a plan is seen and
changed by its owner's scope, which is the owner and their management chain."""

from django.db.models import Q

from osp import access
from osp.access import scope_user_ids
from plans.models import Plan


def owned_in_scope(user) -> Q:
    return Q(owner_id__in=scope_user_ids(user))


def may_change_plan(user, plan) -> bool:
    return plan.owner_id in scope_user_ids(user)


def register():
    access.register(Plan, see=owned_in_scope, change=owned_in_scope,
                    may_change=may_change_plan)
