"""The deal moves with the situation at 4-6, is flagged elsewhere, and slips at quarter end."""

import datetime

from django.utils import timezone

from accounts.services import contact_delete
from opportunities import selling_cycle as cycle
from opportunities.models import StageChange
from opportunities.tasks import slip_stage_7_past_quarter_end
from osp.fiscal import fiscal_quarter


def test_removing_the_technical_lead_at_4_moves_back_to_3(walker, people, deal):
    walker.to_stage("4")
    contact_delete(contact=deal.tech, user=people.rep_a)
    opp = walker.opp
    assert opp.stage == "3"
    assert opp.flagged_criteria == ["2.technical_lead"]
    change = StageChange.objects.filter(opportunity=opp).last()
    assert (change.from_stage, change.to_stage, change.how) == ("4", "3", "automatic")
    assert "technical lead" in change.reason
    for person in (people.rep_a, people.manager_a):
        assert person.notifications.filter(opportunity=opp,
                                           message__contains="moved back").exists()


def test_at_8_a_broken_criterion_is_flagged_not_moved(walker, people, deal):
    walker.to_stage("8")
    walker.update(partners=[])
    opp = walker.opp
    assert opp.stage == "8"
    assert opp.flagged_criteria == ["8.reseller"]
    assert people.manager_a.notifications.filter(message__contains="no longer meets").exists()
    # Fixing it clears the flag.
    walker.update(partners=[{"partner": deal.reseller, "role": "reseller"}])
    assert walker.opp.flagged_criteria == []


def test_deals_still_at_7_slip_back_to_6_when_the_quarter_ends(walker, people):
    walker.to_stage("7")
    assert slip_stage_7_past_quarter_end() == 0  # same quarter: nothing to do
    next_quarter = fiscal_quarter().end + datetime.timedelta(days=1)
    assert cycle.opportunities_slip_past_quarter_end(today=next_quarter) == 1
    opp = walker.opp
    assert opp.stage == "6"
    change = StageChange.objects.filter(opportunity=opp).last()
    assert change.reason == "Slipped past quarter end" and change.how == "automatic"
    # Idempotent: running again changes nothing.
    assert cycle.opportunities_slip_past_quarter_end(today=next_quarter) == 0


def test_the_quarter_end_task_is_scheduled():
    from django.conf import settings

    tasks = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "opportunities.tasks.slip_stage_7_past_quarter_end" in tasks


def test_close_date_outside_the_quarter_blocks_7(walker):
    walker.to_stage("6")
    walker.update(expected_close_date=fiscal_quarter().end + datetime.timedelta(days=40),
                  discount_percent=5, commercial_terms="Net 30")
    walker.attest("7.solution_and_quote", "7.purchase_this_quarter", "7.commercial_process")
    try:
        walker.move("7")
    except cycle.GateClosed as e:
        assert [r.code for r in e.unmet] == ["7.closes_this_quarter"]
    else:
        raise AssertionError("moved to 7 with a close date next quarter")
    assert timezone.localdate() in fiscal_quarter()


def test_deleting_the_technical_lead_in_the_admin_moves_the_deal_back_too(walker, people, deal,
                                                                         client):
    walker.to_stage("4")
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    client.post(f"/admin/accounts/contact/{deal.tech.pk}/delete/", {"post": "yes"})
    assert walker.opp.stage == "3"


def test_a_contact_deleted_over_sync_moves_the_deal_back_too(walker, people, deal):
    from tests.sync.conftest import client_for

    walker.to_stage("4")
    deal.tech.source, deal.tech.external_id = "siebel-prod", "1-TECH"
    deal.tech.save()
    response = client_for(people.rep_a).delete("/api/v1/sync/contacts/siebel-prod/1-TECH/")
    assert response.status_code == 204
    assert walker.opp.stage == "3"
    assert walker.opp.flagged_criteria == ["2.technical_lead"]
