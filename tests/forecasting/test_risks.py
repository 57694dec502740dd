"""Each risk flag, on and off."""

import datetime

from django.utils import timezone

from accounts.models import BuyingRole
from opportunities.models import Activity, Competitor, Opportunity, RiskRuleSetting
from opportunities.risks import flagged_deals, opportunity_risks, risk_flags
from opportunities.services import opportunity_update
from tests.factories import ContactFactory
from tests.forecasting.conftest import place


def has(opp, words):
    return any(words in r for r in opportunity_risks(opp))


def test_commit_without_an_executive_sponsor(people, book):
    assert has(book.commit_b, "executive sponsor")
    ContactFactory(account=book.acc_b, buying_role=BuyingRole.BUSINESS_LEAD)
    assert not has(book.commit_b, "executive sponsor")


def test_no_competitor_from_stage_5(people, book):
    assert has(book.best, "No competitor")
    book.best.competitors.add(Competitor.objects.create(name="SAP"))
    assert not has(book.best, "No competitor")


def test_quote_before_stage_5(people, book):
    assert not has(book.pipeline, "quote")
    opportunity_update(opportunity=book.pipeline, user=people.admin, quoted_amount=1000)
    assert has(book.pipeline, "quote")


def test_close_date_pushed_twice(people, book):
    deal = place(people, book.acc_a, "Pushy", "1000", "3")
    for days in (30, 60):
        opportunity_update(opportunity=deal, user=people.admin,
                           expected_close_date=deal.expected_close_date
                           + datetime.timedelta(days=days))
        deal.refresh_from_db()
        assert has(deal, "pushed out") == (days == 60)


def test_no_activity_for_30_days(people, book):
    assert has(book.pipeline, "No activity")
    Activity.objects.create(opportunity=book.pipeline, author=people.rep_a2, subject="call",
                            occurred_on=timezone.localdate())
    assert not has(book.pipeline, "No activity")


def test_stale_plan_and_single_contact(people, book):
    assert has(book.pipeline, "plan not updated")  # stage 3 with no plan at all
    assert has(book.best, "only one customer contact")


def test_no_win_loss_analysis_after_14_days(people, book):
    Opportunity.objects.filter(pk=book.booked.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(days=20))
    assert has(book.booked, "win/loss")
    from opportunities.models import WinLossAnalysis

    WinLossAnalysis.objects.create(opportunity=book.booked, why="fit", repeat_or_avoid="x",
                                   author=people.rep_a)
    assert not has(book.booked, "win/loss")


def test_an_admin_turns_a_rule_off_or_changes_its_days(people, book):
    assert has(book.pipeline, "No activity")
    RiskRuleSetting.objects.create(code="no_activity", enabled=False)
    assert not has(book.pipeline, "No activity")
    RiskRuleSetting.objects.filter(code="no_activity").update(enabled=True, days=7)
    assert any("7 days" in r for r in opportunity_risks(book.pipeline))


def test_all_rules_are_checked_in_one_query(people, book, django_assert_num_queries):
    with django_assert_num_queries(2):  # the rule settings, then every rule at once
        flags = risk_flags(Opportunity.objects.all())
    assert flags[book.pipeline.pk] == opportunity_risks(book.pipeline)
    assert book.lead.pk in flags  # "No activity for 30 days" holds from the lead on


def test_flagged_deals_counts_them_all_and_lists_the_largest(people, book,
                                                              django_assert_num_queries):
    every = risk_flags(Opportunity.objects.all())
    with django_assert_num_queries(3):  # the settings, the flagged ids, the largest few
        count, largest = flagged_deals(Opportunity.objects.all(), limit=3)
    assert count == len(every)
    amounts = sorted((o.amount_base for o in Opportunity.objects.filter(pk__in=every)),
                     reverse=True)
    assert [o.amount_base for o, _risks in largest] == amounts[:3]
    for deal, risks in largest:
        assert risks == every[deal.pk]
        assert deal.account.name and deal.owner.username  # fetched with the deal


def test_flagged_deals_with_every_rule_off(people, book):
    from opportunities.risks import RULES

    RiskRuleSetting.objects.bulk_create(RiskRuleSetting(code=r.code, enabled=False)
                                        for r in RULES)
    assert flagged_deals(Opportunity.objects.all(), limit=5) == (0, [])
    assert risk_flags(Opportunity.objects.all()) == {}


def test_one_contact_attesting_twice_is_still_one_contact(people, book):
    from opportunities.models import Attestation

    for name in ("Ms Tech", "Ms Tech", ""):
        Attestation.objects.create(opportunity=book.best, criterion="5.shortlisted",
                                   action="attest", note="x", contact_name=name,
                                   occurred_on=timezone.localdate(), by=people.rep_a)
    assert has(book.best, "only one customer contact")


def test_stale_plan_off_and_single_contact_off(people, book, walker_for_book):
    walker_for_book.plan()
    assert not has(book.pipeline, "plan not updated")
    from opportunities.models import Attestation

    for name in ("Ms Tech", "Mr Boss"):
        Attestation.objects.create(opportunity=book.best, criterion="5.shortlisted",
                                   action="attest", note="x", contact_name=name,
                                   occurred_on=timezone.localdate(), by=people.rep_a)
    assert not has(book.best, "only one customer contact")


def test_the_forecast_page_queries_do_not_grow(people, book, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forecasting.services import forecast_snapshot_take

    forecast_snapshot_take()
    client.force_login(people.director)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/forecast/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(15):
        place(people, book.acc_b, f"more {i}", "1000", "6")
    forecast_snapshot_take()
    assert count() == small


def test_the_forecast_page_flags_the_open_deals_closing_in_its_period(people, book, client):
    from osp.fiscal import fiscal_quarter

    later = fiscal_quarter().end + datetime.timedelta(days=40)
    Opportunity.objects.filter(pk=book.best.pk).update(expected_close_date=later)
    client.force_login(people.director)
    this_quarter = client.get("/forecast/").content.decode()
    next_quarter = client.get(
        "/forecast/", {"period": "FY{0.year} Q{0.quarter}".format(fiscal_quarter(later))}
    ).content.decode()
    assert book.best.name not in this_quarter.split("Risk flags")[1]
    assert book.best.name in next_quarter.split("Risk flags")[1]
