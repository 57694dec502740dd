"""The browser's selling-cycle buttons post straight to the services: a NUL in a note,
reason or comment, or a date that is not one, is a message on the page and writes nothing
(issue #15, §4), never a 500."""

import datetime

import pytest
from django.urls import reverse

from opportunities import selling_cycle as cycle
from opportunities.models import ApprovalDecision, ApprovalRequest, Attestation, StageChange

NUL = "\u0000"


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _history():
    return (StageChange.objects.count(), Attestation.objects.count(),
            ApprovalRequest.objects.count(), ApprovalDecision.objects.count())


@pytest.mark.parametrize(("route", "post"), [
    ("opportunity-transition", {"to": "lost", "reason": f"Pri{NUL}ce",
                                "loss_reason": f"Pri{NUL}ce", "winning_competitor": "Oracle"}),
    ("opportunity-transition", {"to": "lost", "loss_reason": "Price",
                                "winning_competitor": f"Ora{NUL}cle"}),
    ("opportunity-attest", {"criterion": "2.project_initiated", "note": f"Con{NUL}firmed"}),
    ("opportunity-attest", {"criterion": "2.project_initiated", "note": "Confirmed",
                            "date": "31/31/2026"}),
    ("opportunity-attest", {"criterion": "2.project_initiated", "note": "Confirmed",
                            "contact": "not a number"}),
    ("opportunity-withdraw", {"criterion": "2.project_initiated", "note": f"Wr{NUL}ong"}),
    ("opportunity-approval-request", {"kind": "resource", "resource_type": "presales",
                                      "comment": f"Need{NUL}an SE", "meeting_date": "2099-01-01"}),
    ("opportunity-approval-request", {"kind": "resource", "resource_type": "presales",
                                      "meeting_date": "next week"}),
])
def test_a_cycle_button_refuses_bad_input_with_a_message(people, deal, browser, route, post):
    cycle.criterion_attest(opportunity=deal.opp, user=people.rep_a, code="2.project_initiated",
                           note="The CIO confirmed it", contact=deal.tech)
    before = _history()

    response = browser(people.rep_a).post(reverse(route, args=[deal.opp.pk]), post,
                                          follow=True)

    assert response.status_code == 200
    assert _messages(response)
    assert _history() == before
    deal.opp.refresh_from_db()
    assert deal.opp.stage == "lead"


def test_a_decision_comment_with_a_nul_is_refused_with_a_message(people, deal, browser):
    request = cycle.approval_request(opportunity=deal.opp, user=people.rep_a, kind="resource",
                                     resource_type="presales",
                                     meeting_date=datetime.date(2099, 1, 1))

    response = browser(people.manager_a).post(
        reverse("approval-decide", args=[request.pk]),
        {"decision": "reject", "comment": f"No{NUL}pe"}, follow=True)

    assert response.status_code == 200
    assert "Null characters are not allowed." in _messages(response)
    assert not ApprovalDecision.objects.exists()
    request.refresh_from_db()
    assert request.status == "pending"
