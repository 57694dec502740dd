"""Every form that sends the user back to where they were (a POSTed `next`) goes back to
an address on this site only: never to another host (an open redirect)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities import selling_cycle as cycle
from plans.services import action_item_add

ELSEWHERE = ["https://evil.example/phish", "//evil.example/", "/\\evil.example",
             "https:evil.example", "javascript:alert(1)", "\x00/x"]


@pytest.fixture
def item(people, deals):
    return action_item_add(user=people.rep_a, what="Call the CIO", due="2030-01-01",
                           opportunity=deals.opp_a, assignee=people.rep_a)


@pytest.fixture
def approval(people, deals):
    return cycle.approval_request(
        opportunity=deals.opp_a, user=people.rep_a, kind="resource",
        resource_type="presales",
        meeting_date=timezone.localdate() + datetime.timedelta(days=30))


def _routes(item, approval):
    return {
        "action item": (reverse("action-item-toggle", args=[item.pk]), {"done": "1"},
                        item.opportunity.get_absolute_url()),
        "approval": (reverse("approval-decide", args=[approval.pk]),
                     {"decision": "approve"}, reverse("approvals-inbox")),
        "snapshot": (reverse("forecast-snapshot"), {}, reverse("forecast")),
        "adjustment": (reverse("forecast-adjust"), {"subject": item.assignee_id},
                       reverse("forecast")),
    }


@pytest.mark.parametrize("route", ["action item", "approval", "snapshot", "adjustment"])
@pytest.mark.parametrize("target", ELSEWHERE)
def test_a_next_on_another_host_goes_to_the_page_of_the_form_instead(
        people, browser, item, approval, route, target):
    url, data, fallback = _routes(item, approval)[route]
    response = browser(people.manager_a).post(url, {**data, "next": target})
    assert response.status_code == 302
    assert response["Location"] == fallback


@pytest.mark.parametrize("route", ["action item", "approval", "snapshot", "adjustment"])
def test_a_next_on_this_site_is_followed(people, browser, item, approval, route):
    url, data, _fallback = _routes(item, approval)[route]
    response = browser(people.manager_a).post(url, {**data, "next": "/plans/?kind=account"})
    assert response.status_code == 302
    assert response["Location"] == "/plans/?kind=account"
