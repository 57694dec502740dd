"""Reminders arrive exactly once per subject and period, in the reader's language."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from opportunities import reminders
from opportunities.models import ApprovalRequest, Opportunity
from opportunities.tasks import send_selling_cycle_reminders
from osp.models import Notification, ReminderPolicy, ReminderSent
from tests.factories import OpportunityFactory

ROOT = Path(__file__).resolve().parents[2]


def _waiting_request(people, deals, days=5):
    request = ApprovalRequest.objects.create(
        opportunity=deals.opp_a, kind="price_terms", requested_by=people.rep_a,
        approver=people.manager_a)
    ApprovalRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days))
    return request


def test_an_approval_waiting_two_working_days_reminds_the_approver_once(people, deals,
                                                                         django_capture_on_commit_callbacks):
    people.manager_a.email = "manager@example.com"
    people.manager_a.save()
    _waiting_request(people, deals)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_waiting_approvals() == 1
        assert reminders.remind_waiting_approvals() == 0  # a duplicate run
    assert people.manager_a.notifications.count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["manager@example.com"]


def test_a_fresh_request_is_not_reminded(people, deals):
    _waiting_request(people, deals, days=0)
    assert reminders.remind_waiting_approvals() == 0


def test_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 27)
    assert reminders.working_days_between(friday, friday + datetime.timedelta(days=3)) == 1


def test_notifications_read_in_each_users_language(people, deals):
    _waiting_request(people, deals)
    reminders.remind_waiting_approvals()
    note = Notification.objects.get()
    assert note.text("en").startswith("Waiting for your decision")
    assert note.text("zh-hans") != note.text("en") and "等待" in note.text("zh-hans")
    with translation.override("zh-hans"):
        assert note.text() == note.message_zh


def test_stale_opportunities_remind_the_owner_weekly(people, deals):
    Opportunity.objects.filter(pk=deals.opp_a.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=40))
    assert reminders.remind_stale_opportunities() == 1
    assert reminders.remind_stale_opportunities() == 0
    assert people.rep_a.notifications.filter(opportunity=deals.opp_a).count() == 1


def test_the_policy_is_the_admins_to_change(people, deals):
    ReminderPolicy.objects.create(stale_opportunity_days=60)
    Opportunity.objects.filter(pk=deals.opp_a.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=40))
    assert reminders.remind_stale_opportunities() == 0


def test_the_database_refuses_a_second_reminder(people):
    from django.db import IntegrityError, transaction

    ReminderSent.objects.create(kind="k", subject="s", period="p", recipient=people.rep_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(kind="k", subject="s", period="p", recipient=people.rep_a)


def test_the_reminder_tasks_wait_for_the_admins_hour(people, deals):
    ReminderPolicy.objects.create(send_from_hour=23)
    Opportunity.objects.filter(pk=deals.opp_a.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=40))
    if timezone.localtime().hour < 23:
        assert send_selling_cycle_reminders() == {}
    ReminderPolicy.objects.update(send_from_hour=0)
    assert send_selling_cycle_reminders()["stale_opportunities"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_delivers_a_reminder_exactly_once(people):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    from config.celery import app

    ReminderPolicy.objects.create(send_from_hour=0)  # whatever the hour of the run
    account_opp = OpportunityFactory(owner=people.rep_a, account__owner=people.rep_a)
    Opportunity.objects.filter(pk=account_opp.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=45))
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": redis_url,
           "CELERY_RESULT_BACKEND_URL": redis_url,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue,
         "--loglevel", "warning", "--without-heartbeat", "--without-mingle",
         "--without-gossip"], cwd=ROOT, env=env)
    old = app.conf.broker_url, app.conf.result_backend
    app.conf.broker_url, app.conf.result_backend = redis_url, redis_url
    try:
        # The same task twice, as a duplicated schedule or a redelivery would send it.
        results = [send_selling_cycle_reminders.apply_async(queue=queue) for _ in range(2)]
        counts = [r.get(timeout=60)["stale_opportunities"] for r in results]
    finally:
        app.conf.broker_url, app.conf.result_backend = old
        worker.terminate()
        worker.wait(timeout=30)
    assert sorted(counts) == [0, 1]
    assert people.rep_a.notifications.filter(opportunity=account_opp).count() == 1


def test_emails_follow_the_language_the_user_chose(people, deals, client,
                                                   django_capture_on_commit_callbacks):
    people.manager_a.email = "m@example.com"
    people.manager_a.save()
    client.force_login(people.manager_a)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    people.manager_a.refresh_from_db()
    assert people.manager_a.language == "zh-hans"
    _waiting_request(people, deals)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.remind_waiting_approvals()
    assert "等待" in mail.outbox[0].body
