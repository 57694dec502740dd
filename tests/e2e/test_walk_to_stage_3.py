"""A rep creates an opportunity and walks it to stage 3 in the browser; the manager
approves the plan from their own browser at the same time."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import BuyingRole
from opportunities.models import ApprovalRequest, Opportunity, StageChange
from osp.fiscal import fiscal_quarter
from tests.factories import AccountFactory, ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_rep_walks_a_new_opportunity_to_stage_3_with_the_managers_approval(people, person):
    account = AccountFactory(name="Delta Logistics", owner=people.rep_a)
    tech = ContactFactory(account=account, first_name="Lin", last_name="Tech",
                          buying_role=BuyingRole.TECHNICAL_LEAD)
    rep = person(people.rep_a, via_form=True)
    manager = person(people.manager_a)
    page = rep.page

    # Create the opportunity: a 40K deal needs the basic plan, without the assessment.
    page.get_by_role("navigation").get_by_role("link", name="Opportunities").click()
    page.get_by_role("link", name="New opportunity").first.click()
    page.locator("#id_name").fill("Delta payroll")
    page.locator("#id_account").select_option(label="Delta Logistics")
    page.locator("#id_owner").select_option(label=str(people.rep_a))  # offered blank
    page.locator("#id_amount").fill("40000")
    page.locator("#id_expected_close_date").fill(fiscal_quarter().end.isoformat())
    page.locator("#id_budget").fill("45000")
    page.locator("#id_procurement_process").fill("Two quotes, then a PO")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message.success")).to_contain_text("Delta payroll was saved")
    expect(page.locator("h1")).to_have_text("Delta payroll")
    expect(page.locator(".page-head .stage")).to_have_text("Lead")
    opp = Opportunity.objects.get(name="Delta payroll")
    assert (opp.owner, opp.amount, opp.stage) == (people.rep_a, Decimal("40000"), "lead")

    # The gate refuses stage 2 until the technical lead's confirmation is recorded.
    advance_to_2 = page.get_by_role("button", name="Advance to 2 · Project initiated")
    advance_to_2.click()
    expect(page.locator(".message.error")).to_contain_text("2.project_initiated")
    criterion = page.locator(".checklist li", has_text="2.project_initiated")
    criterion.locator("summary", has_text="Confirm").click()
    expect(criterion.locator("select[name=contact]")).to_have_value(str(tech.pk))
    criterion.locator("textarea[name=note]").fill("Kick-off meeting: the project is funded")
    criterion.get_by_role("button", name="Record confirmation").click()
    expect(page.locator(".message.success")).to_have_text("Confirmation recorded.")
    expect(page.locator(".checklist li.met", has_text="2.project_initiated")).to_be_visible()
    advance_to_2.click()
    expect(page.locator(".message.success")).to_have_text("Moved to 2 · Project initiated.")
    expect(page.locator(".page-head .stage")).to_have_text("2 · Project initiated")

    # Write the plan, then ask for stage 3: only the manager's approval is missing.
    page.get_by_role("link", name="Write the plan").click()
    page.locator("#id_win_strategy").fill("Lead with the payroll module; reference Alpha.")
    page.locator("#id_action_items").fill("Demo for the CFO next week.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".message.success")).to_have_text("Saved as version 1.")
    page.get_by_role("button", name="Advance to 3 · Plan approved").click()
    expect(page.locator(".message.info")).to_contain_text(
        f"the request is waiting for {people.manager_a}")
    expect(page.locator(".page-head .stage")).to_have_text("2 · Project initiated")

    # Meanwhile, in the manager's browser: the inbox has the request; approve it.
    inbox = manager.goto("/approvals/")
    expect(inbox.get_by_role("navigation").get_by_role("link", name="Approvals")
           ).to_contain_text("1")
    request = inbox.locator(".inbox li", has_text="Delta payroll")
    expect(request).to_contain_text("Opportunity plan")
    expect(request).to_contain_text("plan version: 1")  # what exactly is approved
    request.get_by_role("button", name="Approve").click()
    expect(inbox.locator(".message.success")).to_have_text(
        "Approved; Delta payroll moved to 3 · Plan approved.")
    expect(inbox.locator(".inbox")).to_have_count(0)

    # The rep sees stage 3 on reloading, recorded as the manager's approval.
    page.reload()
    expect(page.locator(".page-head .stage")).to_have_text("3 · Plan approved")
    expect(page.locator(".timeline").first).to_contain_text("2 · Project initiated → 3 · Plan "
                                                            "approved")
    opp.refresh_from_db()
    assert opp.stage == "3"
    move = StageChange.objects.filter(opportunity=opp).latest("at")
    assert (move.from_stage, move.to_stage, move.by) == ("2", "3", people.manager_a)
    assert ApprovalRequest.objects.get(opportunity=opp).status == "approved"
