"""An administrator's change of the rules behind the stage-3 gate (issue #17 §4): the
depth thresholds and the assessment's question bank apply to a deal from its next plan
version on, so no deal collapses at its next unrelated edit; making an account named or
strategic (the full TAS plan) shows first which deals it would move back, and applying it
moves them at once, with the reason, by every route (browser, admin, API, sync)."""

from decimal import Decimal

import pytest

from opportunities.models import SECTIONS, AssessmentQuestion, DealPlanSettings, StageChange
from tests.html_forms import FormFields
from tests.sync.conftest import client_for

SHORT_PLAN = {name: "" for name in SECTIONS if name not in ("win_strategy", "action_items")}


@pytest.fixture
def at_6(walker):
    """A USD 80K deal at 6 whose plan has only what its size needs (win strategy, action
    items and the assessment): the full TAS plan would need seven sections more."""
    write_all = walker.plan
    walker.plan = lambda assess=True, **changes: write_all(assess, **{**SHORT_PLAN, **changes})
    walker.to_stage("6")
    assert walker.opp.plans.first().missing_sections("full")
    return walker


@pytest.fixture
def admin_client(client, people):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    return client


def admin_form(client, url) -> dict:
    form = FormFields()
    form.feed(client.get(url).content.decode())
    return form.data


def last_move(opp):
    return StageChange.objects.filter(opportunity=opp).last()


# --- Thresholds and the question bank: from the next plan version on ---------------------

def test_lower_thresholds_move_no_deal_until_its_next_plan_version(at_6, people,
                                                                   admin_client):
    settings = DealPlanSettings.objects.create()
    url = f"/admin/opportunities/dealplansettings/{settings.pk}/change/"
    data = admin_form(admin_client, url)
    data["tas_from"] = "60000"  # the USD 80K deal would now need the TAS plan
    response = admin_client.post(url, data, follow=True)
    assert "next plan version" in response.content.decode()
    at_6.update(name="Gamma claims platform, phase 1")  # an unrelated edit rechecks
    assert at_6.opp.stage == "6" and at_6.opp.flagged_criteria == []
    # The plan page says the next version follows today's rules.
    html = admin_client.get(f"/opportunities/{at_6.opp.pk}/plan/").content.decode()
    assert "The rules have changed since" in html
    at_6.plan(win_strategy="Sharper", **SHORT_PLAN)  # version 2: today's rules
    result = at_6.opp.evaluation().results["3.plan"]
    assert not result.met and "business_drivers_roi" in result.evidence


def test_a_question_added_to_the_bank_is_asked_from_the_next_plan_version(at_6,
                                                                          admin_client):
    url = "/admin/opportunities/assessmentquestion/add/"
    data = admin_form(admin_client, url)
    data.update(code="win.reference", heading="win", position="21", is_active="on",
                text_en="Do we have a reference customer in their industry?",
                text_zh="我们在该行业有可参考的客户吗?")
    assert admin_client.post(url, data).status_code == 302
    at_6.update(name="Gamma claims platform, phase 1")
    assert at_6.opp.stage == "6" and at_6.opp.evaluation().results["3.plan"].met
    at_6.plan(win_strategy="Sharper", **SHORT_PLAN)
    result = at_6.opp.evaluation().results["3.plan"]
    assert not result.met and "assessment" in result.evidence


def test_a_question_taken_out_of_use_is_kept_with_its_answers(at_6, people, browser):
    question = AssessmentQuestion.objects.filter(is_active=True).order_by("position").last()
    question.is_active = False
    question.save()
    at_6.update(name="Gamma claims platform, phase 1")
    assert at_6.opp.stage == "6" and at_6.opp.evaluation().results["3.plan"].met
    html = browser(people.rep_a).get(
        f"/opportunities/{at_6.opp.pk}/assessment/").content.decode()
    assert question.text_en in html and "no longer asked" in html
    assert f'name="q-{question.code}"' not in html  # shown, but no longer asked


# --- Named and strategic accounts: shown first, then moved at once with the reason ------

def account_form(browser_client, account) -> dict:
    form = FormFields()
    form.feed(browser_client.get(f"/accounts/{account.pk}/edit/").content.decode())
    return form.data


def test_the_browser_shows_which_deals_would_move_back_then_moves_them(at_6, people,
                                                                       browser, deal):
    rep = browser(people.rep_a)
    url = f"/accounts/{deal.account.pk}/edit/"
    data = account_form(rep, deal.account)
    data["is_strategic"] = "on"
    first = rep.post(url, data)
    html = first.content.decode()
    assert first.status_code == 200 and "Saving this moves 1 deal back at once" in html
    assert deal.opp.name in html and "6 → 3" in html
    deal.account.refresh_from_db()
    assert not deal.account.is_strategic and at_6.opp.stage == "6"  # nothing saved yet

    data["confirm_flag_change"] = "on"
    again = rep.post(url, data)
    assert "Say why" in again.content.decode() and at_6.opp.stage == "6"

    data["flag_change_reason"] = "The group signed a framework agreement"
    assert rep.post(url, data).status_code == 302
    deal.account.refresh_from_db()
    assert deal.account.is_strategic
    opp = at_6.opp
    assert opp.stage == "3"
    move = last_move(opp)
    assert (move.from_stage, move.to_stage, move.how) == ("6", "3", "automatic")
    assert "framework agreement" in move.reason and "strategic account" in move.reason
    for person in (people.rep_a, people.manager_a):
        assert person.notifications.filter(opportunity=opp,
                                           message__contains="framework agreement").exists()


def test_a_flag_change_that_moves_nothing_saves_at_once(walker, people, browser, deal):
    walker.plan()  # every section written: the full plan holds
    walker.to_stage("6")
    rep = browser(people.rep_a)
    data = account_form(rep, deal.account)
    data["is_named"] = "on"
    assert rep.post(f"/accounts/{deal.account.pk}/edit/", data).status_code == 302
    deal.account.refresh_from_db()
    assert deal.account.is_named and walker.opp.stage == "6"


def test_the_admin_shows_the_deals_first_too(at_6, people, admin_client, deal):
    url = f"/admin/accounts/account/{deal.account.pk}/change/"
    data = admin_form(admin_client, url)
    data["is_named"] = "on"
    first = admin_client.post(url, data)
    assert first.status_code == 200
    assert "Saving this moves 1 deal back at once" in first.content.decode()
    assert at_6.opp.stage == "6"
    data.update(confirm_flag_change="on", flag_change_reason="Named by the sales board")
    assert admin_client.post(url, data).status_code == 302
    assert at_6.opp.stage == "3"
    assert "Named by the sales board" in last_move(at_6.opp).reason


def test_the_api_moves_them_at_once_with_the_reason(at_6, people, api, deal):
    deal.account.refresh_from_db()
    response = api(people.rep_a).patch(f"/api/v1/accounts/{deal.account.pk}/", {
        "is_strategic": True, "flags_reason": "Board decision 12/2026"}, format="json",
        HTTP_IF_MATCH=f'"{deal.account.version}"')
    assert response.status_code == 200, response.json()
    assert "flags_reason" not in response.json()  # write-only
    assert at_6.opp.stage == "3"
    assert "Board decision 12/2026" in last_move(at_6.opp).reason


def test_a_sync_batch_moves_them_at_once(at_6, people, deal):
    deal.account.refresh_from_db()
    deal.account.source, deal.account.external_id = "siebel-prod", "1-ACC-GAMMA"
    deal.account.save()
    response = client_for(people.rep_a).post("/api/v1/sync/accounts/batch/", {
        "records": [{"source": "siebel-prod", "external_id": "1-ACC-GAMMA",
                     "is_strategic": True}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["status"] == "updated", response.json()
    assert at_6.opp.stage == "3"
    assert "siebel-prod" in last_move(at_6.opp).reason


def test_the_deal_keeps_its_stage_when_the_flag_is_set_back_before_saving(at_6, people,
                                                                          browser, deal):
    rep = browser(people.rep_a)
    data = account_form(rep, deal.account)
    data["is_strategic"] = "on"
    rep.post(f"/accounts/{deal.account.pk}/edit/", data)
    data.pop("is_strategic")  # the rep thinks again and saves without the flag
    data["name"] = "Gamma Insurance Group"
    assert rep.post(f"/accounts/{deal.account.pk}/edit/", data).status_code == 302
    assert at_6.opp.stage == "6"
    assert Decimal(at_6.opp.amount) == Decimal("80000")
