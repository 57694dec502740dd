"""The win/loss analysis and the services hand-over are validated whole before anything is
written: a refused call leaves no row, no half-saved analysis and no new competitor."""

import pytest
from django.core.exceptions import ValidationError

from opportunities import selling_cycle as cycle
from opportunities.models import Competitor, ServicesHandover, WinLossAnalysis
from tests.factories import AccountFactory, OpportunityFactory, import_at


@pytest.fixture
def won(people):
    opp = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    import_at(opp, people.admin, "9")
    opp.refresh_from_db()
    return opp


def _win_loss(opp, user, **changes):
    return cycle.win_loss_record(opportunity=opp, user=user, **{
        "why": "Best references", "repeat_or_avoid": "Reference visits", **changes})


def _handover(opp, people, **changes):
    return cycle.handover_record(opportunity=opp, user=people.rep_a, **{
        "scope": "Rollout", "acceptance_terms": "Signed test report",
        "services_owner": people.rep_a2, **changes})


@pytest.mark.parametrize("changes", [{"why": ""}, {"repeat_or_avoid": ""},
                                     {"why": "", "against": "Oracle"},
                                     {"against": "O" * 121}, {"against": "Ora\x00cle"}])
def test_a_refused_win_loss_analysis_writes_nothing(people, won, changes):
    with pytest.raises(ValidationError) as refused:
        _win_loss(won, people.rep_a, **changes)
    named = set(refused.value.message_dict)
    assert named <= {"why", "repeat_or_avoid", "against"} and named
    assert not WinLossAnalysis.objects.exists()
    assert not Competitor.objects.exists()


def test_a_refused_rewrite_keeps_the_analysis_as_it_was(people, won):
    _win_loss(won, people.rep_a, against="Oracle")
    with pytest.raises(ValidationError):
        _win_loss(won, people.rep_a, why="", against="SAP")
    analysis = WinLossAnalysis.objects.get()
    assert (analysis.why, analysis.against.name) == ("Best references", "Oracle")
    assert not Competitor.objects.filter(name="SAP").exists()


def test_a_win_loss_analysis_is_written_then_rewritten(people, won):
    first = _win_loss(won, people.rep_a, against="Oracle")
    second = _win_loss(won, people.rep_a, why="Price and references", against="")
    assert first.pk == second.pk
    analysis = WinLossAnalysis.objects.get()
    assert (analysis.why, analysis.against) == ("Price and references", None)


@pytest.mark.parametrize("changes", [{"scope": ""}, {"acceptance_terms": ""}])
def test_a_refused_handover_writes_nothing(people, won, changes):
    with pytest.raises(ValidationError) as refused:
        _handover(won, people, **changes)
    assert set(refused.value.message_dict) == set(changes)
    assert not ServicesHandover.objects.exists()


def test_a_handover_is_written_then_rewritten(people, won):
    _handover(won, people)
    _handover(won, people, scope="Rollout and training")
    assert ServicesHandover.objects.get().scope == "Rollout and training"


def test_the_browser_form_with_a_competitor_too_long_is_refused_with_a_message(
        people, browser, won):
    response = browser(people.rep_a).post(f"/opportunities/{won.pk}/win-loss/", {
        "why": "Price", "repeat_or_avoid": "Reference visits", "against": "O" * 121},
        follow=True)
    assert response.status_code == 200
    assert "at most 120 characters" in response.content.decode()
    assert not WinLossAnalysis.objects.exists() and not Competitor.objects.exists()


def test_a_loss_naming_a_competitor_too_long_is_refused_before_anything_moves(people):
    opp = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    with pytest.raises(ValidationError) as refused:
        cycle.opportunity_transition(opportunity=opp, user=people.rep_a, to="lost",
                                     loss_reason="Price", winning_competitor="O" * 121)
    assert "winning_competitor" in refused.value.message_dict
    opp.refresh_from_db()
    assert opp.stage == "lead" and not Competitor.objects.exists()
