"""The selling cycle in the browser: the page, the board and the inboxes."""

import re

from opportunities.models import Opportunity


def test_the_page_shows_the_path_the_checklists_and_the_guidance(walker, browser, people):
    html = browser(people.rep_a).get(walker.opp.get_absolute_url()).content.decode()
    assert 'class="stage-path"' in html
    assert "2.project_initiated" in html
    assert "Step 2" in html  # a lead is in step 2, demand generation
    assert "Advance to 2" in html


def test_a_refused_advance_explains_the_unmet_criteria(walker, browser, people):
    client = browser(people.rep_a)
    response = client.post(f"/opportunities/{walker.opp.pk}/transition/",
                           {"to": "2", "from": "lead"}, follow=True)
    html = response.content.decode()
    assert "These criteria are not met yet" in html
    assert "2.project_initiated" in html
    assert Opportunity.objects.get(pk=walker.opp.pk).stage == "lead"


def test_confirming_then_advancing_in_the_browser(walker, browser, people, deal):
    client = browser(people.rep_a)
    client.post(f"/opportunities/{walker.opp.pk}/attest/", {
        "criterion": "2.project_initiated", "contact": deal.tech.pk, "note": "kick-off call"})
    response = client.post(f"/opportunities/{walker.opp.pk}/transition/",
                           {"to": "2", "from": "lead"}, follow=True)
    assert "Moved to 2" in response.content.decode()


def test_the_manager_approves_from_the_inbox(walker, client, people):
    walker.to_stage("2")
    walker.plan()
    approval = walker.move("3").approval
    client.force_login(people.manager_a)
    inbox = client.get("/approvals/").content.decode()
    assert walker.opp.name in inbox
    client.post(f"/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert walker.opp.stage == "3"


def test_the_board_shows_each_stage_as_a_column(walker, browser, people):
    walker.to_stage("2")
    html = browser(people.manager_a).get("/opportunities/board/").content.decode()
    assert len(re.findall(r'<section class="column"', html)) == 11
    assert f'data-id="{walker.opp.pk}" data-stage="2"' in html


def test_the_finance_inbox_is_for_finance(walker, browser, people, client):
    walker.to_stage("9")
    assert browser(people.rep_a).get("/finance/").status_code == 403
    client.force_login(people.finance)
    assert walker.opp.name in client.get("/finance/").content.decode()


def test_a_won_deal_prompts_win_loss_and_handover(walker, browser, people):
    walker.to_stage("9")
    client = browser(people.rep_a)
    html = client.get(walker.opp.get_absolute_url()).content.decode()
    assert "Win/loss analysis" in html and "Services hand-over" in html
    client.post(f"/opportunities/{walker.opp.pk}/win-loss/", {
        "why": "Best fit", "against": "Oracle", "repeat_or_avoid": "Early POC"})
    client.post(f"/opportunities/{walker.opp.pk}/handover/", {
        "scope": "Install", "acceptance_terms": "UAT", "services_owner": people.rep_a.pk})
    opp = walker.opp
    assert opp.win_loss.against.name == "Oracle"
    assert opp.handover.services_owner == people.rep_a


def test_the_plan_page_saves_versions(walker, browser, people):
    client = browser(people.rep_a)
    url = f"/opportunities/{walker.opp.pk}/plan/"
    assert client.get(url).status_code == 200
    client.post(url, {"win_strategy": "Win on TCO", "action_items": "Demo"})
    client.post(url, {"win_strategy": "Win on TCO and support", "action_items": "Demo"})
    assert list(walker.opp.plans.values_list("version", flat=True)) == [2, 1]


def test_the_opportunity_page_queries_do_not_grow_with_history(walker, browser, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser(people.rep_a)
    walker.to_stage("5")
    with CaptureQueriesContext(connection) as ctx:
        client.get(walker.opp.get_absolute_url())
    short = len(ctx.captured_queries)
    for _ in range(5):
        walker.move("4", reason="x")
        walker.move("5")
    with CaptureQueriesContext(connection) as ctx:
        client.get(walker.opp.get_absolute_url())
    assert len(ctx.captured_queries) == short
