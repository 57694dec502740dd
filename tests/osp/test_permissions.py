"""osp.permissions, one rule at a time, with the personas (tests/conftest.py): rep_a owns
the deals and the plan, manager_a is their manager, director is above manager_a and
manager_b, manager_b manages another team, finance reads everything, admin administers.
The permission matrix (test_permission_matrix.py) walks every route with the same rules;
these say what each function answers and why."""

import datetime

import django_fsm as fsm
import pytest
from django.utils import timezone

from opportunities import selling_cycle as cycle
from opportunities.models import Opportunity, OpportunityTeamMember, TeamRole
from opportunities.selectors import moves_offered, stage_panel
from osp import permissions
from plans import services as plans
from tests.factories import (
    AccountFactory,
    OpportunityFactory,
    TerritoryFactory,
    UserFactory,
    import_at,
)

PERSONAS = ["rep_a", "rep_a2", "presales_a", "manager_a", "director", "manager_b", "rep_b",
            "finance", "admin"]


def answers(people, ask) -> set[str]:
    """The personas for whom `ask(user)` is true."""
    return {name for name in PERSONAS if ask(getattr(people, name))}


@pytest.fixture
def deal(people):
    return OpportunityFactory(account=AccountFactory(owner=people.rep_a))


@pytest.fixture
def lost(people, deal):
    return import_at(deal, people.admin, "lost")


# --- Reopening ------------------------------------------------------------------------

def test_reopening_is_for_the_owners_manager_or_above_and_admins(people, lost):
    assert answers(people, lambda u: permissions.can_reopen(u, lost)) == {
        "manager_a", "director", "admin"}


def test_the_state_machine_asks_the_same_rule_as_the_page_and_the_service(people, lost):
    # The reopen transition used to let any sales manager through (manager_b's team is
    # not rep_a's); the page and the service asked for the owner's manager. Now all three
    # ask permissions.can_reopen.
    assert not fsm.has_transition_perm(lost.reopen, people.manager_b)
    assert fsm.has_transition_perm(lost.reopen, people.manager_a)
    offered = {name for name in PERSONAS
               if stage_panel(lost, getattr(people, name))["moves"]["reopen"]}
    assert offered == {"manager_a", "director", "admin"}


def test_a_manager_does_not_reopen_their_own_deal_nor_does_a_rep_with_reports(people):
    own = import_at(OpportunityFactory(account=AccountFactory(owner=people.manager_a)),
                    people.admin, "no_go")
    assert not permissions.can_reopen(people.manager_a, own)
    assert permissions.can_reopen(people.director, own)
    # Having someone below you is not a manager's role: reopening stays a manager's move.
    junior = UserFactory(manager=people.rep_a)
    theirs = import_at(OpportunityFactory(account=AccountFactory(owner=junior)),
                       people.admin, "lost")
    assert not permissions.can_reopen(people.rep_a, theirs)
    assert permissions.can_reopen(people.manager_a, theirs)


# --- Approvals and plans --------------------------------------------------------------

def _resource_request(opportunity, user):
    return cycle.approval_request(opportunity=opportunity, user=user, kind="resource",
                                  resource_type="presales",
                                  meeting_date=timezone.localdate()
                                  + datetime.timedelta(days=30))


def test_an_approval_is_decided_by_its_approver_a_manager_above_or_an_admin(people, deal):
    request = _resource_request(deal, people.rep_a)
    assert request.approver == people.manager_a
    assert answers(people, lambda u: permissions.can_decide_approval(u, request)) == {
        "manager_a", "director", "admin"}


def test_below_an_approver_nobody_decides_and_the_requester_never(people, deal):
    # manager_a's own deal: their request goes to the director, and they have no say.
    own = _resource_request(OpportunityFactory(account=AccountFactory(owner=people.manager_a)),
                            people.manager_a)
    assert own.approver == people.director
    assert answers(people, lambda u: permissions.can_decide_approval(u, own)) == {
        "director", "admin"}
    # manager_a away: rep_a's request goes up to the director, where manager_a, below the
    # approver, has no say either.
    people.manager_a.away_from = timezone.localdate()
    people.manager_a.save()
    request = _resource_request(deal, people.rep_a)
    assert request.approver == people.director
    assert answers(people, lambda u: permissions.can_decide_approval(u, request)) == {
        "director", "admin"}


def test_a_plan_is_written_by_its_owners_scope_and_decided_by_those_above(people):
    territory = TerritoryFactory(owner=people.rep_a)
    plan = plans.plan_create(user=people.rep_a, kind="territory", subject=territory)
    assert answers(people, lambda u: permissions.can_change(u, plan)) == {
        "rep_a", "manager_a", "director", "admin"}
    assert answers(people, lambda u: permissions.can_decide_plan(u, plan)) == {
        "manager_a", "director", "admin"}
    # An administrator's own plan: another administrator decides it, never its submitter.
    own = plans.plan_create(user=people.admin, kind="territory",
                            subject=TerritoryFactory(owner=people.admin))
    assert not permissions.can_decide_plan(people.admin, own, submitted_by=people.admin)
    assert not permissions.can_decide_plan(people.director, own, submitted_by=people.admin)
    # Four eyes: the manager who submitted the rep's plan does not decide it; above them, yes.
    assert answers(people, lambda u: permissions.can_decide_plan(
        u, plan, submitted_by=people.manager_a)) == {"director", "admin"}


# --- Finance, forecasts, users, owners -------------------------------------------------

def test_finance_marks_stages_and_admins_only_read_its_inbox(people):
    assert answers(people, permissions.can_mark_finance_stages) == {"finance"}
    assert answers(people, permissions.can_open_finance_inbox) == {"finance", "admin"}
    people.finance.is_active = False
    assert not permissions.can_mark_finance_stages(people.finance)


def test_forecast_acts_are_managers(people):
    assert answers(people, permissions.can_manage_forecast) == {
        "manager_a", "director", "manager_b", "admin"}
    assert answers(people, lambda u: permissions.can_adjust_forecast(u, people.rep_a)) == {
        "manager_a", "director"}
    assert not permissions.can_adjust_forecast(people.manager_a, people.manager_a)


def test_only_administrators_manage_users(people):
    assert answers(people, permissions.can_manage_users) == {"admin"}


def test_records_go_to_active_people_in_scope(people):
    assert answers(people, lambda u: permissions.can_assign_to(u, people.rep_a)) == {
        "rep_a", "manager_a", "director", "admin"}
    people.rep_a.is_active = False
    assert not permissions.can_assign_to(people.admin, people.rep_a)


# --- The page's moves come from the state machine -------------------------------------

def _moves(opportunity, user):
    return stage_panel(opportunity, user)["moves"]


def test_the_moves_on_offer_are_the_transitions_the_user_may_make(people, deal):
    at_5 = import_at(deal, people.admin, "5")
    # The gate to 6 is closed (nothing is confirmed), yet advance is offered: the page
    # lists the unmet criteria and a click is answered with them.
    assert at_5.evaluation().unmet_up_to("6")
    assert _moves(at_5, people.rep_a) == {"advance": "6", "back": ["4"], "lose": True,
                                          "no_go": True, "reopen": False}
    assert _moves(at_5, people.admin) == _moves(at_5, people.rep_a)
    nothing = {"advance": None, "back": [], "lose": False, "no_go": False, "reopen": False}
    assert _moves(at_5, people.finance) == nothing
    assert _moves(at_5, people.manager_b) == nothing


def test_at_nine_the_next_move_is_finances(people, deal):
    at_9 = import_at(deal, people.admin, "9")
    assert _moves(at_9, people.finance)["advance"] == "9.5"
    assert _moves(at_9, people.rep_a) == {"advance": None, "back": [], "lose": True,
                                          "no_go": False, "reopen": False}
    assert [t.name for t in moves_offered(at_9, people.finance)] == ["record_payment"]


def test_the_moves_of_a_team_member_cost_no_query_once_the_team_is_loaded(
        people, deal, django_assert_num_queries):
    OpportunityTeamMember.objects.create(opportunity=deal, user=people.presales_a,
                                         role=TeamRole.PRESALES)
    loaded = Opportunity.objects.prefetch_related("team_members").get(pk=deal.pk)
    permissions.can_change(people.presales_a, loaded)  # their scope, once a request
    with django_assert_num_queries(0):
        offered = moves_offered(loaded, people.presales_a)
    assert {t.name for t in offered} == {"advance", "lose", "decide_no_go"}
    # Without the prefetch the team is asked (a query), with the same answer.
    plain = Opportunity.objects.get(pk=deal.pk)
    with django_assert_num_queries(1):
        assert permissions.can_change(people.presales_a, plain)
