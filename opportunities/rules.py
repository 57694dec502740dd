"""Whose scope reaches opportunities, and the accounts they open up (osp.access registers
them; opportunities/apps.py): a deal is visible, and changeable, when its owner or someone
on its team is in scope; its account is then visible too, and open to new contacts and
deals (the deal team builds the org chart)."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import Account
from opportunities.models import Opportunity, OpportunityTeamMember
from osp import access
from osp.access import scope_user_ids
from osp.expressions import InSubquery, InValues

# Opportunity lists, the board and the forecast filter by these on every request, for
# scopes of hundreds of people: an array parameter (InValues) keeps the statement short
# and quick to plan; InSubquery, not a correlated EXISTS, keeps the OR on indexes (see
# osp.expressions: a whole-table scan otherwise).


def owned_in_scope(ids) -> InValues:
    return InValues(F("owner_id"), sorted(ids))


def on_team_in_scope(ids) -> InSubquery:
    return InSubquery(F("pk"), OpportunityTeamMember.objects.filter(
        InValues(F("user_id"), sorted(ids))).values("opportunity_id"))


def opportunity_in_scope(user) -> Q:
    ids = scope_user_ids(user)
    return Q(owned_in_scope(ids)) | Q(on_team_in_scope(ids))


def may_change_opportunity(user, opportunity) -> bool:
    ids = scope_user_ids(user)
    if opportunity.owner_id in ids:
        return True
    # The team as loaded with the deal when the caller prefetched it (the opportunity
    # page does, and asks this once for each move it offers), else one query.
    team = getattr(opportunity, "_prefetched_objects_cache", {}).get("team_members")
    if team is not None:
        return any(member.user_id in ids for member in team)
    return opportunity.team_members.filter(user_id__in=ids).exists()


def account_of_deal_in_scope(user) -> Q:
    # The accounts of visible deals as two uncorrelated sets (PostgreSQL hashes each once):
    # those of deals owned in scope come from the (owner, account) index alone.
    ids = scope_user_ids(user)
    owned_deals = Opportunity.objects.filter(owned_in_scope(ids)).values("account_id")
    team_deals = Opportunity.objects.filter(on_team_in_scope(ids)).values("account_id")
    return Q(pk__in=owned_deals) | Q(pk__in=team_deals)


def account_with_deal_in_scope(user) -> Q:
    return Q(Exists(Opportunity.objects.filter(opportunity_in_scope(user),
                                               account_id=OuterRef("pk"))))


def opportunities_visible_in_parts(user, qs: QuerySet | None = None) -> list[QuerySet]:
    """access.visible_to(user, Opportunity, qs) as disjoint querysets: those owned in
    scope, then those visible only through their team. For aggregates (the board's
    totals): each part on its own can be answered from an index (owner, stage, amount),
    where the OR of the two must read every visible row from the table."""
    qs = Opportunity.objects.all() if qs is None else qs
    if access.reads_everything(user):
        return [qs]
    ids = scope_user_ids(user)
    return [qs.filter(owned_in_scope(ids)),
            qs.exclude(owned_in_scope(ids)).filter(on_team_in_scope(ids))]


def register():
    access.register(Opportunity, see=opportunity_in_scope, change=opportunity_in_scope,
                    may_change=may_change_opportunity)
    access.register(Account, see=account_of_deal_in_scope,
                    work_on=account_with_deal_in_scope)
