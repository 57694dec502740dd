"""Stage 7 means "closes this quarter" (METHODOLOGY.md §3, issue #17 §1): when one of its
criteria stops holding the deal moves back to 6 at once, by whichever route the change
came (browser, API, sync, admin), and leaves Commit in the forecast that same minute. A
person may move 7 -> 6 and 8 -> 7 with a reason; a stage-8 deal whose close date leaves
the quarter is a risk on the forecast; a refused skip says what every stage it tried to
pass still needs."""

import datetime
from decimal import Decimal

import pytest

from forecasting.selectors import Node, forecast_rollup
from opportunities.models import Category, StageChange
from opportunities.risks import flagged_deals, opportunity_risks
from osp.fiscal import fiscal_quarter, parse_period
from tests.html_forms import FormFields
from tests.sync.conftest import client_for

NEXT_QUARTER = fiscal_quarter().end + datetime.timedelta(days=20)


def commit_of(people):
    rollup = forecast_rollup(user=people.manager_a, node=Node("user", people.manager_a),
                             period=parse_period(None))
    return rollup.total(Category.COMMIT), rollup.total(Category.BEST_CASE)


def assert_back_at_6(walker, people, words):
    opp = walker.opp
    assert opp.stage == "6"
    change = StageChange.objects.filter(opportunity=opp).last()
    assert (change.from_stage, change.to_stage, change.how) == ("7", "6", "automatic")
    assert words in change.reason
    for person in (people.rep_a, people.manager_a):
        assert person.notifications.filter(
            opportunity=opp, message__contains="no longer closes this quarter").exists()


def test_the_customer_postpones_and_the_deal_leaves_commit_that_minute(walker, people,
                                                                       browser):
    walker.to_stage("7")
    assert commit_of(people) == (Decimal("80000"), Decimal("0"))
    response = browser(people.rep_a).post(f"/opportunities/{walker.opp.pk}/withdraw/", {
        "criterion": "7.purchase_this_quarter", "note": "Budget frozen until next year"})
    assert response.status_code == 302
    assert_back_at_6(walker, people, "purchase")
    assert commit_of(people) == (Decimal("0"), Decimal("80000"))


def test_a_close_date_moved_out_of_the_quarter_over_the_api(walker, people, api):
    walker.to_stage("7")
    opp = walker.opp
    response = api(people.rep_a).patch(f"/api/v1/opportunities/{opp.pk}/", {
        "expected_close_date": NEXT_QUARTER.isoformat()}, format="json",
        HTTP_IF_MATCH=f'"{opp.version}"')
    assert response.status_code == 200, response.json()
    assert_back_at_6(walker, people, "quarter")


def test_a_close_date_moved_out_of_the_quarter_by_a_sync_batch(walker, people, deal):
    walker.to_stage("7")
    deal.opp.refresh_from_db()
    deal.opp.source, deal.opp.external_id = "siebel-prod", "1-GAMMA"
    deal.opp.save()
    response = client_for(people.rep_a).post("/api/v1/sync/opportunities/batch/", {
        "records": [{"source": "siebel-prod", "external_id": "1-GAMMA",
                     "expected_close_date": NEXT_QUARTER.isoformat()}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["status"] == "updated", response.json()
    assert_back_at_6(walker, people, "quarter")


def test_a_close_date_moved_out_of_the_quarter_in_the_admin(walker, people, client):
    walker.to_stage("7")
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    url = f"/admin/opportunities/opportunity/{walker.opp.pk}/change/"
    form = FormFields()
    form.feed(client.get(url).content.decode())
    form.data["expected_close_date"] = NEXT_QUARTER.isoformat()
    response = client.post(url, form.data)
    assert response.status_code == 302
    assert_back_at_6(walker, people, "quarter")


def test_a_price_approval_gone_stale_moves_the_deal_back(walker, people):
    walker.to_stage("7")
    walker.update(discount_percent=Decimal("15"))  # not the discount the manager approved
    assert_back_at_6(walker, people, "price")


def test_a_broken_criterion_of_an_earlier_stage_only_flags_the_deal_at_7(walker, people,
                                                                         deal):
    walker.to_stage("7")
    walker.update(procurement_process="")  # a stage-2 criterion
    opp = walker.opp
    assert opp.stage == "7" and opp.flagged_criteria == ["2.procurement"]


@pytest.mark.parametrize("start, to", [("7", "6"), ("8", "7")])
def test_a_rep_moves_back_with_a_reason_on_the_board_or_the_page(walker, people, api, browser,
                                                                 start, to):
    walker.to_stage(start)
    url = f"/api/v1/opportunities/{walker.opp.pk}/transition/"
    refused = api(people.rep_a).post(url, {"to": to}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    assert walker.opp.stage == start
    moved = api(people.rep_a).post(url, {"to": to, "reason": "Customer postponed"},
                                   format="json")
    assert moved.status_code == 200, moved.json()
    change = StageChange.objects.filter(opportunity=walker.opp).last()
    assert (change.from_stage, change.to_stage, change.how, change.reason) == (
        start, to, "person", "Customer postponed")


def test_the_deal_page_offers_the_move_back_from_7(walker, people, browser):
    walker.to_stage("7")
    html = browser(people.rep_a).get(walker.opp.get_absolute_url()).content.decode()
    assert '<option value="6">' in html


def test_someone_who_may_not_change_the_deal_cannot_move_it_back(walker, people, api):
    walker.to_stage("7")
    response = api(people.rep_b).post(f"/api/v1/opportunities/{walker.opp.pk}/transition/",
                                      {"to": "6", "reason": "Not mine"}, format="json")
    assert response.status_code == 404  # not even visible to the other team
    assert walker.opp.stage == "7"


def test_a_stage_8_deal_whose_close_date_leaves_the_quarter_is_a_forecast_risk(walker,
                                                                               people):
    walker.to_stage("8")
    assert not any("after this quarter" in r for r in opportunity_risks(walker.opp))
    walker.update(expected_close_date=NEXT_QUARTER)
    opp = walker.opp
    assert opp.stage == "8" and "7.closes_this_quarter" in opp.flagged_criteria
    assert any("after this quarter" in r for r in opportunity_risks(opp))
    count, flagged = flagged_deals(
        type(opp).objects.filter(pk=opp.pk), limit=10)
    assert count == 1 and any("after this quarter" in r for r in flagged[0][1])


def test_a_refused_skip_lists_what_every_stage_it_passes_still_needs(walker, people, api):
    response = api(people.rep_a).post(f"/api/v1/opportunities/{walker.opp.pk}/transition/",
                                      {"to": "4"}, format="json")
    assert response.status_code == 422
    codes = {item["code"] for item in response.json()["unmet"]}
    assert {"2.project_initiated", "3.plan_approved", "4.funding_confirmed"} <= codes
    assert {item["stage"] for item in response.json()["unmet"]} == {"2", "3", "4"}
    assert walker.opp.stage == "lead"
