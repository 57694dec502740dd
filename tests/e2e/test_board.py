"""The pipeline board: cards move by drag and drop through the transition API; a move the
rules refuse snaps back and says what is missing."""

import pytest
from playwright.sync_api import expect

from opportunities import selling_cycle
from opportunities.models import ApprovalRequest, Opportunity
from tests.selling_cycle.conftest import Walker, make_deal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_refused_move_snaps_back_and_lists_the_unmet_criteria(people, person):
    deal = make_deal(people)
    page = person(people.rep_a).goto("/opportunities/board/")
    card = page.locator(f'.card-item[data-id="{deal.opp.pk}"]')
    column = {stage: page.locator(f'section.column[data-stage="{stage}"]')
              for stage in ("lead", "2", "3")}
    message = page.locator("#board-message .message")
    expect(column["lead"].locator(card)).to_be_visible()

    # Nobody confirmed that the project is initiated: refused, and the card goes home.
    card.drag_to(column["2"])
    expect(message).to_have_class("message error")
    expect(message).to_contain_text("These criteria are not met yet")
    expect(message.locator("li")).to_have_text(
        ["2.project_initiated The technical lead confirms the project is formally initiated"])
    expect(column["lead"].locator(card)).to_be_visible()
    expect(column["2"].locator(card)).to_have_count(0)
    assert Opportunity.objects.get(pk=deal.opp.pk).stage == "lead"

    # Once it is confirmed, the same drag moves the deal.
    Walker(people, deal).attest("2.project_initiated")
    card.drag_to(column["2"])
    expect(message).to_have_class("message success")
    expect(message).to_have_text("Moved.")
    expect(column["2"].locator(card)).to_be_visible()
    expect(card).to_have_attribute("data-stage", "2")
    assert Opportunity.objects.get(pk=deal.opp.pk).stage == "2"

    # Skipping a stage is refused by the shape of the ladder, with no criteria to list.
    card.drag_to(page.locator('section.column[data-stage="4"]'))
    expect(message).to_have_class("message error")
    expect(message).to_contain_text("Stages move one at a time")
    expect(column["2"].locator(card)).to_be_visible()

    # With the plan written, only the manager's approval is missing: the move becomes a
    # request, and the card stays where it is until the manager decides.
    Walker(people, deal).plan()
    card.drag_to(column["3"])
    expect(message).to_have_class("message info")
    expect(message).to_contain_text(f"waiting for {people.manager_a}")
    expect(column["2"].locator(card)).to_be_visible()
    assert Opportunity.objects.get(pk=deal.opp.pk).stage == "2"
    assert ApprovalRequest.objects.get(opportunity=deal.opp).approver == people.manager_a
    assert selling_cycle.approvals_waiting_for(people.manager_a).count() == 1
