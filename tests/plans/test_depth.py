"""Plan depth by deal size (base currency) and account flags, on both sides of each
threshold."""

from decimal import Decimal

import pytest

from opportunities.models import DealPlanSettings, ExchangeRate, PlanDepth, required_depth
from opportunities.services import opportunity_create
from tests.factories import AccountFactory


@pytest.mark.parametrize("usd,depth", [
    ("49999.99", PlanDepth.BASIC), ("50000", PlanDepth.ASSESSMENT),
    ("100000", PlanDepth.ASSESSMENT), ("100000.01", PlanDepth.TAS)])
def test_depth_by_amount(people, usd, depth):
    account = AccountFactory(owner=people.rep_a)
    opp = opportunity_create(user=people.rep_a, account=account, name="x",
                             amount=Decimal(usd), expected_close_date="2027-01-01")
    assert required_depth(opp) == depth


@pytest.mark.parametrize("cny,depth", [("357142", PlanDepth.BASIC),
                                       ("357143", PlanDepth.ASSESSMENT),
                                       ("714286", PlanDepth.TAS)])
def test_depth_compares_in_the_base_currency(people, cny, depth):
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    account = AccountFactory(owner=people.rep_a)
    opp = opportunity_create(user=people.rep_a, account=account, name="x", currency="CNY",
                             amount=Decimal(cny), expected_close_date="2027-01-01")
    assert required_depth(opp) == depth


@pytest.mark.parametrize("flag", ["is_named", "is_strategic"])
def test_named_or_strategic_accounts_need_the_full_plan(people, flag):
    account = AccountFactory(owner=people.rep_a, **{flag: True})
    opp = opportunity_create(user=people.rep_a, account=account, name="x",
                             amount=Decimal("1000"), expected_close_date="2027-01-01")
    assert required_depth(opp) == PlanDepth.FULL


def test_thresholds_are_the_admins_to_change(people):
    DealPlanSettings.objects.create(assessment_from=Decimal("10000"), tas_from=Decimal("20000"))
    account = AccountFactory(owner=people.rep_a)
    opp = opportunity_create(user=people.rep_a, account=account, name="x",
                             amount=Decimal("25000"), expected_close_date="2027-01-01")
    assert required_depth(opp) == PlanDepth.TAS


def test_the_stage_3_gate_needs_a_complete_assessment_from_50k(people, walker):
    from opportunities.models import AssessmentQuestion
    from opportunities.services import assessment_record

    walker.plan(assess=False)  # every written section, no assessment yet (a USD 80K deal)
    result = walker.opp.evaluation().results["3.plan"]
    assert not result.met and "assessment" in result.evidence
    answers = {q.code: ("yes", "") for q in AssessmentQuestion.objects.all()}
    assert len(answers) == 20
    assessment_record(opportunity=walker.opp, user=people.rep_a, answers=answers)
    assert walker.opp.evaluation().results["3.plan"].met


def test_an_incomplete_assessment_is_refused(people, walker):
    from django.core.exceptions import ValidationError

    from opportunities.services import assessment_record

    with pytest.raises(ValidationError):
        assessment_record(opportunity=walker.opp, user=people.rep_a, answers={})
