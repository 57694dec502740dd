"""Each refusal says exactly why, and changes nothing."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections

from opportunities import selling_cycle as cycle
from opportunities.models import StageChange


def _unmet(error):
    return [r.code for r in error.value.unmet]


def test_a_skipped_stage_is_refused(walker, api, deal, people):
    response = api(people.rep_a).post(f"/api/v1/opportunities/{deal.opp.pk}/transition/",
                                      {"to": "5"}, format="json")
    assert response.status_code == 422
    assert "one at a time" in response.json()["detail"]
    assert walker.opp.stage == "lead"


def test_a_missing_attestation_is_listed_by_code_and_text(walker, api, deal, people):
    response = api(people.rep_a).post(f"/api/v1/opportunities/{deal.opp.pk}/transition/",
                                      {"to": "2"}, format="json")
    assert response.status_code == 422
    unmet = response.json()["unmet"]
    assert [u["code"] for u in unmet] == ["2.project_initiated"]
    assert unmet[0]["text"].startswith("The technical lead confirms")
    assert not StageChange.objects.exists()


def test_stage_6_needs_everything_of_2_to_5(walker, people):
    walker.to_stage("5")
    cycle.criterion_withdraw(opportunity=walker.opp, user=people.rep_a,
                             code="5.shortlisted", note="re-tender")
    # The withdrawal moved the deal back to 4 by itself...
    assert walker.opp.stage == "4"
    walker.attest("5.shortlisted")
    walker.move("5")
    walker.update(quoted_amount=Decimal("1"))
    walker.attest("6.technical_win", "6.quote_accepted")
    cycle.criterion_withdraw(opportunity=walker.opp, user=people.rep_a,
                             code="4.supports_assessment", note="sponsor left")
    assert walker.opp.stage == "3"


def test_a_stale_approval_closes_the_gate_again(walker, people):
    walker.to_stage("2")
    walker.plan()
    walker.approve(walker.move("3"))
    assert walker.opp.stage == "3"
    # A new version of the approved plan: the approval no longer counts; at stage 3 the
    # deal is not moved but flagged, and owner and manager are told.
    walker.plan(win_strategy="A different strategy")
    opp = walker.opp
    assert opp.stage == "3"
    assert opp.flagged_criteria == ["3.plan_approved"]
    assert people.manager_a.notifications.filter(message__contains="no longer meets").exists()
    with pytest.raises(cycle.GateClosed) as e:
        walker.attest("4.funding_confirmed", "4.supports_assessment")
        walker.move("4")
    assert _unmet(e) == ["3.plan_approved"]


def test_a_material_price_change_after_approval_moves_6_back(walker, people):
    walker.to_stage("6")
    walker.update(amount=Decimal("80000") * Decimal("1.04"))  # within 5%: still counts
    assert walker.opp.stage == "6"
    walker.update(amount=Decimal("120000"))  # quote strategy approved for less
    opp = walker.opp
    assert opp.stage == "5"
    change = StageChange.objects.filter(opportunity=opp).last()
    assert change.how == "automatic" and "quoting strategy" in change.reason
    assert people.rep_a.notifications.filter(message__contains="moved back").exists()


@pytest.mark.parametrize("to", ["9.5", "10"])
def test_only_finance_marks_9_5_and_10(walker, api, people, to):
    walker.to_stage("9")
    for who in ("rep_a", "manager_a", "director", "admin"):
        response = api(getattr(people, who)).post(
            f"/api/v1/opportunities/{walker.opp.pk}/transition/",
            {"to": to, "reference": "X"}, format="json")
        assert response.status_code == 403, who
    assert walker.opp.stage == "9"


def test_finance_cannot_do_a_reps_move(walker, people):
    walker.to_stage("2")
    with pytest.raises(PermissionDenied):
        walker.move("3", user=people.finance)


def test_backward_moves_need_a_reason_and_only_go_where_allowed(walker, people):
    walker.to_stage("6")
    with pytest.raises(ValidationError):
        walker.move("5", reason="")
    with pytest.raises(cycle.GateClosed):
        walker.move("3", reason="start over")
    assert walker.move("4", reason="competitor re-entered").moved
    assert StageChange.objects.last().reason == "competitor re-entered"


def test_lost_needs_the_reason_and_the_winner(walker, people):
    with pytest.raises(ValidationError) as e:
        walker.move("lost")
    assert set(e.value.message_dict) == {"loss_reason", "winning_competitor"}
    walker.move("lost", loss_reason="price", winning_competitor="Oracle")
    opp = walker.opp
    assert opp.stage == "lost" and opp.winning_competitor.name == "Oracle"


def test_no_go_only_up_to_6_with_a_rationale(walker):
    with pytest.raises(ValidationError):
        walker.move("no_go")
    walker.to_stage("7")
    with pytest.raises(cycle.GateClosed):
        walker.move("no_go", reason="not worth it")


def test_reopening_is_a_managers_move_and_returns_to_lead(walker, people):
    walker.to_stage("2")
    walker.move("lost", loss_reason="budget cut", winning_competitor="no decision")
    with pytest.raises(PermissionDenied):
        walker.move("lead", user=people.rep_a)
    with pytest.raises(PermissionDenied):
        walker.move("lead", user=people.manager_b)  # not their team
    assert walker.move("lead", user=people.manager_a, reason="budget back").moved
    opp = walker.opp
    assert opp.stage == "lead" and opp.winning_competitor is None
    # Its criteria are evaluated again: the old confirmation still stands.
    assert opp.evaluation().results["2.project_initiated"].met


def test_the_caller_is_told_when_the_stage_changed_underneath(walker, api, people):
    walker.attest("2.project_initiated")
    stale = walker.opp
    walker.move("2")
    with pytest.raises(Exception) as e:
        cycle.opportunity_transition(opportunity=stale, user=people.rep_a, to="2")
    assert type(e.value).__name__ == "ConcurrentTransition"
    response = api(people.rep_a).post(f"/api/v1/opportunities/{stale.pk}/transition/",
                                      {"to": "3", "from": "lead"}, format="json")
    assert response.status_code == 409
    assert "changed while you were looking" in response.json()["detail"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_one_wins(people, deal):
    from tests.selling_cycle.conftest import Walker

    walker = Walker(people, deal)
    walker.to_stage("2")
    walker.plan()
    walker.approve(walker.move("3"))
    walker.attest("4.funding_confirmed", "4.supports_assessment")
    results, barrier = [], threading.Barrier(2)

    def move(user):
        try:
            opp = walker.opp
            barrier.wait()
            cycle.opportunity_transition(opportunity=opp, user=user, to="4")
            results.append("moved")
        except Exception as e:  # noqa: BLE001
            results.append(type(e).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=move, args=(u,)) for u in (people.rep_a,
                                                                   people.manager_a)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ConcurrentTransition", "moved"]
    assert StageChange.objects.filter(opportunity=deal.opp, to_stage="4").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approval_decisions_one_wins(people, deal):
    """The approver and the director above them decide the same request at the same
    moment, one approving and one rejecting: exactly one decision is recorded, the deal
    moves (or not) by that one, and the other is told it was already decided."""
    from rest_framework.test import APIClient

    from opportunities.models import ApprovalDecision, ApprovalRequest
    from tests.selling_cycle.conftest import Walker

    walker = Walker(people, deal)
    walker.to_stage("2")
    walker.plan()
    approval = walker.move("3").approval
    results, barrier = {}, threading.Barrier(2)

    def decide(user, decision):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(f"/api/v1/approvals/{approval.pk}/decide/",
                                    {"decision": decision, "comment": "my call"},
                                    format="json")
            results[decision] = (response.status_code, response.json())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=decide, args=(people.manager_a, "approve")),
               threading.Thread(target=decide, args=(people.director, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(code for code, _ in results.values())
    assert statuses == [200, 409], results
    loser = next(body for code, body in results.values() if code == 409)
    assert "already decided" in loser["detail"]
    assert ApprovalDecision.objects.filter(request=approval).count() == 1
    winner = ApprovalDecision.objects.get(request=approval).decision
    approval = ApprovalRequest.objects.get(pk=approval.pk)
    assert approval.status == {"approve": "approved", "reject": "rejected"}[winner]
    assert walker.opp.stage == ("3" if winner == "approve" else "2")
    moves = StageChange.objects.filter(opportunity=deal.opp, to_stage="3").count()
    assert moves == (1 if winner == "approve" else 0)
