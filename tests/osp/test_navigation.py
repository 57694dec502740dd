"""The navigation's badges: approvals waiting for the user and unread notifications."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opportunities.models import ApprovalRequest, ApprovalStatus
from osp.models import Notification


def _badges(html):
    approvals = re.search(r'Approvals(?: <span class="count">(\d+)</span>)?</a>', html)
    bell = re.search(r'class="bell"[^>]*>.*?(?:<span class="count">(\d+)</span>)?</a>', html,
                     re.S)
    return approvals.group(1), bell.group(1)


def test_the_badges_count_only_what_waits_for_this_user(people, deals, browser):
    def ask(approver, status=ApprovalStatus.PENDING):
        ApprovalRequest.objects.create(opportunity=deals.opp_a, kind="price_terms",
                                       requested_by=people.rep_a, approver=approver,
                                       status=status)
    ask(people.manager_a)
    ask(people.manager_a)
    ask(people.manager_a, ApprovalStatus.APPROVED)  # decided
    ask(people.manager_b)  # someone else's
    for read_at in (None, None, None, timezone.now()):
        Notification.objects.create(recipient=people.manager_a, message="x", read_at=read_at)
    Notification.objects.create(recipient=people.manager_b, message="not mine")

    html = browser(people.manager_a).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _badges(html) == ("2", "3")


def test_no_badge_when_nothing_waits_and_one_query_for_both(people, browser):
    client = browser(people.rep_b)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _badges(html) == (None, None)
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()
                and "notification" in q["sql"]]
    assert len(counting) == 1 and "approvalrequest" in counting[0]
