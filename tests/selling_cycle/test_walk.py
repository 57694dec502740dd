"""An opportunity walks from lead to 10 through the real rules with the right people."""

from opportunities.models import StageChange
from osp.models import Notification


def test_it_walks_from_lead_to_10(walker, people):
    opp = walker.to_stage("10")
    assert opp.stage == "10"
    history = list(StageChange.objects.filter(opportunity=opp))
    assert [(h.from_stage, h.to_stage) for h in history] == [
        ("lead", "2"), ("2", "3"), ("3", "4"), ("4", "5"), ("5", "6"), ("6", "7"),
        ("7", "8"), ("8", "9"), ("9", "9.5"), ("9.5", "10")]
    hows = {h.to_stage: h.how for h in history}
    assert hows["3"] == hows["6"] == hows["7"] == "approval"
    assert hows["9.5"] == hows["10"] == "finance"
    by = {h.to_stage: h.by for h in history}
    assert by["3"] == people.manager_a and by["10"] == people.finance
    # The gate audit: every criterion of the stage was met when it was entered.
    from opportunities.criteria import criteria_up_to

    for h in history:
        assert {c.code for c in criteria_up_to(h.to_stage)} <= set(h.criteria_met)


def test_a_move_into_3_is_a_request_for_the_manager(walker, people):
    walker.to_stage("2")
    walker.plan()
    outcome = walker.move("3")
    assert not outcome.moved
    assert outcome.approval.approver == people.manager_a
    assert outcome.approval.approved_facts == {"plan_version": 1}
    assert walker.opp.stage == "2"
    assert Notification.objects.filter(recipient=people.manager_a).exists()
    # Asking again does not pile up requests.
    assert walker.move("3").approval == outcome.approval
    walker.approve(outcome)
    assert walker.opp.stage == "3"


def test_an_approval_given_early_stands_until_the_rest_is_met(walker, people):
    from opportunities import selling_cycle as cycle

    walker.to_stage("5")
    walker.update(quoted_amount=78000)
    request = cycle.approval_request(opportunity=walker.opp, user=people.rep_a,
                                     kind="quoting_strategy")
    outcome = walker.approve(type("O", (), {"approval": request}))
    assert not outcome.moved and walker.opp.stage == "5"
    walker.attest("6.technical_win", "6.quote_accepted")
    assert walker.move("6").moved
