"""Plans, a deal's plan and forecast adjustments, which two managers may write at once:
an edit made from an older copy is refused, never silently applied (issue #15, §1)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from forecasting.models import ForecastAdjustment
from forecasting.services import forecast_adjust
from opportunities.models import OpportunityPlan
from opportunities.services import opportunity_plan_save
from plans.models import Plan
from plans.services import plan_create, plan_save
from tests.factories import AccountFactory, OpportunityFactory
from tests.integrity.test_stale_forms import _form_fields


@pytest.fixture
def plan(people):
    account = AccountFactory(owner=people.rep_a, name="Alpha Bank")
    return plan_create(user=people.rep_a, kind="account", subject=account)


def _api(user):
    http = APIClient()
    http.force_authenticate(user)
    return http


def test_a_plan_form_saved_after_the_managers_edit_comes_back_with_both(client, people,
                                                                       plan):
    client.force_login(people.rep_a)
    section = plan.section_names()[0]
    fields = _form_fields(client.get(f"/plans/{plan.pk}/edit/").content.decode())
    plan_save(plan=plan, user=people.manager_a, sections={section: "The manager's text"})
    other = plan.section_names()[1]
    fields[other] = "my own text"
    page = client.post(f"/plans/{plan.pk}/edit/", fields).content.decode()
    assert str(people.manager_a) in page
    assert "Updated meanwhile to: The manager&#x27;s text" in page
    assert "my own text" in page
    plan.refresh_from_db()
    assert plan.sections.get(other, "") == ""
    # Saved again from the re-shown form: both texts are kept.
    again = _form_fields(page)
    assert client.post(f"/plans/{plan.pk}/edit/", again).status_code == 302
    plan.refresh_from_db()
    assert plan.sections[other] == "my own text"
    assert plan.sections[section] == "The manager's text"


def test_a_plan_patch_with_a_stale_if_match_is_refused(people, plan):
    api = _api(people.rep_a)
    read = api.get(f"/api/v1/plans/{plan.pk}/")
    assert read["ETag"] == f'"{plan.revision}"'
    section = plan.section_names()[0]
    assert api.patch(f"/api/v1/plans/{plan.pk}/", {"sections": {section: "one"}},
                     format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    stale = api.patch(f"/api/v1/plans/{plan.pk}/", {"sections": {section: "two"}},
                      format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412 and stale.json()["current_version"] == plan.revision + 1
    assert Plan.objects.get(pk=plan.pk).sections[section] == "one"


def test_a_deal_plan_saved_over_a_newer_version_is_refused(client, people):
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    opportunity_plan_save(opportunity=deal, user=people.rep_a, win_strategy="first")
    client.force_login(people.rep_a)
    fields = _form_fields(client.get(f"/opportunities/{deal.pk}/plan/").content.decode())
    assert fields["version"] == "1"
    opportunity_plan_save(opportunity=deal, user=people.manager_a, win_strategy="manager's")
    fields["risks"] = "my risks"
    page = client.post(f"/opportunities/{deal.pk}/plan/", fields).content.decode()
    assert str(people.manager_a) in page and "my risks" in page
    assert OpportunityPlan.objects.filter(opportunity=deal).count() == 2


def test_a_second_managers_adjustment_over_one_he_never_saw_is_refused(people):
    from django.core.exceptions import ValidationError

    first = forecast_adjust(manager=people.manager_a, subject=people.rep_a,
                            period="FY2027 Q1", category="commit", amount=Decimal("100"),
                            note="the rep is cautious", based_on=0)
    with pytest.raises(ValidationError) as refused:
        forecast_adjust(manager=people.director, subject=people.rep_a, period="FY2027 Q1",
                        category="commit", amount=Decimal("50"), note="too high", based_on=0)
    assert refused.value.code == "conflict"
    assert str(people.manager_a) in refused.value.messages[0]
    assert ForecastAdjustment.objects.count() == 1
    forecast_adjust(manager=people.director, subject=people.rep_a, period="FY2027 Q1",
                    category="commit", amount=Decimal("50"), note="too high",
                    based_on=first.pk)
    assert ForecastAdjustment.objects.count() == 2


def test_the_api_answers_a_stale_adjustment_with_409(people):
    answer = _api(people.manager_a).post("/api/v1/forecast/adjustments/", {
        "subject": people.rep_a.pk, "period": "FY2027 Q1", "category": "commit",
        "amount": "100.00", "note": "first", "based_on": 0}, format="json")
    assert answer.status_code == 201, answer.json()
    stale = _api(people.director).post("/api/v1/forecast/adjustments/", {
        "subject": people.rep_a.pk, "period": "FY2027 Q1", "category": "commit",
        "amount": "60.00", "note": "second", "based_on": 0}, format="json")
    assert stale.status_code == 409
