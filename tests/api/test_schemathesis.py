"""Bad input (issue #7): schemathesis generates requests from the project's own OpenAPI
schema — valid ones and invalid ones — and sends them, in process, to Django's WSGI app
as an integration client acting as the administrator, over a database holding a few
records of every kind. Every answer must be one the schema documents: no 5xx, a listed
status code, the listed content type, a body that matches; invalid input is refused
with a 4xx, and nothing answers without credentials.

Bounded and reproducible for CI: at most MAX_EXAMPLES generated requests per operation
(schemathesis' fuzzing phase, valid and invalid ones), derandomized with a fixed seed, no
example database: 72 operations, about 1,400 requests, well under a minute. With
OSP_SCHEMATHESIS_DEEP=1 the coverage phase runs too (the boundary values of every
parameter and field, about 9,000 more requests, a few minutes): worth running by hand
after changing the API. Each request runs in a savepoint that is rolled back, so every
example meets the same records (a DELETE does not starve the examples after it).
"""

import datetime
import os
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import negative_data_rejection

from accounts.models import Account, Contact, Partner, Territory
from forecasting.models import ForecastAdjustment, ForecastSnapshot, Quota
from forecasting.services import forecast_adjust, forecast_snapshot_take
from opportunities import selling_cycle as cycle
from opportunities.models import ApprovalRequest, Opportunity
from osp.fiscal import fiscal_quarter
from osp.models import Notification, User
from plans.models import ActionItem, Plan
from plans.services import action_item_add, plan_create, plan_save, plan_submit
from sync.records import TYPES
from sync.services import sync_upsert
from tests.conftest import make_people
from tests.factories import PartnerFactory, TerritoryFactory
from tests.selling_cycle.conftest import Walker, make_deal
from tests.sync.conftest import client_for

MAX_EXAMPLES = 20
SEED = 7
DEEP = os.environ.get("OSP_SCHEMATHESIS_DEEP") == "1"

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {
        "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
        # Credentials are ours (the Bearer token below), not made up.
        "with-security-parameters": False,
    },
    "phases": {"coverage": {"enabled": DEEP}},
    "checks": {
        # Schema-valid is not business-valid: an owner id nobody has, a second plan for a
        # territory, a closed stage gate are refused with a documented 4xx, rightly.
        "positive_data_acceptance": {"enabled": False},
        # A batch over the limit is refused with 413, as documented.
        "negative_data_rejection": {"expected-statuses": [
            "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428",
            "429"]},
    },
})
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)
# In process: Django's own WSGI handler (middleware, URL resolution, error pages), no
# server. The `app` fixture keeps the test's database connection open across requests.
schema.app = WSGIHandler()

# Records the sync API knows by key, so that its paths can name them.
SYNCED_RECORDS = [
    ("accounts", {"external_id": "1-ACC", "name": "Synced Bank", "owner": "rep_b"}),
    ("partners", {"external_id": "1-PAR", "name": "Synced SI", "type": "reseller",
                  "owner": "rep_b"}),
    ("contacts", {"external_id": "1-CON", "last_name": "Synced", "account": "1-ACC"}),
    ("opportunities", {"external_id": "1-OPP", "name": "Synced deal", "account": "1-ACC",
                       "amount": "1000.00", "currency": "USD",
                       "expected_close_date": "2030-01-31"}),
]
# The records behind the `{id}` of each path (named by the segment before it).
RECORDS = {
    "users": User.objects.all, "territories": Territory.objects.all,
    "accounts": Account.objects.all, "contacts": Contact.objects.all,
    "partners": Partner.objects.all, "opportunities": Opportunity.objects.all,
    "approvals": ApprovalRequest.objects.all, "plans": Plan.objects.all,
    "action-items": ActionItem.objects.all, "snapshots": ForecastSnapshot.objects.all,
    "adjustments": ForecastAdjustment.objects.all,
    "notifications": lambda: Notification.objects.filter(recipient__username="admin"),
}
# Fields of request bodies that name another record.
REFERENCES = {
    "account": Account.objects.all, "partner": Partner.objects.all,
    "territory": Territory.objects.all, "parent": Territory.objects.all,
    "owner": User.objects.all, "manager": User.objects.all, "assignee": User.objects.all,
    "user": User.objects.all, "subject": User.objects.all, "contact": Contact.objects.all,
    "reports_to": Contact.objects.all, "plan": Plan.objects.all,
    "opportunity": Opportunity.objects.all,
}
PLAN_SUBJECTS = {"territory": Territory.objects.all, "account": Account.objects.all,
                 "partner": Partner.objects.all}


@pytest.fixture
def app():
    """Django closes "old" database connections when a request starts and ends, which
    would end the test's transaction: Django's test client switches that off, so do we."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield schema.app
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(db, settings):
    """A few records of every kind, so that reads and writes meet real objects; the
    token of an integration client acting as the administrator, with a rate limit no
    run reaches (people's limit raised too)."""
    settings.OSP_API_RATE = "1000000/min"
    people = make_people()
    deal = make_deal(people)
    walker = Walker(people, deal)
    walker.to_stage("2")
    walker.plan()
    walker.move("3")  # a rep's move into 3 waits for the manager: an approval request
    resource = cycle.approval_request(
        opportunity=deal.opp, user=people.rep_a, kind="resource", resource_type="presales",
        meeting_date=datetime.date.today() + datetime.timedelta(days=30))
    cycle.approval_decide(request=resource, user=people.manager_a, decision="reject",
                          comment="Not this month")  # deciding it again is a 409
    Notification.objects.create(recipient=people.admin, opportunity=deal.opp,
                                message="Read me")
    china = TerritoryFactory(name="China", owner=people.director)
    north = TerritoryFactory(name="North", parent=china, owner=people.manager_a)
    partner = PartnerFactory(name="Jade SI", owner=people.rep_a)
    plan = plan_create(user=people.admin, kind="territory", subject=north)
    plan_save(plan=plan, user=people.manager_a,
              sections={name: "Written" for name in plan.section_names()})
    plan_submit(plan=plan, user=people.manager_a)
    plan_create(user=people.admin, kind="partner", subject=partner)
    today = datetime.date.today()
    action_item_add(user=people.admin, what="Call the CIO", due=today, plan=plan,
                    assignee=people.rep_a)
    action_item_add(user=people.admin, what="Send the quote", due=today,
                    opportunity=deal.opp, assignee=people.rep_a)
    forecast_snapshot_take(user=people.admin, label="before")
    forecast_adjust(manager=people.manager_a, subject=people.rep_a,
                    period=str(fiscal_quarter()), category="commit",
                    amount=Decimal("50000"), note="Sure")
    Quota.objects.create(user=people.rep_a, fiscal_year=today.year + 1, quarter=1,
                         amount=Decimal("100000"))
    Quota.objects.create(territory=north, fiscal_year=today.year + 1, quarter=1,
                         amount=Decimal("300000"))
    for rtype, record in SYNCED_RECORDS:
        [result] = sync_upsert(user=people.admin, rtype=TYPES[rtype], records=[
            {"source": "siebel-prod", **record}])
        assert not result.failed, result.errors
    forecast_snapshot_take(user=people.admin, label="after")
    client = client_for(people.admin, rate=1_000_000, name="schemathesis")
    return {"Authorization": f"Bearer {client.token}"}


def _real(value, records):
    """Most generated ids are ones nobody has: point six in seven at a real row, chosen
    by the generated value (so the run stays reproducible); the rest meet the 404."""
    if not isinstance(value, int) or isinstance(value, bool) or value % 7 == 3:
        return value  # of the wrong type (a negative example), or left to miss
    pks = sorted(records().values_list("pk", flat=True))
    return pks[value % len(pks)] if pks else value


def aim_at_real_records(case):
    """Point the ids and keys of a generated request at records that exist, so that reads,
    changes, deletions and references of real records are tried, not only 404s."""
    params = case.path_parameters or {}
    if "id" in params:
        segments = case.operation.path.strip("/").split("/")
        params["id"] = _real(params["id"], RECORDS[segments[segments.index("{id}") - 1]])
    key = params.get("external_id")
    if params.get("type") in TYPES and isinstance(key, str) and len(key) % 7 != 3:
        params["source"] = "siebel-prod"
        params["external_id"] = dict(SYNCED_RECORDS)[params["type"]]["external_id"]
    if isinstance(case.body, dict):
        references = dict(REFERENCES)
        if case.operation.path == "/api/v1/plans/":
            kind = case.body.get("kind")
            references["subject"] = (PLAN_SUBJECTS.get(kind) if isinstance(kind, str)
                                     else None) or Plan.objects.none
        for name, records in references.items():
            if name in case.body:
                case.body[name] = _real(case.body[name], records)


FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


@pytest.mark.schemathesis
@hypothesis.settings(suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
@schema.parametrize()
def test_every_answer_is_one_the_schema_documents(case, world, app):
    aim_at_real_records(case)
    excluded = []
    if case.media_type in FORMS and not isinstance(case.body, dict):
        # A form is fields, or none: a generated non-object "form" body (null, true, [])
        # reaches the app as an empty form, which is a valid request (a PATCH of nothing).
        excluded.append(negative_data_rejection)
    with transaction.atomic():
        case.call_and_validate(headers=world, excluded_checks=excluded)
        transaction.set_rollback(True)
