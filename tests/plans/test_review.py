"""Plans: draft → submitted → approved or back with comments; versions kept and compared;
the quarterly review, across a fiscal-year boundary with an April start."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opportunities.models import OpportunityPlan
from osp.models import Notification, Role
from plans import selectors, services
from plans.models import Plan, PlanStatus, PlanVersion
from plans.reminders import remind_plan_reviews
from tests.factories import TerritoryFactory, UserFactory


@pytest.fixture
def plan(people):
    territory = TerritoryFactory(name="Beijing", owner=people.rep_a)
    return services.plan_create(user=people.rep_a, kind="territory", subject=territory)


def _write(plan, user, text="Grow the banks"):
    return services.plan_save(plan=plan, user=user,
                              sections={n: f"{text}: {n}" for n in plan.section_names()})


def test_the_approval_flow_and_its_versions(plan, people):
    with pytest.raises(ValidationError):  # every section first
        services.plan_submit(plan=plan, user=people.rep_a)
    plan = _write(plan, people.rep_a)
    services.plan_submit(plan=plan, user=people.rep_a)
    assert people.manager_a.notifications.filter(message__contains="submitted").exists()
    with pytest.raises(ValidationError):  # sending back says why
        services.plan_decide(plan=plan, user=people.manager_a, approve=False)
    with pytest.raises(PermissionDenied):  # not the owner's manager
        services.plan_decide(plan=plan, user=people.manager_b, approve=True)
    with pytest.raises(PermissionDenied):  # nobody approves their own plan
        services.plan_decide(plan=plan, user=people.rep_a, approve=True)
    services.plan_decide(plan=plan, user=people.manager_a, approve=False,
                         comment="Add the partner strategy")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.manager_comment == "Add the partner strategy"
    plan = _write(plan, people.rep_a, text="Grow the banks with Northstar")
    services.plan_submit(plan=plan, user=people.rep_a)
    services.plan_decide(plan=plan, user=people.manager_a, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    v1, v2 = PlanVersion.objects.filter(plan=plan).order_by("number")
    assert (v1.decision, v2.decision) == ("returned", "approved")
    rows = selectors.compare_versions(v1, v2)
    assert all(r["changed"] for r in rows)
    assert "Northstar" in rows[0]["new"] and "Northstar" not in rows[0]["old"]


def test_editing_an_approved_plan_needs_approval_again(plan, people):
    plan = _write(plan, people.rep_a)
    services.plan_submit(plan=plan, user=people.rep_a)
    services.plan_decide(plan=plan, user=people.manager_a, approve=True)
    plan.refresh_from_db()
    _write(plan, people.rep_a, text="New quarter")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_only_the_owners_side_writes_the_plan(plan, people):
    with pytest.raises(PermissionDenied):
        _write(plan, people.rep_b)


@pytest.mark.parametrize("approved_on,today,state", [
    ("2027-03-20", "2027-03-25", "reviewed"),  # FY2027 Q4
    ("2027-03-20", "2027-04-05", "due"),       # FY2028 Q1 began: review again
    ("2027-03-20", "2027-05-10", "overdue"),   # past the 30-day grace
    ("2027-04-02", "2027-05-10", "reviewed"),
])
def test_the_quarterly_review_across_a_fiscal_year_boundary(plan, people, settings,
                                                            approved_on, today, state):
    settings.OSP_FISCAL_YEAR_START_MONTH = 4
    plan.approved_at = timezone.make_aware(datetime.datetime.fromisoformat(approved_on))
    assert services.plan_review_state(plan, datetime.date.fromisoformat(today)) == state


def test_review_reminders_go_once_then_escalate(plan, people, settings):
    settings.OSP_FISCAL_YEAR_START_MONTH = 4
    due_day = datetime.date(2027, 4, 3)
    assert remind_plan_reviews(today=due_day) == 1
    assert remind_plan_reviews(today=due_day) == 0  # duplicate run
    overdue = datetime.date(2027, 5, 3)
    assert remind_plan_reviews(today=overdue) == 1  # overdue, to the owner
    escalated = datetime.date(2027, 5, 20)
    assert remind_plan_reviews(today=escalated) == 1  # and now the manager
    assert remind_plan_reviews(today=escalated) == 0
    assert people.manager_a.notifications.filter(message__contains="not been reviewed").count() == 1
    assert people.rep_a.notifications.count() == 2


def test_action_items_remind_once(plan, people):
    from plans.reminders import remind_action_items

    today = timezone.localdate()
    services.action_item_add(user=people.rep_a, plan=plan, what="Call the CIO",
                             assignee=people.rep_a2, due=today)
    assert remind_action_items(today=today) == 1
    assert remind_action_items(today=today) == 0
    assert people.rep_a2.notifications.get().message == "Action item due today: Call the CIO"


def test_plan_pages_render(plan, people, browser):
    plan = _write(plan, people.rep_a)
    client = browser(people.rep_a)
    assert client.get("/plans/").status_code == 200
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Grow the banks" in html and "review due" in html or "review overdue" in html
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 200
    assert browser(people.rep_b).get(plan.get_absolute_url()).status_code == 404


def test_plans_over_the_api(people, api):
    territory = TerritoryFactory(owner=people.rep_a)
    client = api(people.rep_a)
    created = client.post("/api/v1/plans/", {"kind": "territory", "subject": territory.pk},
                          format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    sections = {n: "text" for n in ["coverage", "strengths", "weaknesses", "opportunities",
                                    "threats", "major_partners", "how_to_exceed",
                                    "issues_and_help"]}
    assert client.patch(f"/api/v1/plans/{pk}/", {"sections": sections},
                        format="json").status_code == 200
    assert client.patch(f"/api/v1/plans/{pk}/", {"status": "approved"},
                        format="json").status_code == 400
    assert client.post(f"/api/v1/plans/{pk}/submit/").status_code == 201
    decided = api(people.manager_a).post(f"/api/v1/plans/{pk}/decide/",
                                         {"decision": "approve"}, format="json")
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    assert len(client.get(f"/api/v1/plans/{pk}/versions/").json()) == 1
    assert api(people.rep_b).get(f"/api/v1/plans/{pk}/").status_code == 404
    notes = client.get("/api/v1/notifications/").json()["results"]
    assert any("approved" in n["message"] for n in notes)


def test_the_territory_plan_computes_attainment_from_the_records(people, walker, plan):
    from decimal import Decimal

    from forecasting.models import Quota
    from osp.fiscal import fiscal_quarter

    # The walker's deal sits in an account of a child territory of the plan's territory.
    child = TerritoryFactory(name="Chaoyang", parent=plan.territory, owner=people.rep_a)
    walker.d.account.territory = child
    walker.d.account.save()
    year = fiscal_quarter().year
    for q in (1, 2, 3, 4):
        Quota.objects.create(territory=plan.territory, fiscal_year=year, quarter=q,
                             amount=Decimal("40000"))
    walker.to_stage("10")
    ytd = selectors.plan_overview(plan)["ytd"]
    assert ytd["quota"] == Decimal("160000")
    assert ytd["booked"] == ytd["won"] == Decimal("80000")
    assert ytd["booked_pct"] == 50


def test_a_task_retried_after_a_crash_sends_nothing_twice(people, monkeypatch):
    from plans import reminders

    for name in ("North", "South", "West"):
        services.plan_create(user=people.rep_a, kind="territory",
                             subject=TerritoryFactory(name=name, owner=people.rep_a))
    real, calls = reminders.remind, {"n": 0}

    def crash_on_the_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("worker lost the database mid-task")
        return real(**kwargs)

    from osp.fiscal import fiscal_quarter

    first_day = fiscal_quarter().start  # "due": one reminder per plan, to the owner
    monkeypatch.setattr(reminders, "remind", crash_on_the_second)
    with pytest.raises(ConnectionError):
        reminders.remind_plan_reviews(today=first_day)
    monkeypatch.setattr(reminders, "remind", real)
    assert reminders.remind_plan_reviews(today=first_day) == 2  # only the two not yet sent
    assert people.rep_a.notifications.count() == 3


def test_action_items_on_an_opportunity(people, walker, browser):
    client = browser(people.rep_a)
    url = f"/opportunities/{walker.opp.pk}/action-items/"
    client.post(url, {"what": "Book the CIO meeting", "contact": walker.d.biz.pk,
                      "due": "2027-01-15"})
    item = walker.opp.action_items.get()
    assert item.who == walker.d.biz
    assert "Book the CIO meeting" in client.get(walker.opp.get_absolute_url()).content.decode()
    client.post(f"/action-items/{item.pk}/done/", {"done": "1"})
    item.refresh_from_db()
    assert item.done_at is not None
    assert browser(people.rep_b).post(url, {"what": "x", "assignee": people.rep_b.pk,
                                            "due": "2027-01-15"}).status_code == 404


def test_the_account_plan_pipeline_has_the_forecast_sheet_columns(people, walker, browser):
    from forecasting.export import forecast_headers
    from forecasting.sections import account_plan_pipeline

    walker.to_stage("2")
    plan = services.plan_create(user=people.rep_a, kind="account", subject=walker.d.account)
    pipeline = account_plan_pipeline(None, plan)
    assert pipeline["headers"] == forecast_headers()
    [row] = pipeline["rows"]
    assert row[4] == walker.opp.name and row[6] == "2 · Project initiated"
    html = browser(people.rep_a).get(plan.get_absolute_url()).content.decode()
    assert "Weighted amount" in html and walker.opp.name in html


# --- Four eyes (issue #17 §4) ------------------------------------------------------------

def test_a_manager_who_wrote_and_submitted_a_reps_plan_does_not_decide_it(people, browser):
    plan = services.plan_create(user=people.manager_a, kind="territory",
                                subject=TerritoryFactory(owner=people.rep_a))
    plan = services.plan_save(plan=plan, user=people.manager_a, sections={
        n: "Written by the manager" for n in plan.section_names()})
    services.plan_submit(plan=plan, user=people.manager_a)
    # The review goes to the one above the submitter.
    assert Notification.objects.filter(recipient=people.director,
                                       message__contains="for your review").exists()
    assert not Notification.objects.filter(recipient=people.manager_a,
                                           message__contains="for your review").exists()
    with pytest.raises(PermissionDenied):
        services.plan_decide(plan=plan, user=people.manager_a, approve=True)
    page = browser(people.manager_a).get(plan.get_absolute_url()).content.decode()
    assert f"/plans/{plan.pk}/decide/" not in page
    version = services.plan_decide(plan=plan, user=people.director, approve=True)
    assert (version.submitted_by, version.decided_by) == (people.manager_a, people.director)


def test_an_administrator_never_decides_what_they_submitted(people):
    plan = services.plan_create(user=people.admin, kind="territory",
                                subject=TerritoryFactory(owner=people.admin))
    plan = services.plan_save(plan=plan, user=people.admin, sections={
        n: "text" for n in plan.section_names()})
    services.plan_submit(plan=plan, user=people.admin)
    with pytest.raises(PermissionDenied):
        services.plan_decide(plan=plan, user=people.admin, approve=True)
    other_admin = UserFactory(username="admin2", roles=[Role.ADMIN])
    decided = services.plan_decide(plan=plan, user=other_admin, approve=True)
    assert decided.decided_by == other_admin


def test_the_admin_cannot_add_or_edit_plans_or_versions_behind_the_services(people, client):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    for path in ("/admin/plans/plan/add/", "/admin/plans/planversion/add/",
                 "/admin/opportunities/opportunityplan/add/"):
        assert client.get(path).status_code == 403, path
    territory_plan = services.plan_create(user=people.admin, kind="territory",
                                          subject=TerritoryFactory(owner=people.rep_a))
    page = client.get(f"/admin/plans/plan/{territory_plan.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    client.post(f"/admin/plans/plan/{territory_plan.pk}/change/", {"status": "approved"})
    assert Plan.objects.get(pk=territory_plan.pk).status == "draft"
    assert not OpportunityPlan.objects.exists()


def test_a_plan_an_administrator_submitted_for_a_rep_is_decided_by_the_reps_manager(people):
    plan = services.plan_create(user=people.admin, kind="territory",
                                subject=TerritoryFactory(owner=people.rep_a))
    plan = services.plan_save(plan=plan, user=people.admin, sections={
        n: "Written by the administrator" for n in plan.section_names()})
    services.plan_submit(plan=plan, user=people.admin)
    assert Notification.objects.filter(recipient=people.manager_a,
                                       message__contains="for your review").exists()
    version = services.plan_decide(plan=plan, user=people.manager_a, approve=True)
    assert (version.submitted_by, version.decided_by) == (people.admin, people.manager_a)


def test_a_plan_the_director_submitted_for_a_rep_goes_past_the_reps_manager(people):
    plan = services.plan_create(user=people.director, kind="territory",
                                subject=TerritoryFactory(owner=people.rep_a))
    plan = services.plan_save(plan=plan, user=people.director, sections={
        n: "Written by the director" for n in plan.section_names()})
    services.plan_submit(plan=plan, user=people.director)
    assert not Notification.objects.filter(recipient=people.manager_a,
                                           message__contains="for your review").exists()
    for below_the_submitter in (people.manager_a, people.director):
        with pytest.raises(PermissionDenied):
            services.plan_decide(plan=plan, user=below_the_submitter, approve=True)
    assert services.plan_decide(plan=plan, user=people.admin, approve=True).decided_by == (
        people.admin)
