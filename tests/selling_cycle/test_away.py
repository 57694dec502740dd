"""The manager who is away (issue #17 §5): a manager marks themselves away (from/to dates)
in the browser or the API, an administrator can for anyone (admin, API); pending and new
approvals go to the next manager up while it holds, and come back when it ends."""

import datetime

import pytest
from django.utils import timezone

from opportunities import selling_cycle as cycle
from opportunities.models import ApprovalRequest
from opportunities.tasks import route_approvals_around_who_is_away
from osp.models import User
from tests.html_forms import FormFields

TODAY = timezone.localdate()


def pending_request(walker, people):
    walker.to_stage("2")
    walker.plan()
    return walker.move("3").approval


def test_a_manager_marks_themselves_away_and_their_pending_approval_goes_up(
        walker, people, browser, django_capture_on_commit_callbacks):
    request = pending_request(walker, people)
    assert request.approver == people.manager_a
    client = browser(people.manager_a)
    assert "When you are away" in client.get("/away/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/away/", {"away_from": TODAY.isoformat(),
                                          "away_until": (TODAY + datetime.timedelta(days=5))
                                          .isoformat()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.approver, request.routed_from) == (people.director, people.manager_a)
    assert people.director.notifications.filter(message__contains="while").exists()
    assert cycle.approvals_waiting_for(people.director).filter(pk=request.pk).exists()
    assert not cycle.approvals_waiting_for(people.manager_a).exists()
    # The navigation says so.
    assert "away" in client.get("/").content.decode()

    # Back: the request comes home, and the director is no longer asked.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/away/", {"back": "1"})
    request.refresh_from_db()
    assert (request.approver, request.routed_from) == (people.manager_a, None)
    assert people.manager_a.notifications.filter(message__contains="Back with you").exists()


def test_a_new_request_while_away_goes_up_and_returns_when_the_dates_end(walker, people):
    User.objects.filter(pk=people.manager_a.pk).update(
        away_from=TODAY - datetime.timedelta(days=3), away_until=TODAY)
    request = pending_request(walker, people)
    assert (request.approver, request.routed_from) == (people.director, people.manager_a)
    # Tomorrow the hourly task finds manager_a back.
    cycle.approvals_follow_who_is_away(today=TODAY + datetime.timedelta(days=1))
    request.refresh_from_db()
    assert (request.approver, request.routed_from) == (people.manager_a, None)
    # A second run moves nothing.
    assert cycle.approvals_follow_who_is_away(today=TODAY + datetime.timedelta(days=1)) == 0


def test_away_dates_reached_overnight_take_effect_by_the_hourly_task(walker, people):
    request = pending_request(walker, people)
    User.objects.filter(pk=people.manager_a.pk).update(away_from=TODAY)  # no signal
    assert route_approvals_around_who_is_away() == 1
    request.refresh_from_db()
    assert request.approver == people.director
    assert route_approvals_around_who_is_away() == 0


def test_the_approver_who_stands_in_decides(walker, people):
    request = pending_request(walker, people)
    User.objects.filter(pk=people.manager_a.pk).update(away_from=TODAY)
    cycle.approvals_follow_who_is_away()
    request.refresh_from_db()
    cycle.approval_decide(request=request, user=people.director, decision="approve")
    assert walker.opp.stage == "3"
    assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"


def test_the_api_marks_oneself_away_and_an_admin_anyone(people, api):
    url = f"/api/v1/users/{people.manager_a.pk}/away/"
    response = api(people.manager_a).put(url, {"away_from": TODAY.isoformat(),
                                               "away_until": None}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["is_away"] is True and response.json()["away_until"] is None
    refused = api(people.rep_a).put(url, {"away_from": None}, format="json")
    assert refused.status_code == 403
    back = api(people.admin).put(url, {"away_from": None, "away_until": None}, format="json")
    assert back.status_code == 200 and back.json()["is_away"] is False


@pytest.mark.parametrize("body, field", [
    ({"away_from": "2027-01-10", "away_until": "2027-01-01"}, "away_until"),
    ({"away_from": None, "away_until": "2027-01-01"}, "away_from"),
    ({"away_from": "soon"}, "away_from"),
    ({"away_from": "2027-01-10", "colour": "red"}, "colour"),
])
def test_bad_away_dates_get_field_errors_and_change_nothing(people, api, body, field):
    response = api(people.manager_a).put(f"/api/v1/users/{people.manager_a.pk}/away/", body,
                                         format="json")
    assert response.status_code == 400 and field in str(response.json()), response.json()
    people.manager_a.refresh_from_db()
    assert people.manager_a.away_from is None


def test_an_administrator_marks_someone_away_in_the_admin(walker, people, client,
                                                          django_capture_on_commit_callbacks):
    request = pending_request(walker, people)
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    page = client.get(f"/admin/osp/user/{people.manager_a.pk}/change/").content.decode()
    assert 'name="away_from"' in page and 'name="away_until"' in page
    form = FormFields()
    form.feed(page)
    form.data["away_from"] = TODAY.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/osp/user/{people.manager_a.pk}/change/", form.data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.approver == people.director
