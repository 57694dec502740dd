from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opportunities import selling_cycle as cycle
from opportunities.criteria import CATALOGUE
from opportunities.models import SECTIONS, ApprovalRequest, AssessmentQuestion
from opportunities.services import assessment_record, opportunity_plan_save


def test_criteria_lists_every_criterion_with_met_and_evidence(walker, api, people):
    walker.attest("2.project_initiated")
    body = api(people.rep_a).get(f"/api/v1/opportunities/{walker.opp.pk}/criteria/").json()
    codes = [c["code"] for c in body["criteria"]]
    assert codes == [c.code for c in CATALOGUE]
    by_code = {c["code"]: c for c in body["criteria"]}
    assert by_code["2.project_initiated"]["met"] is True
    assert by_code["2.project_initiated"]["attestation"]["contact_name"]
    assert by_code["2.budget"]["met"] is True and "90,000" in by_code["2.budget"]["evidence"]
    assert by_code["5.shortlisted"]["met"] is False
    assert by_code["5.shortlisted"]["text_zh"] == "客户技术主管确认我方入围"


def test_another_team_gets_404_on_every_cycle_endpoint(walker, api, people):
    client, pk = api(people.rep_b), walker.opp.pk
    assert client.get(f"/api/v1/opportunities/{pk}/criteria/").status_code == 404
    assert client.post(f"/api/v1/opportunities/{pk}/transition/", {"to": "2"},
                       format="json").status_code == 404
    assert client.post(f"/api/v1/opportunities/{pk}/attest/", {}).status_code == 404


def test_attest_and_withdraw_over_the_api(walker, api, people, deal):
    client = api(people.rep_a)
    url = f"/api/v1/opportunities/{walker.opp.pk}/"
    bad = client.post(url + "attest/", {"criterion": "2.budget", "note": "x",
                                        "contact": deal.tech.pk}, format="json")
    assert bad.status_code == 400 and "criterion" in bad.json()
    no_contact = client.post(url + "attest/", {"criterion": "2.project_initiated",
                                               "note": "x"}, format="json")
    assert no_contact.status_code == 400 and "contact" in no_contact.json()
    ok = client.post(url + "attest/", {"criterion": "2.project_initiated", "note": "kick-off",
                                       "contact": deal.tech.pk,
                                       "evidence_url": "https://example.com/minutes"},
                     format="json")
    assert ok.status_code == 201
    assert client.post(url + "transition/", {"to": "2"}, format="json").status_code == 200
    gone = client.post(url + "withdraw/", {"criterion": "2.project_initiated",
                                           "note": "retracted"}, format="json")
    assert gone.status_code == 201
    # At stage 2 a broken criterion does not move the deal; it is flagged.
    body = client.get(url).json()
    assert body["stage"] == "2" and body["flagged_criteria"] == ["2.project_initiated"]


def test_a_contact_of_another_customer_cannot_attest(walker, api, people, deals):
    from tests.factories import ContactFactory

    stranger = ContactFactory(account=deals.account_a)
    response = api(people.rep_a).post(
        f"/api/v1/opportunities/{walker.opp.pk}/attest/",
        {"criterion": "2.project_initiated", "note": "x", "contact": stranger.pk},
        format="json")
    assert response.status_code == 400 and "contact" in response.json()


def test_approval_requests_and_decisions_over_the_api(walker, api, people):
    walker.to_stage("2")
    walker.plan()
    rep, manager = api(people.rep_a), api(people.manager_a)
    moved = rep.post(f"/api/v1/opportunities/{walker.opp.pk}/transition/", {"to": "3"},
                     format="json")
    assert moved.status_code == 202
    approval_id = moved.json()["approval"]["id"]
    waiting = manager.get("/api/v1/approvals/?waiting=me").json()["results"]
    assert [a["id"] for a in waiting] == [approval_id]
    assert rep.post(f"/api/v1/approvals/{approval_id}/decide/", {"decision": "approve"},
                    format="json").status_code == 403  # no self-approval
    assert manager.post(f"/api/v1/approvals/{approval_id}/decide/", {"decision": "reject"},
                        format="json").status_code == 400  # a rejection says why
    decided = manager.post(f"/api/v1/approvals/{approval_id}/decide/",
                           {"decision": "approve"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["moved"] is True and decided.json()["opportunity_stage"] == "3"
    again = manager.post(f"/api/v1/approvals/{approval_id}/decide/", {"decision": "approve"},
                         format="json")
    assert again.status_code == 409 and "already decided" in again.json()["detail"]


def test_an_away_manager_passes_approvals_up(walker, people):

    people.manager_a.away_from = timezone.localdate()
    people.manager_a.save()
    walker.to_stage("2")
    walker.plan()
    outcome = walker.move("3")
    assert outcome.approval.approver == people.director


@pytest.mark.parametrize("days,short", [(20, False), (5, True)])
def test_resource_requests_are_flagged_when_late(walker, api, people, days, short):
    response = api(people.rep_a).post(
        f"/api/v1/opportunities/{walker.opp.pk}/approvals/",
        {"kind": "resource", "resource_type": "strategy_team",
         "meeting_date": (timezone.localdate() + timedelta(days=days)).isoformat(),
         "comment": "CIO meeting"}, format="json")
    assert response.status_code == 201
    assert response.json()["short_notice"] is short
    assert ApprovalRequest.objects.get().approver == people.manager_a


def test_the_crud_endpoint_refuses_the_stage_and_points_to_the_transition(walker, api, people):
    response = api(people.rep_a).put(f"/api/v1/opportunities/{walker.opp.pk}/", {
        "name": "x", "account": walker.opp.account_id, "amount": "1",
        "expected_close_date": "2027-01-01", "stage": "9"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["stage"][0]


def test_evidence_files_are_served_only_to_those_who_see_the_deal(walker, api, people, deal,
                                                                  browser, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf")
    response = api(people.rep_a).post(
        f"/api/v1/opportunities/{walker.opp.pk}/attest/",
        {"criterion": "2.project_initiated", "note": "minutes", "contact": deal.tech.pk,
         "evidence_file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    from opportunities.models import Attestation

    attestation = Attestation.objects.get()
    url = f"/opportunities/{walker.opp.pk}/evidence/{attestation.pk}/"
    assert b"".join(browser(people.manager_a).get(url).streaming_content) == b"%PDF-1.4 minutes"
    assert browser(people.rep_b).get(url).status_code == 404
    bad = api(people.rep_a).post(
        f"/api/v1/opportunities/{walker.opp.pk}/attest/",
        {"criterion": "5.shortlisted", "note": "x", "contact": deal.tech.pk,
         "evidence_file": SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")},
        format="multipart")
    assert bad.status_code == 400 and "evidence_file" in bad.json()


def test_a_plan_the_manager_wrote_is_approved_by_the_next_one_up(walker, people):
    """Four eyes (issue #17 §4): the manager who wrote the deal's plan does not approve it."""
    walker.to_stage("2")
    sections = {name: f"{name} by the manager" for name in SECTIONS}
    opportunity_plan_save(opportunity=walker.opp, user=people.manager_a, **sections)
    assessment_record(opportunity=walker.opp, user=people.rep_a, answers={
        q.code: ("yes", "") for q in AssessmentQuestion.objects.all()})
    outcome = walker.move("3")
    assert outcome.approval.approver == people.director
    with pytest.raises(PermissionDenied):
        cycle.approval_decide(request=outcome.approval, user=people.manager_a,
                              decision="approve")
    walker.approve(outcome, user=people.director)
    assert walker.opp.stage == "3"
