"""The permission matrix of issue #7, as data: who is who, what each of them may do with
team A's records (a table written by hand), every route that names a record, and the
world the matrix runs against. The tests are in test_permission_matrix.py.

Reading the table: `-` the record is hidden (404, or the same answer as an id that does
not exist), `R` seen but not changed (200 on reads, 403 on every change), `C` seen and
changed.
"""

import datetime
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Account, Contact, Partner, Territory
from forecasting.models import ForecastAdjustment
from opportunities.models import (
    ApprovalRequest,
    Opportunity,
    OpportunityPartner,
    OpportunityTeamMember,
    Product,
    Quote,
    QuoteVersion,
    SalesTool,
    StepGuide,
    TeamRole,
)
from osp import access, permissions
from osp.models import Notification, User
from plans.models import ActionItem, Plan

PERSONAS = ["rep_a", "rep_a2", "presales_a", "manager_a", "director", "manager_b", "rep_b",
            "finance", "admin"]
ANONYMOUS = "anonymous"
# API routes are also run with an integration client's token: a token acts as its user,
# no more (README, "Clients and tokens"). presales_a meets all three answers: their deal
# (C), its account (R), rep_a's plan (-).
TOKEN_PERSONAS = {"presales_a+token": "presales_a"}

# Who may do what with team A's records. Written from README "Who sees what", the
# docstring of osp/access.py and the selling-cycle rules, deliberately not computed:
# test_access_py_agrees_with_the_table holds osp/access.py and osp/permissions.py to it.
#
# director is above manager_a (-> rep_a, rep_a2, presales_a) and manager_b (-> rep_b).
# presales_a is on the team of rep_a's open deal (not of the lost one).
TABLE = """
row                        rep_a rep_a2 presales_a manager_a director manager_b rep_b finance admin
opportunity                  C     -       C          C         C        -        -     R      C
opportunity:finance_move     R     -       R          R         R        -        -     C      R
lost_opportunity:reopen      R     -       -          C         C        -        -     R      C
account                      C     -       R          C         C        -        -     R      C
account:work_on              C     -       C          C         C        -        -     R      C
contact                      C     -       C          C         C        -        -     R      C
partner                      C     R       R          C         C        R        R     R      C
partner_contact              C     R       R          C         C        R        R     R      C
territory                    C     R       R          C         C        R        R     R      C
plan                         C     -       -          C         C        -        -     R      C
plan:decide                  R     -       -          C         C        -        -     R      C
approval:decide              R     -       R          C         C        -        -     R      C
notification                 C     -       -          -         -        -        -     -      -
user                         R     R       R          R         R        R        R     R      C
user:forecast                R     -       -          R         R        -        -     R      R
user:adjust_forecast         R     R       R          C         C        R        R     R      R
user:away                    C     R       R          R         R        R        R     R      C
shared                       R     R       R          R         R        R        R     R      R
"""
# Notes on rows whose answer is not obvious:
# - opportunity:finance_move: stages 9.5 and 10 are finance's, by any route, admins too.
# - lost_opportunity:reopen: a manager's move (the owner's manager or above), never the
#   owner's own.
# - account:work_on: adding contacts and opportunities to an account: its owners and
#   whoever works a deal on it (the org chart is built by the deal team).
# - contact: follows its account, and the deal team maintains the org chart.
# - approval:decide / plan:decide: the manager (or above), never the requester / owner.
# - user:forecast: a person's forecast is theirs, their managers', finance's and admins'.
# - user:adjust_forecast: a manager's number for someone below them; admins are nobody's
#   manager (forecasting.services.forecast_adjust).
# - user:away: everyone says when they themselves are away; administrators for anyone.
# - shared: forecast snapshots and the admin's sales tools, everybody's.


def parse_table(text: str) -> dict[str, dict[str, str]]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert header == PERSONAS, header
    return {row[0]: dict(zip(header, row[1:], strict=True)) for row in rows}


EXPECT = parse_table(TABLE)


def _in(qs, obj) -> bool:
    return qs.filter(pk=obj.pk).exists()


def _sees_changes(model, obj):
    def answer(user):
        visible = _in(access.visible_to(user, model), obj)
        return visible, visible and permissions.can_change(user, obj)
    return answer


# What osp/access.py (who sees) and osp/permissions.py (who acts) answer for the rows
# they decide: (visible, changeable).
ACCESS_ANSWERS = {
    "opportunity": lambda w: _sees_changes(Opportunity, w.opp),
    "account": lambda w: _sees_changes(Account, w.account),
    "account:work_on": lambda w: lambda u: (
        _in(access.visible_to(u, Account), w.account),
        permissions.can_work_on(u, w.account) and permissions.can_create(u, Contact)
        and permissions.can_create(u, Opportunity)),
    "contact": lambda w: _sees_changes(Contact, w.contact),
    "partner": lambda w: _sees_changes(Partner, w.partner),
    "partner_contact": lambda w: _sees_changes(Contact, w.partner_contact),
    "territory": lambda w: _sees_changes(Territory, w.territory),
    "user": lambda w: _sees_changes(User, w.p.rep_a),
    "plan": lambda w: _sees_changes(Plan, w.plan),
    "opportunity:finance_move": lambda w: lambda u: (
        _in(access.visible_to(u, Opportunity), w.opp), permissions.can_mark_finance_stages(u)),
    "lost_opportunity:reopen": lambda w: lambda u: (
        _in(access.visible_to(u, Opportunity), w.lost), permissions.can_reopen(u, w.lost)),
    "plan:decide": lambda w: lambda u: (
        _in(access.visible_to(u, Plan), w.plan), permissions.can_decide_plan(u, w.plan)),
    "approval:decide": lambda w: lambda u: (
        _in(access.visible_to(u, Opportunity), w.approval.opportunity),
        permissions.can_decide_approval(u, w.approval)),
    "user:away": lambda w: lambda u: (
        _in(access.visible_to(u, User), w.p.rep_a), permissions.can_set_away(u, w.p.rep_a)),
    "user:adjust_forecast": lambda w: lambda u: (
        _in(access.visible_to(u, User), w.p.rep_a),
        permissions.can_adjust_forecast(u, w.p.rep_a)),
}


def cell(visible: bool, changeable: bool) -> str:
    return "C" if visible and changeable else "R" if visible else "-"


# --- Routes ---------------------------------------------------------------------------

def normalise(route: str) -> str:
    """One readable spelling for path() and router regexes:
    `api/v1/^plans/(?P<pk>[^/.]+)/$` -> `api/v1/plans/<pk>/`."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return re.sub(r"<\w+:(\w+)>", r"<\1>", route)


def all_routes() -> list[str]:
    """Every URL pattern of the project, includes expanded, normalised."""
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield normalise(prefix + str(p.pattern))
    return sorted(set(walk(get_resolver().url_patterns, "")))


def has_object_id(route: str) -> bool:
    return bool(re.search(r"<(?!type>)\w+>", route))


# Routes outside the matrix, each with its reason. A prefix ending in "*" covers a subtree.
EXEMPT = {
    "admin/*": "Django's admin, gated by is_staff and model permissions rather than "
               "osp.access; test_the_admin_is_closed_to_everyone_not_staff checks the gate",
    "login/": "signing in: no record behind it",
    "logout/": "signing out: no record behind it",
    "health/": "the load balancer's health check: public by design, no record behind it",
    "i18n/setlang/": "the language switch: only the caller's own language",
    "api/v1/schema/": "the OpenAPI schema: describes routes, holds no records",
    "api/v1/docs/": "the Swagger UI page for the schema: no records",
}


def exempt_reason(route: str) -> str | None:
    for prefix, reason in EXEMPT.items():
        if route == prefix or (prefix.endswith("*") and route.startswith(prefix[:-1])):
            return reason
    return None


# --- The cases ------------------------------------------------------------------------

MISSING = 987_654_321  # an id no record has

READ, CHANGE = "read", "change"


@dataclass(frozen=True)
class Case:
    """One request of the matrix: a route, a method, and which table row decides it.

    `action` READ needs the record visible (200); CHANGE needs the row's `C` (403 for `R`).
    `url(w, ref)` and `data(w, user, ref)` build the request; `ref(w)` is the id of the
    record the table row is about (in the path, the query or the body). When the record
    is hidden the answer must be the one for an id that does not exist (`MISSING`): 404
    for ids in the path, and never anything that tells the two apart.
    """

    route: str
    method: str
    row: str
    action: str
    url: object
    ref: object
    data: object = None
    variant: str = ""
    ok: frozenset = frozenset()  # the answers a permitted change may get
    # The sync API answers "not yours to change" like "not there" (README, Sync API:
    # NOT_FOUND_OR_NO_ACCESS), so that a client learns nothing about what it may not
    # change: there, seen-but-not-changeable is a 404 too.
    refused: int = 403
    # A hidden record's answer: 404, or None for "whatever an id that does not exist
    # gets" (records named in the body: 400 or 404, as long as the two look alike).
    hidden: int | None = 404
    # For a permitted change: did it happen? (A refused one is checked to write nothing.)
    done: object = None

    @property
    def api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def id(self) -> str:
        variant = f"[{self.variant}]" if self.variant else ""
        return f"{self.method} {self.route}{variant}"


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _form(obj, fields, **changes):
    """A browser form's POST data for `obj` as it stands, with `changes`."""
    data = {}
    for name in fields:
        f = obj._meta.get_field(name)
        value = getattr(obj, f.attname)
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


OPPORTUNITY_FORM = ["name", "account", "owner", "amount", "currency", "expected_close_date",
                    "next_step", "lead_source", "budget", "procurement_process", "why_do_it",
                    "why_now", "pains", "description", "quoted_amount", "discount_percent",
                    "commercial_terms", "po_number", "po_date", "po_amount"]
ACCOUNT_FORM = ["name", "territory", "owner", "industry", "size", "is_named", "is_strategic",
                "website", "business_situation", "goals", "it_base", "funding"]
CONTACT_FORM = ["first_name", "last_name", "title", "department", "email", "phone",
                "reports_to", "buying_role", "influence", "attitude", "notes"]
PARTNER_FORM = ["name", "type", "owner", "website", "core_competences", "solution_areas"]
TERRITORY_FORM = ["name", "parent", "owner", "description"]

BROWSER_POST = frozenset({302})


def _opp(w):
    return Opportunity.all_objects.get(pk=w.opp.pk)


def _has(model, **lookups):
    return lambda w: model._base_manager.filter(**{
        k: v(w) if callable(v) else v for k, v in lookups.items()}).exists()


def _cases():  # noqa: C901 (a table, one entry per request)
    cases = []

    def add(route, method, row, action, url, ref, data=None, **kw):
        if method in ("POST", "PUT", "PATCH", "DELETE") and "ok" not in kw:
            kw["ok"] = (BROWSER_POST if not route.startswith("api/")
                        else {"POST": {200, 201}, "PUT": {200}, "PATCH": {200},
                              "DELETE": {204}}[method])
        kw["ok"] = frozenset(kw.get("ok", ()))
        cases.append(Case(route, method, row, action, url, ref, data, **kw))

    def path(fmt):
        return lambda w, ref: fmt.format(ref=ref)

    opp, lost = (lambda w: w.opp.pk), (lambda w: w.lost.pk)
    account, contact = (lambda w: w.account.pk), (lambda w: w.contact.pk)
    partner, pcontact = (lambda w: w.partner.pk), (lambda w: w.partner_contact.pk)
    territory, plan = (lambda w: w.territory.pk), (lambda w: w.plan.pk)
    draft_plan = lambda w: w.draft_plan.pk  # noqa: E731

    # Territories, accounts, contacts and partners in the browser.
    add("territories/<pk>/", "GET", "territory", READ, path("/territories/{ref}/"), territory)
    for method in ("GET", "POST"):
        add("territories/<pk>/edit/", method, "territory", CHANGE,
            path("/territories/{ref}/edit/"), territory,
            lambda w, u, ref: _form(w.territory, TERRITORY_FORM, description="Renamed"),
            done=_has(Territory, description="Renamed"))
    add("accounts/<pk>/", "GET", "account", READ, path("/accounts/{ref}/"), account)
    for method in ("GET", "POST"):
        add("accounts/<pk>/edit/", method, "account", CHANGE, path("/accounts/{ref}/edit/"),
            account, lambda w, u, ref: _form(w.account, ACCOUNT_FORM, goals="Grow"),
            done=_has(Account, goals="Grow"))
        # Refused while it has opportunities: a permitted delete comes back with a message.
        add("accounts/<pk>/delete/", method, "account", CHANGE,
            path("/accounts/{ref}/delete/"), account, lambda w, u, ref: {})
        add("accounts/<account_pk>/contacts/new/", method, "account:work_on", CHANGE,
            path("/accounts/{ref}/contacts/new/"), account,
            lambda w, u, ref: {"last_name": "Newcomer", "attitude": "unknown"},
            done=_has(Contact, last_name="Newcomer", account=lambda w: w.account))
        add("accounts/<account_pk>/opportunities/new/", method, "account:work_on", CHANGE,
            path("/accounts/{ref}/opportunities/new/"), account,
            lambda w, u, ref: {"name": "Gamma add-on", "account": ref, "owner": u.pk if u else "",
                               "amount": "1000", "currency": "USD", "lead_source": "web",
                               "expected_close_date": _today(30)},
            done=_has(Opportunity, name="Gamma add-on"))
    for row, ref in (("contact", contact), ("partner_contact", pcontact)):
        add("contacts/<pk>/", "GET", row, READ, path("/contacts/{ref}/"), ref, variant=row)
        for method in ("GET", "POST"):
            add("contacts/<pk>/edit/", method, row, CHANGE, path("/contacts/{ref}/edit/"),
                ref, lambda w, u, ref: _form(Contact.objects.get(pk=ref), CONTACT_FORM,
                                             title="CIO"), variant=row,
                done=_has(Contact, title="CIO"))
            add("contacts/<pk>/delete/", method, row, CHANGE,
                path("/contacts/{ref}/delete/"), ref, lambda w, u, ref: {}, variant=row,
                done=lambda w, ref=ref: Contact.all_objects.get(pk=ref(w)).deleted_at)
    add("partners/<pk>/", "GET", "partner", READ, path("/partners/{ref}/"), partner)
    for method in ("GET", "POST"):
        add("partners/<pk>/edit/", method, "partner", CHANGE, path("/partners/{ref}/edit/"),
            partner, lambda w, u, ref: _form(w.partner, PARTNER_FORM, website=""))
        add("partners/<partner_pk>/contacts/new/", method, "partner", CHANGE,
            path("/partners/{ref}/contacts/new/"), partner,
            lambda w, u, ref: {"last_name": "Newcomer", "attitude": "unknown"},
            done=_has(Contact, last_name="Newcomer", partner=lambda w: w.partner))

    # Opportunities in the browser.
    o = "/opportunities/{ref}/"
    add("opportunities/<pk>/", "GET", "opportunity", READ, path(o), opp)
    for method in ("GET", "POST"):
        add("opportunities/<pk>/edit/", method, "opportunity", CHANGE, path(o + "edit/"), opp,
            lambda w, u, ref: _form(w.opp, OPPORTUNITY_FORM, next_step="Call the CFO"),
            done=lambda w: _opp(w).next_step == "Call the CFO")
        add("opportunities/<pk>/delete/", method, "opportunity", CHANGE, path(o + "delete/"),
            opp, lambda w, u, ref: {}, done=lambda w: _opp(w).deleted_at)
    post = [
        ("opportunities/<pk>/team/", "team/",
         lambda w, u, ref: {"user": w.p.rep_a2.pk, "role": TeamRole.PRESALES}),
        ("opportunities/<pk>/partners/", "partners/",
         lambda w, u, ref: {"partner": w.partner.pk, "role": "integrator"}),
        ("opportunities/<pk>/activities/", "activities/",
         lambda w, u, ref: {"kind": "call", "occurred_on": _today(), "subject": "Call"}),
        ("opportunities/<pk>/attest/", "attest/",
         lambda w, u, ref: {"criterion": "5.shortlisted", "note": "Said so",
                            "contact": w.contact.pk}),
        ("opportunities/<pk>/withdraw/", "withdraw/",
         lambda w, u, ref: {"criterion": "2.project_initiated", "note": "Wrong person"}),
        # A deal at 9 is past Go/No-Go: who may act gets the rule's message, the others
        # a 403 / 404 first.
        ("opportunities/<pk>/go/", "go/", lambda w, u, ref: {"rationale": "Qualified"}),
        ("opportunities/<pk>/approvals/", "approvals/",
         lambda w, u, ref: {"kind": "resource", "resource_type": "presales",
                            "meeting_date": _today(30), "comment": "Demo"}),
        ("opportunities/<pk>/plan/", "plan/",
         lambda w, u, ref: {"win_strategy": "Win on service", "action_items": "Demo"}),
        ("opportunities/<pk>/win-loss/", "win-loss/",
         lambda w, u, ref: {"why": "Service", "repeat_or_avoid": "Repeat the demo"}),
        ("opportunities/<pk>/handover/", "handover/",
         lambda w, u, ref: {"scope": "Roll-out", "acceptance_terms": "Go-live",
                            "services_owner": w.p.admin.pk}),
        ("opportunities/<pk>/action-items/", "action-items/",
         lambda w, u, ref: {"what": "Send the deck", "assignee": w.p.rep_a.pk,
                            "due": _today(7)}),
        ("opportunities/<pk>/assessment/", "assessment/",
         lambda w, u, ref: {f"q-{code}": "yes" for code in w.question_codes}),
    ]
    done = {
        "team/": lambda w: _opp(w).team_members.filter(user=w.p.rep_a2).exists(),
        "approvals/": _has(ApprovalRequest, opportunity=lambda w: w.opp, comment="Demo"),
        "action-items/": lambda w: _opp(w).action_items.filter(what="Send the deck").exists(),
    }
    for route, tail, data in post:
        add(route, "POST", "opportunity", CHANGE, path(o + tail), opp, data,
            done=done.get(tail))
    add("opportunities/<pk>/team/<user_pk>/remove/", "POST", "opportunity", CHANGE,
        lambda w, ref: f"/opportunities/{ref}/team/{w.p.presales_a.pk}/remove/", opp,
        lambda w, u, ref: {},
        done=lambda w: not _opp(w).team_members.filter(user=w.p.presales_a).exists())
    add("opportunities/<pk>/partners/<link_pk>/remove/", "POST", "opportunity", CHANGE,
        lambda w, ref: f"/opportunities/{ref}/partners/{w.link.pk}/remove/", opp,
        lambda w, u, ref: {})
    add("opportunities/<pk>/plan/", "GET", "opportunity", READ, path(o + "plan/"), opp)
    # The deal's quote (the world's deal has version 1).
    add("opportunities/<pk>/quote/", "GET", "opportunity", READ, path(o + "quote/"), opp)
    add("opportunities/<pk>/quote/<number>/", "GET", "opportunity", READ, path(o + "quote/1/"),
        opp)
    for method in ("GET", "POST"):
        add("opportunities/<pk>/quote/new/", method, "opportunity", CHANGE,
            path(o + "quote/new/"), opp,
            lambda w, u, ref: {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
                               "lines-0-product": w.product.pk, "lines-0-quantity": "3",
                               "valid_until": _today(30), "expected_version": "1"},
            done=_has(QuoteVersion, quote__opportunity=lambda w: w.opp, number=2))
    add("opportunities/<pk>/quote/<number>/accept/", "POST", "opportunity", CHANGE,
        path(o + "quote/1/accept/"), opp, lambda w, u, ref: {},
        done=_has(Quote, opportunity=lambda w: w.opp, accepted__number=1))
    add("opportunities/<pk>/assessment/", "GET", "opportunity", READ, path(o + "assessment/"),
        opp)
    add("opportunities/<pk>/evidence/<attestation_pk>/", "GET", "opportunity", READ,
        lambda w, ref: f"/opportunities/{ref}/evidence/{w.attestation.pk}/", opp)
    add("sales-tools/<pk>/", "GET", "shared", READ, path("/sales-tools/{ref}/"),
        lambda w: w.tool.pk)

    # The selling cycle's moves, browser and API alike.
    moves = [
        ("lost", "opportunity", opp, {"to": "lost", "loss_reason": "Budget cut",
                                      "winning_competitor": "Rival"}),
        ("9.5", "opportunity:finance_move", opp, {"to": "9.5", "reference": "PAY-1"}),
        ("reopen", "lost_opportunity:reopen", lost, {"to": "lead", "reason": "Budget is back"}),
    ]
    for variant, row, ref, body in moves:
        def moved(w, ref=ref, to=body["to"]):
            return Opportunity.objects.get(pk=ref(w)).stage == to

        add("opportunities/<pk>/transition/", "POST", row, CHANGE, path(o + "transition/"),
            ref, lambda w, u, ref, body=body: body, variant=variant, done=moved)
        add("api/v1/opportunities/<pk>/transition/", "POST", row, CHANGE,
            path("/api/v1" + o + "transition/"), ref, lambda w, u, ref, body=body: body,
            variant=variant, done=moved)

    # Approvals and plans in the browser.
    approval = lambda w: w.approval.pk  # noqa: E731
    approved = _has(ApprovalRequest, pk=lambda w: w.approval.pk, status="approved")
    add("approvals/<approval_pk>/decide/", "POST", "approval:decide", CHANGE,
        path("/approvals/{ref}/decide/"), approval, lambda w, u, ref: {"decision": "approve"},
        done=approved)
    add("plans/<pk>/", "GET", "plan", READ, path("/plans/{ref}/"), plan)
    add("plans/<pk>/compare/", "GET", "plan", READ, path("/plans/{ref}/compare/?a=1&b=1"),
        plan)
    for method in ("GET", "POST"):
        add("plans/<pk>/edit/", method, "plan", CHANGE, path("/plans/{ref}/edit/"), plan,
            lambda w, u, ref: {"strategy": "Land and expand"},
            done=_has(Plan, pk=plan, sections__strategy="Land and expand"))
    submitted = _has(Plan, pk=draft_plan, status="submitted")
    decided = _has(Plan, pk=plan, status="approved")
    add("plans/<pk>/submit/", "POST", "plan", CHANGE, path("/plans/{ref}/submit/"),
        draft_plan, lambda w, u, ref: {}, variant="draft", done=submitted)
    add("plans/<pk>/decide/", "POST", "plan:decide", CHANGE, path("/plans/{ref}/decide/"), plan,
        lambda w, u, ref: {"decision": "approve"}, done=decided)
    add("plans/<pk>/action-items/", "POST", "plan", CHANGE, path("/plans/{ref}/action-items/"),
        plan, lambda w, u, ref: {"what": "Call", "assignee": w.p.rep_a.pk, "due": _today(7)},
        done=_has(ActionItem, plan=plan, what="Call"))
    for variant, row, ref in (("plan item", "plan", lambda w: w.plan_item.pk),
                              ("opportunity item", "opportunity", lambda w: w.opp_item.pk)):
        add("action-items/<item_pk>/done/", "POST", row, CHANGE,
            path("/action-items/{ref}/done/"), ref, lambda w, u, ref: {"done": "1"},
            variant=variant, done=_has(ActionItem, pk=ref, done_at__isnull=False))
    # Records named in the body or the query rather than the path.
    for variant, row, ref in (("account", "account", account),
                              ("territory", "territory", territory)):
        # The account already has its plan: a permitted create is refused with a message.
        add("plans/new/", "POST", row, CHANGE, lambda w, ref: "/plans/new/", ref,
            lambda w, u, ref, kind=variant: {"kind": kind, "subject": ref}, variant=variant,
            hidden=None, done=_has(Plan, territory=ref) if variant == "territory" else None)
    adjusted = _has(ForecastAdjustment, subject=lambda w: w.p.rep_a, note="Upside")
    add("forecast/adjust/", "POST", "user:adjust_forecast", CHANGE,
        lambda w, ref: "/forecast/adjust/", lambda w: w.p.rep_a.pk,
        lambda w, u, ref: {"subject": ref, "period": w.period, "category": "commit",
                           "amount": "1000", "note": "Upside"}, hidden=None, done=adjusted)
    for route, url in (("forecast/", "/forecast/"), ("forecast/export.xlsx",
                                                      "/forecast/export.xlsx"),
                       ("api/v1/forecast/", "/api/v1/forecast/"),
                       ("api/v1/forecast/export.xlsx", "/api/v1/forecast/export.xlsx")):
        add(route, "GET", "user:forecast", READ,
            lambda w, ref, url=url: f"{url}?node=user:{ref}", lambda w: w.p.rep_a.pk,
            variant="user")
        add(route, "GET", "account", READ,
            lambda w, ref, url=url: f"{url}?node=account:{ref}", account, variant="account")

    # The REST records.
    records = [
        ("territories", "territory", territory, None,
         lambda w, u, ref: {"name": "North", "parent": None, "owner": w.p.rep_a.pk,
                            "description": ""}),
        ("accounts", "account", account, None,
         lambda w, u, ref: {"name": "Gamma Insurance", "territory": w.territory.pk,
                            "owner": w.p.rep_a.pk}),
        ("contacts", "contact", contact, "contact",
         lambda w, u, ref: {"account": w.account.pk, "last_name": "Tech",
                            "buying_role": "technical_lead"}),
        ("contacts", "partner_contact", pcontact, "partner_contact",
         lambda w, u, ref: {"partner": w.partner.pk, "last_name": "Liaison"}),
        ("partners", "partner", partner, None,
         lambda w, u, ref: {"name": "Team A Partner", "type": "system_integrator",
                            "owner": w.p.rep_a.pk}),
        ("opportunities", "opportunity", opp, None,
         lambda w, u, ref: {"name": "Gamma claims platform", "account": w.account.pk,
                            "amount": "80000", "expected_close_date":
                                w.opp.expected_close_date.isoformat()}),
    ]
    for name, row, ref, variant, full in records:
        route = f"api/v1/{name}/<pk>/"
        url = path(f"/api/v1/{name}/{{ref}}/")
        kw = {"variant": variant} if variant else {}
        add(route, "GET", row, READ, url, ref, **kw)
        add(route, "PUT", row, CHANGE, url, ref, full, **kw)
        add(route, "PATCH", row, CHANGE, url, ref,
            lambda w, u, ref, full=full: {k: v for k, v in full(w, u, ref).items()
                                          if k == "name" or k == "last_name"}, **kw)
        add(route, "DELETE", row, CHANGE, url, ref, **kw,
            # Territories and accounts with records under them are refused (400).
            ok={204} if row not in ("territory", "account") else {400})
    add("api/v1/users/<pk>/", "GET", "user", READ, path("/api/v1/users/{ref}/"),
        lambda w: w.p.rep_a.pk)
    add("api/v1/users/<pk>/away/", "PUT", "user:away", CHANGE,
        path("/api/v1/users/{ref}/away/"), lambda w: w.p.rep_a.pk,
        lambda w, u, ref: {"away_from": _today(), "away_until": _today(7)})
    for method in ("PUT", "PATCH"):
        add("api/v1/users/<pk>/", method, "user", CHANGE, path("/api/v1/users/{ref}/"),
            lambda w: w.p.rep_a.pk,
            lambda w, u, ref: {"username": "rep_a", "title": "Account executive"})

    # The selling cycle over the API.
    a = "/api/v1/opportunities/{ref}/"
    add("api/v1/opportunities/<pk>/criteria/", "GET", "opportunity", READ,
        path(a + "criteria/"), opp)
    add("api/v1/opportunities/<pk>/history/", "GET", "opportunity", READ,
        path(a + "history/"), opp)
    add("api/v1/opportunities/<pk>/quote-versions/", "GET", "opportunity", READ,
        path(a + "quote-versions/"), opp)
    add("api/v1/opportunities/<pk>/quote-versions/", "POST", "opportunity", CHANGE,
        path(a + "quote-versions/"), opp,
        lambda w, u, ref: {"lines": [{"product": w.product.pk, "quantity": "1"}],
                           "valid_until": _today(30)}, ok={201},
        done=_has(QuoteVersion, quote__opportunity=lambda w: w.opp, number=2))
    add("api/v1/opportunities/<pk>/quote-versions/<number>/accept/", "POST", "opportunity",
        CHANGE, path(a + "quote-versions/1/accept/"), opp, lambda w, u, ref: {}, ok={200},
        done=_has(Quote, opportunity=lambda w: w.opp, accepted__number=1))
    for route, tail, data, ok in [
        ("attest/", "attest/", lambda w, u, ref: {"criterion": "5.shortlisted",
                                                  "note": "Said so", "contact": w.contact.pk},
         {201}),
        ("withdraw/", "withdraw/", lambda w, u, ref: {"criterion": "2.project_initiated",
                                                      "note": "Wrong person"}, {201}),
        # Past Go/No-Go at 9: 400 for who may act (tests/selling_cycle/test_go_decision.py).
        ("go/", "go/", lambda w, u, ref: {"rationale": "Qualified"}, {400}),
        ("approvals/", "approvals/", lambda w, u, ref: {
            "kind": "resource", "resource_type": "presales", "meeting_date": _today(30)},
         {201}),
    ]:
        add(f"api/v1/opportunities/<pk>/{route}", "POST", "opportunity", CHANGE,
            path(a + tail), opp, data, ok=ok)
    add("api/v1/approvals/<pk>/", "GET", "approval:decide", READ,
        path("/api/v1/approvals/{ref}/"), approval)
    add("api/v1/approvals/<pk>/decide/", "POST", "approval:decide", CHANGE,
        path("/api/v1/approvals/{ref}/decide/"), approval,
        lambda w, u, ref: {"decision": "approve"}, done=approved)

    # Plans, action items and notifications over the API.
    add("api/v1/plans/<pk>/", "GET", "plan", READ, path("/api/v1/plans/{ref}/"), plan)
    add("api/v1/plans/<pk>/versions/", "GET", "plan", READ,
        path("/api/v1/plans/{ref}/versions/"), plan)
    add("api/v1/plans/<pk>/", "PATCH", "plan", CHANGE, path("/api/v1/plans/{ref}/"), plan,
        lambda w, u, ref: {"sections": {"strategy": "Land and expand"}},
        done=_has(Plan, pk=plan, sections__strategy="Land and expand"))
    add("api/v1/plans/<pk>/submit/", "POST", "plan", CHANGE,
        path("/api/v1/plans/{ref}/submit/"), draft_plan, lambda w, u, ref: {},
        variant="draft", ok={201}, done=submitted)
    add("api/v1/plans/<pk>/decide/", "POST", "plan:decide", CHANGE,
        path("/api/v1/plans/{ref}/decide/"), plan, lambda w, u, ref: {"decision": "approve"},
        done=decided)
    for variant, row, ref in (("account", "account", account),
                              ("territory", "territory", territory)):
        add("api/v1/plans/", "POST", row, CHANGE, lambda w, ref: "/api/v1/plans/", ref,
            lambda w, u, ref, kind=variant: {"kind": kind, "subject": ref}, variant=variant,
            ok={201} if variant == "territory" else {400}, hidden=None)
    for variant, row, ref in (("plan item", "plan", lambda w: w.plan_item.pk),
                              ("opportunity item", "opportunity", lambda w: w.opp_item.pk)):
        add("api/v1/action-items/<pk>/done/", "POST", row, CHANGE,
            path("/api/v1/action-items/{ref}/done/"), ref, lambda w, u, ref: {"done": True},
            variant=variant, done=_has(ActionItem, pk=ref, done_at__isnull=False))
    for variant, row, ref in (("plan", "plan", plan), ("opportunity", "opportunity", opp)):
        add("api/v1/action-items/", "POST", row, CHANGE, lambda w, ref: "/api/v1/action-items/",
            ref, lambda w, u, ref, key=variant: {key: ref, "what": "Call",
                                                 "assignee": w.p.rep_a.pk, "due": _today(7)},
            variant=variant, ok={201}, hidden=None)
    add("api/v1/notifications/<pk>/read/", "POST", "notification", CHANGE,
        path("/api/v1/notifications/{ref}/read/"), lambda w: w.notification.pk,
        lambda w, u, ref: {}, done=_has(Notification, pk=lambda w: w.notification.pk,
                                        read_at__isnull=False))
    add("api/v1/forecast/snapshots/<pk>/changes/", "GET", "shared", READ,
        path("/api/v1/forecast/snapshots/{ref}/changes/"), lambda w: w.snapshot.pk)
    add("api/v1/forecast/adjustments/", "POST", "user:adjust_forecast", CHANGE,
        lambda w, ref: "/api/v1/forecast/adjustments/", lambda w: w.p.rep_a.pk,
        lambda w, u, ref: {"subject": ref, "period": w.period, "category": "commit",
                           "amount": "1000", "note": "Upside"}, ok={201}, hidden=None,
        done=adjusted)
    # Creating records under another record named in the body.
    add("api/v1/contacts/", "POST", "account:work_on", CHANGE, lambda w, ref: "/api/v1/contacts/",
        account, lambda w, u, ref: {"account": ref, "last_name": "Newcomer"},
        variant="account", ok={201}, hidden=None)
    add("api/v1/contacts/", "POST", "partner", CHANGE, lambda w, ref: "/api/v1/contacts/",
        partner, lambda w, u, ref: {"partner": ref, "last_name": "Newcomer"},
        variant="partner", ok={201}, hidden=None)
    add("api/v1/opportunities/", "POST", "account:work_on", CHANGE,
        lambda w, ref: "/api/v1/opportunities/", account,
        lambda w, u, ref: {"name": "Gamma add-on", "account": ref, "amount": "1000",
                           "expected_close_date": _today(30)}, ok={201}, hidden=None)

    # The sync API, by the client system's keys.
    for kind, row, ref_name in (("accounts", "account", "account"),
                                ("contacts", "contact", "contact"),
                                ("partners", "partner", "partner"),
                                ("opportunities", "opportunity", "opp")):
        def url(w, ref, kind=kind):
            return f"/api/v1/sync/{kind}/siebel-test/{ref}/"

        def ref(w, ref_name=ref_name):
            return getattr(w, ref_name).external_id

        add("api/v1/sync/<type>/<source>/<external_id>/", "GET", row, READ, url, ref,
            variant=kind)
        add("api/v1/sync/<type>/<source>/<external_id>/", "PUT", row, CHANGE, url, ref,
            lambda w, u, ref: {}, variant=kind, refused=404)
        add("api/v1/sync/<type>/<source>/<external_id>/", "DELETE", row, CHANGE, url, ref,
            variant=kind, refused=404,
            ok={400} if kind == "accounts" else {204})
    return cases


CASES = _cases()


# Routes without a record of their own (lists, pages, creation forms, role-only actions):
# each persona's answer, and that a list shows none of team A's records to those who may
# not see them. (route, method, url, who gets 403 instead of the `ok` answer).
MANAGERS = {"manager_a", "manager_b", "director", "admin"}
NOT_FINANCE = set(PERSONAS) - {"finance"}


@dataclass(frozen=True)
class Page:
    route: str
    method: str = "GET"
    url: str = ""
    allowed: frozenset = frozenset(PERSONAS)  # the others get 403
    ok: int = 200
    data: dict = field(default_factory=dict)
    # Whether the answer lists records (checked for team A's names). A page may be allowed
    # for everybody and still must not show what is hidden from the reader.
    lists: bool = True

    @property
    def href(self) -> str:
        return self.url or "/" + self.route

    @property
    def id(self) -> str:
        query = self.url.partition("?")[2]
        variant = self.url.split("/")[-2] if "<type>" in self.route else query
        return f"{self.method} {self.route}" + (f"[{variant}]" if variant else "")


PAGES = [
    Page(""),
    Page("notifications/"),
    Page("away/", lists=False),
    Page("away/", "POST", ok=302, lists=False, data={"away_from": "", "away_until": ""}),
    Page("territories/"), Page("territories/new/", lists=False,
                               allowed=frozenset(NOT_FINANCE)),
    Page("accounts/"), Page("accounts/new/", lists=False, allowed=frozenset(NOT_FINANCE)),
    Page("contacts/"),
    Page("partners/"), Page("partners/new/", lists=False, allowed=frozenset(NOT_FINANCE)),
    Page("opportunities/"),
    Page("opportunities/new/", lists=False, allowed=frozenset(NOT_FINANCE)),
    Page("opportunities/board/"),
    Page("approvals/"),
    Page("finance/", allowed=frozenset({"finance", "admin"})),
    Page("forecast/"), Page("forecast/export.xlsx", lists=False),
    Page("forecast/snapshot/", "POST", allowed=frozenset(MANAGERS), ok=302, lists=False),
    Page("plans/"), Page("plans/subjects/", url="/plans/subjects/?kind=account"),
    Page("api/v1/"),
    Page("api/v1/users/"),
    Page("api/v1/users/", "POST", allowed=frozenset({"admin"}), ok=201, lists=False,
         data={"username": "newcomer", "roles": ["sales_rep"]}),
    Page("api/v1/territories/"), Page("api/v1/accounts/"), Page("api/v1/contacts/"),
    Page("api/v1/partners/"), Page("api/v1/opportunities/"), Page("api/v1/approvals/"),
    Page("api/v1/approvals/", url="/api/v1/approvals/?waiting=me"),
    Page("api/v1/plans/"), Page("api/v1/action-items/"), Page("api/v1/notifications/"),
    Page("api/v1/notifications/read-all/", "POST", lists=False),
    Page("api/v1/forecast/snapshots/"),
    Page("api/v1/forecast/snapshots/", "POST", allowed=frozenset(MANAGERS), ok=201,
         lists=False),
    Page("api/v1/forecast/adjustments/"), Page("api/v1/forecast/quotas/"),
    Page("api/v1/forecast/"), Page("api/v1/forecast/export.xlsx", lists=False),
    Page("api/v1/sync/mapping/", lists=False),
    Page("api/v1/sync/changes/", url="/api/v1/sync/changes/?limit=1000"),
    *[Page("api/v1/sync/<type>/", url=f"/api/v1/sync/{t}/?limit=500")
      for t in ("accounts", "contacts", "opportunities")],
    # A batch row on team A's account: refused (NOT_FOUND_OR_NO_ACCESS) per row, not per
    # request; test_a_sync_batch_row_changes_only_what_its_user_may checks the rows.
    Page("api/v1/sync/<type>/batch/", "POST", url="/api/v1/sync/accounts/batch/",
         lists=False, data={"records": []}),
]
# What a reader who may not see team A's deal must find nowhere in a list.
TEAM_A_NAMES = ("Gamma claims platform", "Gamma Insurance", "Gamma lost deal")


# --- The world ------------------------------------------------------------------------

def build_world():
    """Team A's records, one of each kind, and the people of tests/conftest.py.

    rep_a's deal is walked to stage 9 through the real services (the PO is in, so
    finance may mark 9.5; it is won, so win/loss and hand-over apply), presales_a is on
    its team, rep_a has asked manager_a for a resource, and rep_a's account plan waits
    for manager_a's decision."""
    from forecasting.services import forecast_snapshot_take
    from opportunities import selling_cycle as cycle
    from opportunities.models import AssessmentQuestion
    from opportunities.quotes import quote_version_create
    from osp.fiscal import parse_period
    from plans import services as plans
    from sync.services import integration_client_create
    from tests.conftest import make_people
    from tests.factories import (
        ContactFactory,
        OpportunityFactory,
        PartnerFactory,
        TerritoryFactory,
    )
    from tests.selling_cycle.conftest import Walker, make_deal

    p = make_people()
    deal = make_deal(p)
    territory = TerritoryFactory(name="North", owner=p.rep_a)
    Account.objects.filter(pk=deal.account.pk).update(territory=territory)
    opp = Walker(p, deal).to_stage("9")
    OpportunityTeamMember.objects.create(opportunity=opp, user=p.presales_a,
                                         role=TeamRole.PRESALES)
    partner = PartnerFactory(name="Team A Partner", owner=p.rep_a)
    partner_contact = ContactFactory(account=None, partner=partner, last_name="Liaison")
    lost = OpportunityFactory(name="Gamma lost deal", account=deal.account)
    cycle.opportunity_transition(opportunity=lost, user=p.rep_a, to="lost",
                                 loss_reason="Price", winning_competitor="Rival")
    approval = cycle.approval_request(opportunity=opp, user=p.rep_a, kind="resource",
                                      resource_type="presales",
                                      meeting_date=timezone.localdate()
                                      + datetime.timedelta(days=30))
    product = Product.objects.create(code="CORE", name_en="Core licence",
                                     list_price=1000, currency="USD")
    quote_version_create(opportunity=opp, user=p.rep_a,
                         lines=[{"product": product, "quantity": 2}], reseller=deal.reseller,
                         reseller_margin=10, valid_until=timezone.localdate()
                         + datetime.timedelta(days=30))
    attestation = cycle.criterion_attest(
        opportunity=opp, user=p.rep_a, code="5.solution_approach", note="Minutes",
        contact=deal.tech, evidence_file=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 x"))

    account = Account.objects.get(pk=deal.account.pk)
    plan = plans.plan_create(user=p.rep_a, kind="account", subject=account)
    plan = plans.plan_save(plan=plan, user=p.rep_a,
                           sections={n: f"{n} text" for n in plan.section_names()})
    plans.plan_submit(plan=plan, user=p.rep_a)
    draft_plan = plans.plan_create(user=p.rep_a, kind="partner", subject=partner)
    draft_plan = plans.plan_save(plan=draft_plan, user=p.rep_a,
                                 sections={n: f"{n} text" for n in draft_plan.section_names()})
    due = timezone.localdate() + datetime.timedelta(days=7)
    plan_item = plans.action_item_add(user=p.rep_a, plan=plan, what="Meet the CIO", due=due,
                                      assignee=p.rep_a)
    opp_item = plans.action_item_add(user=p.rep_a, opportunity=opp, what="Send the quote",
                                     due=due, assignee=p.rep_a)
    notification = Notification.objects.create(recipient=p.rep_a, message="For rep_a only")
    snapshot = forecast_snapshot_take(user=p.manager_a, label="matrix")
    tool = SalesTool(step=StepGuide.objects.first(), title_en="Proposal template")
    tool.file.save("proposal.pdf", ContentFile(b"%PDF-1.4 template"))

    # The sync API finds records by the client system's keys.
    for obj, key in ((account, "A-ACC"), (deal.tech, "A-CON"), (partner, "A-PAR"),
                     (opp, "A-OPP")):
        type(obj).objects.filter(pk=obj.pk).update(source="siebel-test", external_id=key)
    tokens = {}
    for persona, user in TOKEN_PERSONAS.items():
        tokens[persona] = integration_client_create(name=f"matrix-{persona}",
                                                    user=getattr(p, user),
                                                    requests_per_minute=100_000)[1]
    refresh = {"account": account, "contact": deal.tech, "partner": partner, "opp": opp}
    refreshed = {k: type(v).objects.get(pk=v.pk) for k, v in refresh.items()}
    return SimpleNamespace(
        p=p, territory=territory, partner_contact=partner_contact, lost=lost,
        approval=ApprovalRequest.objects.get(pk=approval.pk), attestation=attestation,
        plan=plan, draft_plan=draft_plan, plan_item=plan_item, opp_item=opp_item,
        notification=notification, snapshot=snapshot, tool=tool, tokens=tokens, product=product,
        link=OpportunityPartner.objects.get(opportunity=opp, partner=deal.reseller),
        period=parse_period(None).label,
        question_codes=list(AssessmentQuestion.objects.filter(is_active=True)
                            .values_list("code", flat=True)),
        **refreshed)


# --- "Nothing written" ----------------------------------------------------------------

FINGERPRINT_APPS = ("osp", "accounts", "opportunities", "plans", "forecasting", "sync")
# Tables written without a change of data: a token's last use; the change feed's head,
# whose counter each recorded change takes a number from. A real change of a synced
# record also adds its row to sync_feedchange, which is watched.
UNWATCHED = {"sync_integrationclient", "sync_feedhead"}
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def writes(connection):
    """The project's tables that SQL inside the block inserts into, updates or deletes
    from, as a set filled in while the block runs. (A write undone afterwards counts
    too: a refused request has no business trying.)"""
    watched = {model._meta.db_table for app in FINGERPRINT_APPS
               for model in apps.get_app_config(app).get_models()} - UNWATCHED
    written = set()

    def record(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1) in watched:
            written.add(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield written
