"""Recording an assessment writes nothing — not even the competitor it names — unless the
person may change the deal and every answer is valid (issue 15)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opportunities.models import Assessment, AssessmentQuestion, Competitor
from opportunities.services import assessment_record
from tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def opp(people):
    return OpportunityFactory(account=AccountFactory(owner=people.rep_a))


def _form(competitor="Rival Systems"):
    return {"competitor": competitor,
            **{f"q-{q.code}": "yes" for q in AssessmentQuestion.objects.filter(is_active=True)}}


def test_finance_submitting_the_form_is_refused_and_adds_no_competitor(people, browser, opp):
    response = browser(people.finance).post(f"/opportunities/{opp.pk}/assessment/", _form())
    assert response.status_code == 403
    assert not Competitor.objects.exists()
    assert not Assessment.objects.exists()


def test_the_service_checks_before_it_writes(people, opp):
    answers = {q.code: ("yes", "") for q in AssessmentQuestion.objects.all()}
    with pytest.raises(PermissionDenied):
        assessment_record(opportunity=opp, user=people.finance, answers=answers,
                          competitor="Rival Systems")
    with pytest.raises(ValidationError):  # an incomplete one adds no competitor either
        assessment_record(opportunity=opp, user=people.rep_a, answers={},
                          competitor="Rival Systems")
    assert not Competitor.objects.exists()


@pytest.mark.parametrize("name", ["R" * 121, "Rival\x00Systems"])
def test_a_competitor_name_that_cannot_be_stored_is_a_form_error(people, browser, opp, name):
    response = browser(people.rep_a).post(f"/opportunities/{opp.pk}/assessment/",
                                          _form(name), follow=True)
    assert response.status_code == 200
    assert not Competitor.objects.exists()
    assert not Assessment.objects.exists()


def test_the_owner_records_an_assessment_of_a_competitor(people, browser, opp):
    response = browser(people.rep_a).post(f"/opportunities/{opp.pk}/assessment/", _form())
    assert response.status_code == 302
    assert Assessment.objects.get().competitor == Competitor.objects.get(name="Rival Systems")
