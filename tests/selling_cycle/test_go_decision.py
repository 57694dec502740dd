"""Go/No-Go has two halves (issue #17 §4): the decision to go on is recorded too — who,
when, why — at step 2 (a lead) and step 5 (stages 4 and 5); No-Go stays a move."""

import pytest

from opportunities import selling_cycle as cycle
from opportunities.models import GoDecision


def test_a_rep_records_the_go_decision_on_a_lead_in_the_browser(walker, people, browser):
    client = browser(people.rep_a)
    page = client.get(walker.opp.get_absolute_url()).content.decode()
    assert f"/opportunities/{walker.opp.pk}/go/" in page
    response = client.post(f"/opportunities/{walker.opp.pk}/go/",
                           {"rationale": "Budget owner met; pain is real"})
    assert response.status_code == 302
    decision = GoDecision.objects.get(opportunity=walker.opp)
    assert (decision.step, decision.by, decision.rationale) == (
        2, people.rep_a, "Budget owner met; pain is real")
    page = client.get(walker.opp.get_absolute_url()).content.decode()
    assert "Budget owner met; pain is real" in page and "Go decision (step 2)" in page


def test_step_5_is_the_second_go_no_go_and_the_api_records_it(walker, people, api):
    walker.to_stage("4")
    response = api(people.rep_a).post(f"/api/v1/opportunities/{walker.opp.pk}/go/",
                                      {"rationale": "Short-listed with a clear edge"},
                                      format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["step"] == 5 and response.json()["by"] == str(people.rep_a)


@pytest.mark.parametrize("stage", ["2", "3"])
def test_outside_steps_2_and_5_there_is_no_go_decision_to_take(walker, people, api, stage):
    walker.to_stage(stage)
    response = api(people.rep_a).post(f"/api/v1/opportunities/{walker.opp.pk}/go/",
                                      {"rationale": "Why not"}, format="json")
    assert response.status_code == 400
    assert not GoDecision.objects.exists()


def test_a_go_decision_needs_its_reason_and_someone_who_may_change_the_deal(walker, people,
                                                                            api):
    url = f"/api/v1/opportunities/{walker.opp.pk}/go/"
    assert api(people.rep_a).post(url, {"rationale": "  "}, format="json").status_code == 400
    assert api(people.rep_a).post(url, {"rationale": "a\x00b"},
                                  format="json").status_code == 400
    assert api(people.rep_b).post(url, {"rationale": "Mine now"},
                                  format="json").status_code == 404
    assert api(people.finance).post(url, {"rationale": "Go"}, format="json").status_code == 403
    assert not GoDecision.objects.exists()


def test_a_go_decision_is_history(walker, people):
    decision = cycle.go_decision_record(opportunity=walker.opp, user=people.rep_a,
                                        rationale="Qualified")
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        GoDecision.objects.filter(pk=decision.pk).update(rationale="Changed")
