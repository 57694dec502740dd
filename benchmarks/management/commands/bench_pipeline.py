"""Benchmark the pipeline pages on PostgreSQL (issue #7), on the data set of bench_forecast.

    manage.py bench_pipeline [--repeat 40] [--manager bench-manager-01] [--skip-web]

(`make bench` / scripts/bench.sh run it against the database osp_bench; BENCH_ONLY=pipeline
runs only this one.)

1. Pages, for a manager whose team holds about 20,000 open opportunities and for the
   director (the whole 1,000,000): the pipeline board, the opportunity list (first page, a
   page 10,000 rows deep by cursor, sorted by amount) and the API list (first and deep
   page). Each: its SQL queries, the median server time through Django's test client
   (middleware, session, view, template; DEBUG off) and the median time of hand-written
   SQL giving the same page (the same session, user and scope lookups, the page's rows,
   totals and counts, fetched with a plain cursor), checked to return the same rows.
2. A stage transition through opportunities.selling_cycle (a manager's move back 5 -> 4,
   a refused move 4 -> 5, and the board's drag through the API): queries and median time.
   Each runs in a transaction rolled back afterwards: the data set is left as it was (so
   the commit itself is not in the time).
3. The forecast spreadsheet of 100,000 rows for the director (forecasting.export): time,
   Python peak memory (tracemalloc) and peak RSS growth.
4. Web throughput of the opportunity list under concurrent load: gunicorn as in
   docker-compose (3 sync workers, DEBUG=0) on this machine, a manager's session cookie,
   and wrk (or a Python client without wrk): requests per second and p50/p95/p99 latency,
   with persistent connections (the default), a connection per request, and DATABASE_POOL.
"""

import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core import signals
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Account, Contact, Partner
from benchmarks.machine import machine
from benchmarks.management.commands.bench_forecast import DIRECTOR
from forecasting.export import forecast_workbook
from forecasting.selectors import Node, node_opportunities
from opportunities import selling_cycle
from opportunities.models import (
    SELLING_STAGES,
    Activity,
    ApprovalRequest,
    Attestation,
    Category,
    Competitor,
    Opportunity,
    OpportunityPartner,
    OpportunityPlan,
    OpportunityTeamMember,
    RiskRuleSetting,
    Stage,
    StageCategory,
    WinLossAnalysis,
)
from opportunities.risks import FROM_3, FROM_5
from opportunities.selectors import BOARD_COLUMNS, CARDS_PER_COLUMN, in_period, pipeline_board
from osp import access
from osp.fiscal import Period, fiscal_quarter, fiscal_year_start
from osp.keyset import encode_cursor
from osp.models import Notification, User

GOAL_QUERIES = 10
GOAL_RATIO = 2.0
TARGET_OPEN = 20_000
DEEP = 10_000  # the deep pages start this many rows in
EXPORT_ROWS = 100_000
CLOSED = [Stage.LOST.value, Stage.NO_GO.value]
T = {m: m._meta.db_table for m in (Opportunity, Account, User, OpportunityTeamMember,
                                   OpportunityPartner, Partner, Competitor, Contact,
                                   Attestation, Activity, WinLossAnalysis, OpportunityPlan,
                                   ApprovalRequest, Notification, RiskRuleSetting)}
T["competitors"] = Opportunity.competitors.through._meta.db_table


@dataclass
class Measure:
    label: str
    queries: int
    django_ms: float
    sql_ms: float | None = None  # the hand-written SQL for the same page
    sql_statements: int | None = None
    django_sql_ms: float | None = None  # the time of Django's own queries in its request
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.django_ms / self.sql_ms if self.sql_ms else None

    @property
    def sql_ratio(self) -> float | None:
        return self.django_sql_ms / self.sql_ms if self.sql_ms else None


@dataclass
class Web:
    label: str
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _ms(seconds: float) -> float:
    return seconds * 1000


def _median_ms(samples: list[float]) -> float:
    return _ms(statistics.median(samples))


# --- Hand-written SQL for the same pages ---------------------------------------------

VISIBLE = (
    "o.deleted_at IS NULL AND (o.owner_id = ANY(%(scope)s) OR o.id = ANY(ARRAY("
    f"SELECT t.opportunity_id FROM {T[OpportunityTeamMember]} t "
    "WHERE t.user_id = ANY(%(scope)s))))")
SESSION_SQL = ("SELECT session_data FROM django_session WHERE session_key = %(session)s "
               "AND expire_date > now()")
USER_SQL = f"SELECT * FROM {T[User]} WHERE id = %(user)s"
SCOPE_SQL = (f"WITH RECURSIVE scope(id) AS (SELECT %(user)s::bigint UNION "
             f"SELECT u.id FROM {T[User]} u JOIN scope s ON u.manager_id = s.id) "
             "SELECT array_agg(id) FROM scope")
NAV_SQL = (f"SELECT (SELECT count(*) FROM {T[ApprovalRequest]} WHERE approver_id = %(user)s "
           f"AND status = 'pending'), (SELECT count(*) FROM {T[Notification]} "
           "WHERE recipient_id = %(user)s AND read_at IS NULL)")
PEOPLE_SQL = (f"SELECT id, first_name, last_name, username FROM {T[User]} "
              "WHERE id = ANY(%(scope)s) ORDER BY first_name, last_name, username")
LIST_SQL = (
    "SELECT o.id, o.name, o.stage, o.amount, o.currency, o.amount_base, "
    "o.expected_close_date, a.id, a.name, u.id, u.first_name, u.last_name, u.username "
    f"FROM {T[Opportunity]} o JOIN {T[Account]} a ON a.id = o.account_id "
    f"JOIN {T[User]} u ON u.id = o.owner_id WHERE {VISIBLE} {{after}} "
    "ORDER BY {order} LIMIT %(limit)s")
COUNT_SQL = (f"SELECT count(*) FROM (SELECT 1 FROM {T[Opportunity]} o WHERE {VISIBLE} "
             "LIMIT %(cap)s) c")
API_SQL = (
    "SELECT o.id, o.name, o.account_id, a.name, o.owner_id, u.first_name, u.last_name, "
    "u.username, o.stage, o.amount, o.currency, o.amount_base, o.expected_close_date, "
    "o.lead_source, o.why_do_it, o.why_now, o.pains, o.budget, o.procurement_process, "
    "o.description, o.next_step, o.quoted_amount, o.discount_percent, o.commercial_terms, "
    "o.po_number, o.po_date, o.po_amount, o.flagged_criteria, o.stage_entered_at, o.source, "
    "o.external_id, o.created_at, o.updated_at, "
    f"(SELECT json_agg(json_build_object('user', t.user_id, 'role', t.role)) "
    f"FROM {T[OpportunityTeamMember]} t WHERE t.opportunity_id = o.id), "
    f"(SELECT json_agg(json_build_object('partner', p.partner_id, 'partner_name', pp.name, "
    f"'role', p.role)) FROM {T[OpportunityPartner]} p JOIN {T[Partner]} pp "
    "ON pp.id = p.partner_id WHERE p.opportunity_id = o.id), "
    f"(SELECT json_agg(c.name) FROM {T['competitors']} oc JOIN {T[Competitor]} c "
    "ON c.id = oc.competitor_id WHERE oc.opportunity_id = o.id) "
    f"FROM {T[Opportunity]} o JOIN {T[Account]} a ON a.id = o.account_id "
    f"JOIN {T[User]} u ON u.id = o.owner_id WHERE {VISIBLE} {{after}} "
    "ORDER BY o.id LIMIT %(limit)s")
TOTALS_SQL = (
    "SELECT stage, count(*), sum(amount_base) FROM ("
    f"SELECT stage, amount_base FROM {T[Opportunity]} WHERE deleted_at IS NULL "
    "AND owner_id = ANY(%(scope)s) AND stage = ANY(%(columns)s) UNION ALL "
    f"SELECT o.stage, o.amount_base FROM {T[Opportunity]} o WHERE o.deleted_at IS NULL "
    "AND NOT (o.owner_id = ANY(%(scope)s)) AND o.stage = ANY(%(columns)s) AND o.id IN ("
    f"SELECT opportunity_id FROM {T[OpportunityTeamMember]} WHERE user_id = ANY(%(scope)s))"
    ") v GROUP BY stage")
CARDS_SQL = (
    "SELECT c.id, c.name, c.stage, c.amount_base, a.name, u.first_name, u.last_name "
    "FROM unnest(%(columns)s::text[]) s(stage) CROSS JOIN LATERAL ("
    f"SELECT o.id, o.name, o.stage, o.amount_base, o.account_id, o.owner_id "
    f"FROM {T[Opportunity]} o WHERE {VISIBLE} AND o.stage = s.stage "
    "ORDER BY o.amount_base DESC, o.id LIMIT %(per_column)s) c "
    f"JOIN {T[Account]} a ON a.id = c.account_id JOIN {T[User]} u ON u.id = c.owner_id")
RULES_SQL = f"SELECT code, enabled, days FROM {T[RiskRuleSetting]}"
RISKS_SQL = " UNION ALL ".join(
    f"SELECT o.id, {n} FROM {T[Opportunity]} o WHERE o.id = ANY(%(shown)s) "
    f"AND o.deleted_at IS NULL AND {condition}" for n, condition in enumerate([
        "o.stage = ANY(%(commit)s) AND NOT EXISTS (SELECT 1 FROM "
        f"{T[Contact]} k WHERE k.account_id = o.account_id AND k.deleted_at IS NULL "
        "AND k.buying_role = 'business_lead')",
        f"o.stage = ANY(%(from_5)s) AND (SELECT count(DISTINCT contact_name) FROM "
        f"{T[Attestation]} x WHERE x.opportunity_id = o.id AND x.action = 'attest' "
        "AND x.contact_name <> '') <= 1",
        f"o.stage = ANY(%(from_5)s) AND NOT EXISTS (SELECT 1 FROM {T['competitors']} oc "
        "WHERE oc.opportunity_id = o.id)",
        "o.stage IN ('lead', '2', '3', '4') AND o.quoted_amount IS NOT NULL",
        "o.stage = ANY(%(open)s) AND o.close_date_pushes >= 2",
        f"o.stage = ANY(%(from_3)s) AND COALESCE((SELECT max(created_at) FROM "
        f"{T[OpportunityPlan]} p WHERE p.opportunity_id = o.id), '-infinity') < %(plan_cutoff)s",
        f"o.stage = ANY(%(open)s) AND NOT EXISTS (SELECT 1 FROM {T[Activity]} y "
        "WHERE y.opportunity_id = o.id AND y.occurred_on >= %(activity_cutoff)s)",
        "o.stage IN ('9', '9.5', '10', 'lost') AND o.stage_entered_at < %(win_loss_cutoff)s "
        f"AND NOT EXISTS (SELECT 1 FROM {T[WinLossAnalysis]} w WHERE w.opportunity_id = o.id)",
    ]))


class Command(BaseCommand):
    help = ("Time the pipeline board, the opportunity list and API, a stage transition, the "
            "100,000-row export and web throughput on the bench data set. PostgreSQL only.")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=40,
                            help="requests per page measurement; the median counts (40)")
        parser.add_argument("--manager", help="the manager to measure (default: the bench "
                            "manager whose team's open opportunities are nearest 20,000)")
        parser.add_argument("--skip-export", action="store_true")
        parser.add_argument("--skip-web", action="store_true")
        parser.add_argument("--web-seconds", type=int, default=20,
                            help="load duration per web run, after 5 s of warm-up (20)")
        parser.add_argument("--web-connections", type=int, default=8,
                            help="concurrent connections of the load (8)")
        parser.add_argument("--explain", action="store_true",
                            help="print EXPLAIN ANALYZE of each page's slowest query")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_pipeline runs on PostgreSQL only (DATABASE_URL="
                               "postgres://USER@HOST:5432/osp_bench); see scripts/bench.sh.")
        if not User.objects.filter(username=DIRECTOR).exists():
            raise CommandError("No benchmark data set: run `manage.py bench_forecast` first "
                               "(scripts/bench.sh does), which generates it.")
        self.repeat = max(3, options["repeat"])
        self.explain = options["explain"]
        self.out = self.stdout.write
        started = timezone.localtime()
        self.load_at_start = _load_average()
        manager = self._manager(options["manager"])
        director = User.objects.get(username=DIRECTOR)
        sizes = {user.username: self._size(user) for user in (manager, director)}
        total = self._scalar(f"SELECT count(*) FROM {T[Opportunity]}")

        pages = {}
        with override_settings(DEBUG=False), _one_connection():
            for user in (manager, director):
                pages[user.username] = self._pages(user)
            transitions = self._transitions(manager)
        export = None if options["skip_export"] else self._export(director)
        web = [] if options["skip_web"] else self._web(
            manager, options["web_seconds"], options["web_connections"])
        self._report(started, total, manager, director, sizes, pages, transitions, export, web)

    # --- Data ---------------------------------------------------------------------------

    def _scalar(self, query: str, params=None):
        with connection.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchone()[0]

    def _manager(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"--manager: no user {username!r}") from None
        open_by_owner = dict(Opportunity.objects.exclude(stage__in=CLOSED).order_by()
                             .values_list("owner_id").annotate(n=Count("*")))
        managers = User.objects.filter(username__startswith="bench-manager-").order_by("username")
        if not managers:
            raise CommandError("No bench managers in the data set.")

        def team_open(user):
            return sum(open_by_owner.get(pk, 0) for pk in access.scope_user_ids(user))

        return min(managers, key=lambda m: (abs(team_open(m) - TARGET_OPEN), m.username))

    def _size(self, user: User) -> dict:
        visible = access.visible_to(user, Opportunity).order_by()
        return {
            "people": len(access.scope_user_ids(user)),
            "all": visible.count(),
            "open": visible.exclude(stage__in=CLOSED).count(),
            "selling": visible.filter(stage__in=SELLING_STAGES).count(),
        }

    # --- Pages --------------------------------------------------------------------------

    def _client(self, user: User, api: bool = False) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.bench_user = user
        return client

    def _pages(self, user: User) -> list[Measure]:
        fresh = User.objects.get(pk=user.pk)
        scope = sorted(access.scope_user_ids(fresh))
        visible = access.visible_to(fresh, Opportunity)
        deep = min(DEEP, visible.count() // 2)  # the small data set has fewer rows
        by_close = visible.order_by("expected_close_date", "pk")
        deep_row = by_close[deep]
        list_cursor = encode_cursor(["expected_close_date", "pk"], deep_row, before=False)
        api_row = visible.order_by("pk")[deep]
        api_cursor = encode_cursor(["pk"], api_row, before=False)
        client = self._client(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        base = {"session": session, "user": user.pk, "scope": scope}
        after_close = ("AND o.expected_close_date >= %(d)s AND (o.expected_close_date, o.id) > "
                       "(%(d)s, %(after)s)")
        close_order = "o.expected_close_date, o.id"
        after = {"d": deep_row.expected_close_date, "after": deep_row.pk}
        pages = [
            ("board", "/opportunities/board/", self._board_sql, {}),
            ("list, first page", "/opportunities/",
             self._list_sql(close_order, ""), {}),
            (f"list, {deep:,} rows deep", f"/opportunities/?cursor={list_cursor}",
             self._list_sql(close_order, after_close), after),
            ("list by amount", "/opportunities/?sort=-amount",
             self._list_sql("o.amount_base DESC, o.id DESC", ""), {}),
            ("API, first page", "/api/v1/opportunities/", self._api_sql(""), {}),
            (f"API, {deep:,} rows deep", f"/api/v1/opportunities/?cursor={api_cursor}",
             self._api_sql("AND o.id > %(after)s"), {"after": api_row.pk}),
        ]
        results = []
        for label, url, raw, params in pages:
            results.append(self._measure(label, client, url, raw, {**base, **params}))
        return results

    def _list_sql(self, order: str, after: str):
        def run(cur, p):
            rows = self._rows(cur, LIST_SQL.format(after=after, order=order), {**p, "limit": 26})
            self._rows(cur, COUNT_SQL, {**p, "cap": 1001})
            self._rows(cur, PEOPLE_SQL, p)
            return [r[0] for r in rows[:25]]
        return run

    def _api_sql(self, after: str):
        def run(cur, p):
            return [r[0] for r in self._rows(cur, API_SQL.format(after=after),
                                             {**p, "limit": 51})[:50]]
        return run

    def _board_sql(self, cur, p):
        p = {**p, "columns": BOARD_COLUMNS, "per_column": CARDS_PER_COLUMN}
        totals = {stage: (n, amount) for stage, n, amount in self._rows(cur, TOTALS_SQL, p)}
        cards = self._rows(cur, CARDS_SQL, p)
        rules = {code: (enabled, days) for code, enabled, days in self._rows(cur, RULES_SQL)}
        now, today = timezone.now(), timezone.localdate()

        def days(code, default):
            return (rules.get(code, (True, None))[1] or default)

        commit = [s for s, (c, _p) in StageCategory.mapping().items() if c == Category.COMMIT]
        self._rows(cur, RISKS_SQL, {
            "shown": [c[0] for c in cards], "commit": commit, "from_5": FROM_5,
            "from_3": FROM_3, "open": SELLING_STAGES,
            "plan_cutoff": now - timedelta(days=days("stale_plan", 30)),
            "activity_cutoff": today - timedelta(days=days("no_activity", 30)),
            "win_loss_cutoff": now - timedelta(days=days("no_win_loss", 14))})
        self._rows(cur, PEOPLE_SQL, p)
        return (totals, sorted(c[0] for c in cards))

    def _rows(self, cur, query, params=None):
        cur.execute(query, params)
        return cur.fetchall()

    def _raw(self, run, params):
        """The page by hand: the session, user and scope lookups a request needs, the
        page's own statements, and the navigation's two counts, on one cursor."""
        with connection.cursor() as cur:
            self._rows(cur, SESSION_SQL, params)
            self._rows(cur, USER_SQL, params)
            scope = self._rows(cur, SCOPE_SQL, params)[0][0]
            result = run(cur, {**params, "scope": sorted(scope)})
            self._rows(cur, NAV_SQL, params)
        return result

    def _django_result(self, label, response, user):
        """What the page showed, to compare with the hand-written SQL: the rows' ids in
        order; for the board the card ids and (from the selector) the columns' totals."""
        if label.startswith("API"):
            return [row["id"] for row in response.json()["results"]]
        html = response.content.decode()
        if label == "board":
            columns = pipeline_board(user=User.objects.get(pk=user.pk))
            return ({c["stage"]: (c["n"], c["total"]) for c in columns if c["n"]},
                    sorted(int(pk) for pk in re.findall(r'class="card-item"[^>]*data-id="(\d+)"',
                                                          html)))
        return [int(pk) for pk in re.findall(r'<td><a href="/opportunities/(\d+)/">', html)]

    def _measure(self, label, client, url, raw, params) -> Measure:
        client.get(url)  # warm: caches, connection, the pages the query reads
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Now: the next request's request_started signal empties the log they come from.
        queries = captured.captured_queries
        if response.status_code != 200:
            raise CommandError(f"{label}: {url} answered {response.status_code}")
        ours = self._django_result(label, response, client.bench_user)
        theirs = self._raw(raw, params)
        note = "" if ours == theirs else "MISMATCH with the SQL"
        statements = 0

        def count_statements():
            nonlocal statements
            with CaptureQueriesContext(connection) as c:
                self._raw(raw, params)
            statements = len(c)

        count_statements()
        django_sql = []
        for _ in range(min(10, self.repeat)):  # Django's own queries' time, timed apart
            with CaptureQueriesContext(connection) as c:
                client.get(url)
            django_sql.append(sum(float(q["time"]) for q in c.captured_queries))
        django_times, sql_times = [], []
        for _ in range(self.repeat):  # interleaved: both see the same machine load
            t = time.perf_counter()
            client.get(url)
            django_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            self._raw(raw, params)
            sql_times.append(time.perf_counter() - t)
        if self.explain:
            slowest = max(queries, key=lambda q: float(q["time"]))
            self.out(f"\nEXPLAIN ANALYZE, {label} ({url}), its slowest query:")
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                for (line,) in cur.fetchall():
                    self.out("    " + line)
        return Measure(label, len(queries), _median_ms(django_times), _median_ms(sql_times),
                       statements, _median_ms(django_sql), note)

    # --- Stage transitions ----------------------------------------------------------------

    @contextmanager
    def _rolled_back(self):
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def _transitions(self, manager: User) -> list[Measure]:
        visible = access.visible_to(manager, Opportunity)
        at_5 = list(visible.filter(stage="5").order_by("pk")[:self.repeat + 1])
        at_4 = list(visible.filter(stage="4").order_by("pk")[:self.repeat + 1])
        if len(at_5) < 2 or len(at_4) < 2:
            raise CommandError("The manager's team has too few deals at stages 4 and 5.")

        def move_back(opp, user):
            selling_cycle.opportunity_transition(opportunity=opp, user=user, to="4",
                                                 reason="Benchmark: sponsor left")

        def refused(opp, user):
            try:
                selling_cycle.opportunity_transition(opportunity=opp, user=user, to="5")
            except selling_cycle.GateClosed:
                return
            raise CommandError("A move 4 -> 5 without its criteria was not refused.")

        api = self._client(manager)

        def through_api(opp, _user):
            response = api.post(f"/api/v1/opportunities/{opp.pk}/transition/",
                                {"to": "4", "from": "5", "reason": "Benchmark"},
                                content_type="application/json")
            if response.status_code != 200:
                raise CommandError(f"transition API answered {response.status_code}: "
                                   f"{response.content[:300]!r}")

        results = []
        for label, deals, run in (
                ("move back 5 -> 4 (service)", at_5, move_back),
                ("refused 4 -> 5, criteria unmet (service)", at_4, refused),
                ("move back 5 -> 4 through the API (the board's drag)", at_5, through_api)):
            with self._rolled_back(), CaptureQueriesContext(connection) as captured:
                run(deals[-1], User.objects.get(pk=manager.pk))
            queries = len(captured)
            times = []
            for opp in deals[:-1]:
                user = User.objects.get(pk=manager.pk)
                opp = Opportunity.objects.get(pk=opp.pk)
                with self._rolled_back():
                    t = time.perf_counter()
                    run(opp, user)
                    times.append(time.perf_counter() - t)
            results.append(Measure(label, queries, _median_ms(times)))
        return results

    # --- Export -----------------------------------------------------------------------------

    def _export_period(self, director):
        """From the start of this fiscal year, whole quarters until the director's export
        holds EXPORT_ROWS rows: no single fiscal period of the data set is that large."""
        mapping = StageCategory.mapping()
        deals = node_opportunities(director, Node("user", director))
        first = last = fiscal_quarter(fiscal_year_start())
        for _ in range(16):
            period = Period(f"{first}–{last}", first.start, last.end)
            if in_period(deals, period, mapping).count() >= EXPORT_ROWS:
                break
            last = fiscal_quarter(last.end + timedelta(days=1))
        return period

    def _export(self, director) -> dict:
        period = self._export_period(director)

        def run():
            user = User.objects.get(pk=director.pk)
            out = io.BytesIO()  # as the HTTP response holds it
            rows = forecast_workbook(user=user, node=Node("user", user), period=period,
                                     out=out)
            return rows, out.getbuffer().nbytes

        times, growth = [], []
        for _ in range(2):
            baseline = _rss_kib()
            _reset_peak_rss()
            t = time.perf_counter()
            rows, size = run()
            times.append(time.perf_counter() - t)
            peak = _peak_rss_kib()
            growth.append(None if peak is None else peak - baseline)
        tracemalloc.start()
        run()
        _current, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"period": period, "rows": rows, "bytes": size, "seconds": min(times),
                "python_peak": python_peak,
                "rss_growth_kib": None if None in growth else min(growth)}

    # --- Web ----------------------------------------------------------------------------

    def _web(self, manager, seconds, connections) -> list[Web]:
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY,
               "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": os.environ.get(
                   "DATABASE_URL", ""), "LOG_LEVEL": "WARNING"}
        self.out("Web: collectstatic (DEBUG=0 serves hashed static files)...")
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                       cwd=settings.BASE_DIR, env=env, check=True)
        session = self._session(manager)
        results = []
        setups = [  # as docker-compose runs it, then the other two ways to connect
            ("3 sync workers (docker-compose), persistent connections", {}),
            ("3 sync workers, a connection per request", {"DATABASE_CONN_MAX_AGE": "0"}),
            ("3 sync workers, DATABASE_POOL=1", {"DATABASE_POOL": "1"})]
        for label, extra in setups:
            port = _free_port()
            handle, log_path = tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")
            os.close(handle)
            command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind",
                       f"127.0.0.1:{port}", "--workers", "3", "--access-logfile", "-",
                       "--forwarded-allow-ips", "*"]
            with open(log_path, "w") as log:
                server = subprocess.Popen(command, cwd=settings.BASE_DIR,
                                          env={**env, "DATABASE_POOL": "0", **extra},
                                          stdout=log, stderr=subprocess.STDOUT)
                try:
                    url = f"http://127.0.0.1:{port}/opportunities/"
                    _wait_for(f"http://127.0.0.1:{port}/health/", server)
                    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
                               "X-Forwarded-Proto": "https"}  # as behind the TLS proxy
                    status = _get(url, headers)
                    if status != 200:
                        raise CommandError(f"gunicorn answered {status} for {url}; "
                                           f"see {log_path}")
                    results.append(_load(label, url, headers, seconds, connections))
                    results[-1].extra["load"] = _load_average()
                finally:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        server.kill()
                        server.wait()
            os.unlink(log_path)
        return results

    def _session(self, user) -> str:
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    # --- Report -----------------------------------------------------------------------------

    def _report(self, started, total, manager, director, sizes, pages, transitions, export,
                web):
        out = self.out
        out("")
        out("=" * 78)
        out("OSP pipeline benchmark (issue #7)")
        out("=" * 78)
        for n, line in enumerate(machine("shared_buffers", "work_mem", "jit")):
            out(f"{'Machine' if n == 0 else '':<13}{line}")
        out(f"Date         {started:%Y-%m-%d %H:%M %Z}; load average at the start "
            f"{self.load_at_start}, at the end {_load_average()} (other work on the machine "
            f"shows here)")
        out(f"Data         {total:,} opportunities in the table")
        for user in (manager, director):
            s = sizes[user.username]
            out(f"             {user.username}: {s['people']} people in scope, {s['all']:,} "
                f"opportunities, {s['open']:,} open (not lost/no-go; "
                f"{s['selling']:,} of them lead..8)")
        out(f"Method       server: median of {self.repeat} requests through Django's test client "
            f"(DEBUG off); its SQL: the time of those requests' own queries; hand SQL: the "
            f"same page by hand-written SQL (stmts statements), interleaved with the requests")
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        out(f"Cache        {cache} {settings.CACHES['default'].get('LOCATION', '')}; sessions "
            f"{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}")
        for user in (manager, director):
            out("")
            out(f"{user.username}")
            out(f"  {'page':<26} {'queries':>7} {'server ms':>9} {'its SQL':>7} "
                f"{'hand SQL':>8} {'stmts':>5} {'server/hand':>11} {'SQL/hand':>8}  goal")
            for m in pages[user.username]:
                verdict = ("ok" if m.queries <= GOAL_QUERIES and m.ratio <= GOAL_RATIO else
                           "queries OVER" if m.queries > GOAL_QUERIES else "time OVER")
                out(f"  {m.label:<26} {m.queries:>7} {m.django_ms:>9.1f} {m.django_sql_ms:>7.1f} "
                    f"{m.sql_ms:>8.1f} {m.sql_statements:>5} {m.ratio:>10.2f}x "
                    f"{m.sql_ratio:>7.2f}x  {verdict} {m.note}")
        out("")
        out(f"Stage transitions ({manager.username}; each in a transaction rolled back after)")
        for m in transitions:
            out(f"  {m.label:<52} {m.queries:>3} queries {m.django_ms:>8.1f} ms")
        if export:
            out("")
            out(f"Export       forecast spreadsheet, {director.username}, "
                f"{export['period'].start}..{export['period'].end}: {export['rows']:,} rows, "
                f"{export['bytes'] / 2**20:.1f} MiB .xlsx in {export['seconds']:.1f} s; "
                f"Python peak {export['python_peak'] / 2**20:.1f} MiB (tracemalloc), "
                + (f"peak RSS +{export['rss_growth_kib'] / 1024:.0f} MiB"
                   if export["rss_growth_kib"] is not None else "peak RSS n/a"))
        for w in web:
            out("")
            out(f"Web          GET /opportunities/ as {manager.username}, {w.label}: "
                f"{w.rps:.1f} req/s, p50 {w.p50:.0f} ms, p95 {w.p95:.0f} ms, p99 "
                f"{w.p99:.0f} ms, {w.requests:,} requests in {w.seconds:.0f} s, "
                f"{w.errors} errors ({w.extra.get('tool', '')}, "
                f"{w.extra.get('connections')} connections, load generator on the same "
                f"machine; load average after: {w.extra.get('load')})")
        mismatches = [m for ms in pages.values() for m in ms if m.note]
        if mismatches:
            raise CommandError("Django and the hand-written SQL disagree: "
                               + ", ".join(m.label for m in mismatches))
        out("")
        out("Check        each page's rows, totals and cards agree with the hand-written SQL.")


# --- Process and HTTP helpers ---------------------------------------------------------------

@contextmanager
def _one_connection():
    """Test-client requests keep the database connection, as Django's own TestCase does:
    both sides of a comparison then run on an open connection (the web load below measures
    each way production can connect)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _status_value(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_kib() -> int:
    return _status_value("VmRSS:") or 0


def _peak_rss_kib() -> int | None:
    return _status_value("VmHWM:")


def _reset_peak_rss() -> None:
    try:  # Linux: "5" resets the peak RSS (VmHWM) to the current RSS
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def _wait_for(url: str, server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited with {server.returncode}")
        try:
            _get(url, {})
            return
        except OSError:
            time.sleep(0.3)
    raise CommandError("gunicorn did not answer within 60 s")


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("OSP-RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def _load(label, url, headers, seconds, connections) -> Web:
    wrk = shutil.which("wrk")
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        try:
            subprocess.run([wrk, "-t2", f"-c{connections}", "-d5s", *header_args, url],
                           check=True, capture_output=True)  # warm-up
            output = subprocess.run(
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                 "-s", script.name, *header_args, url],
                check=True, capture_output=True, text=True).stdout
        finally:
            os.unlink(script.name)
        line = next(x for x in output.splitlines() if x.startswith("OSP-RESULT"))
        requests, micros, errors, p50, p95, p99 = line.split()[1:]
        return Web(label, int(requests), int(micros) / 1e6, int(errors), float(p50),
                   float(p95), float(p99), {"tool": "wrk", "connections": connections})
    return _python_load(label, url, headers, seconds, connections)


def _python_load(label, url, headers, seconds, connections) -> Web:
    """Without wrk: `connections` threads, each a keep-alive-less loop of GETs."""
    latencies, errors, lock = [], [0], threading.Lock()

    def worker(until):
        while time.monotonic() < until:
            t = time.perf_counter()
            try:
                ok = _get(url, headers) == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[0] += 1

    for duration in (5, seconds):  # warm-up, then the measured run
        latencies.clear()
        until = time.monotonic() + duration
        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(until,)) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p):
        return _ms(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))])

    return Web(label, len(latencies), elapsed, errors[0], pct(50), pct(95), pct(99),
               {"tool": "Python client", "connections": connections})
