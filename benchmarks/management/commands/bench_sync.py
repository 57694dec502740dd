"""Benchmark the sync API on PostgreSQL: batches against single PUTs, and the change feed.

    manage.py bench_sync [--batches 5] [--singles 500] [--profile] [--strict] [--keep]

(`make bench` / scripts/bench.sh run it after bench_forecast, against the database
osp_bench.)

The goals (the sync issue): one 500-record batch at least 10x faster than the same 500
records as single PUTs; at least 2,000 records per second through batches; a 1,000-change
page of the feed in a bounded number of queries.

Every request goes through the whole stack in-process, as a client's would: Django's test
client, the middleware, token authentication, the rate limit (the clients get
1,000,000 requests a minute, so it counts but never refuses), the views, sync.services and
PostgreSQL. Only the network is missing. For accounts and then opportunities (leads on
those accounts) it times:

1. `--singles` single `PUT /api/v1/sync/{type}/{source}/{external_id}/` creates;
2. `--batches` times: one `POST /api/v1/sync/{type}/batch/` of 500 new records, the same
   500 again with a field changed in each (updates), and the same again unchanged (a
   replay that writes nothing); the median of each counts.

Then it reads a 1,000-change page of the feed (`GET /api/v1/sync/changes/?limit=1000`)
as an admin client and as a sales rep's client (the visibility filter runs), best of
`--batches`, counting the queries.

The run creates its own users, territory and integration clients ("syncbench-<stamp>-...")
and records (source "bench-sync-<stamp>"), and removes them at the end, with their feed
changes (`--keep` leaves them); leftovers of an interrupted run are removed at the start.
It never touches the forecast benchmark's data ("bench-" users, source "bench"). Requests
are timed with DEBUG off; queries are counted with a connection execute wrapper (no query
log).
"""

import cProfile
import datetime
import io
import json
import os
import pstats
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, CompanySize, Industry, Territory
from benchmarks.machine import machine
from opportunities.models import ExchangeRate, LeadSource, Opportunity
from osp.models import User
from osp.services import user_create
from sync.models import FeedChange, FeedHead, IntegrationClient, StoredResponse
from sync.records import TYPES
from sync.services import MAX_BATCH, integration_client_create

SOURCE_PREFIX = "bench-sync-"  # Account.source / Opportunity.source of this run's records
USER_PREFIX = "syncbench-"  # not "bench-": bench_forecast owns those users
BATCHES = 5
SINGLES = MAX_BATCH
FEED_PAGE = 1000
GOAL_SPEEDUP = 10.0
GOAL_RATE = 2000.0  # records per second through batches
# Queries per feed request whatever the page size: the client's token (and, at most once a
# minute, its last_used_at), the feed head, the page, one visibility check per record
# type on the page (non-admins).
GOAL_FEED_QUERIES = 3 + len(TYPES) + 1
RATE = 1_000_000  # the clients' requests per minute: the throttle runs but never refuses
JSON = "application/json"


@dataclass
class Call:
    """One request: its wall time and the SQL it ran."""

    seconds: float
    queries: int
    sql_seconds: float
    status: int
    body: dict | list | None
    statements: list[tuple[float, str]] = field(default_factory=list)  # (seconds, SQL)


class _Counter:
    """A connection execute wrapper: counts the queries and the time spent in them."""

    def __init__(self, keep_sql: bool = False):
        self.queries, self.seconds, self.keep_sql, self.statements = 0, 0.0, keep_sql, []

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            self.seconds += seconds
            if self.keep_sql:
                self.statements.append((seconds, sql))


@dataclass
class Measure:
    """Per-request calls of one kind (e.g. the create batches of accounts)."""

    label: str
    records: int  # per request
    calls: list[Call]

    @property
    def median(self) -> Call:
        ordered = sorted(self.calls, key=lambda c: c.seconds)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def total(self) -> float:
        return sum(c.seconds for c in self.calls)


class Command(BaseCommand):
    help = ("Time the sync API on PostgreSQL through the whole HTTP stack: 500-record batches "
            "against single PUTs, and a 1,000-change page of the change feed.")

    def add_arguments(self, parser):
        parser.add_argument("--batches", type=int, default=BATCHES,
                            help="batches of 500 per type and kind; the median counts "
                                 "(default 5); also the feed reads (best counts)")
        parser.add_argument("--singles", type=int, default=SINGLES,
                            help=f"single PUTs per type (default {SINGLES})")
        parser.add_argument("--profile", action="store_true",
                            help="also profile (cProfile) one extra create and update batch "
                                 "per type and print where the time goes")
        parser.add_argument("--strict", action="store_true",
                            help="exit with an error when a goal is missed")
        parser.add_argument("--keep", action="store_true",
                            help="leave this run's users, clients and records in the database")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_sync runs on PostgreSQL only (this database is {connection.vendor}): "
                f"the goals are PostgreSQL figures. Run scripts/bench.sh (make bench), or set "
                f"DATABASE_URL=postgres://USER@HOST:5432/osp_bench.")
        self.verbosity = options["verbosity"]
        batches = max(1, options["batches"])
        singles = max(1, options["singles"])
        stamp = timezone.now().strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
        self.source = SOURCE_PREFIX + stamp
        self.prefix = f"{USER_PREFIX}{stamp}-"

        removed = self._cleanup(source_like=SOURCE_PREFIX + "%", users_prefix=USER_PREFIX)
        if removed:
            self.stdout.write(f"Removed the leftovers of an interrupted run: {removed}.")
        data = self._data_size()
        try:
            self._setup()
            hosts = [*settings.ALLOWED_HOSTS, "testserver"]
            with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
                results = self._run(batches, singles)
                feed = self._feed(batches)
                profiles = self._profile() if options["profile"] else []
        finally:
            if not options["keep"]:
                self._cleanup(source=self.source, users_prefix=self.prefix)
        failures = self._report(data, batches, singles, results, feed, profiles,
                                kept=options["keep"])
        if failures and options["strict"]:
            raise CommandError(f"Goals missed: {'; '.join(failures)}.")

    # --- Data ---------------------------------------------------------------------------

    def _setup(self):
        p = self.prefix
        self.admin = user_create(username=p + "admin", first_name="Sync bench",
                                 last_name="admin", roles=["admin"])
        self.rep = user_create(username=p + "rep", first_name="Sync bench",
                               last_name="rep", roles=["sales_rep"])
        self.territory = Territory.objects.create(name=p + "territory", owner=self.rep)
        _c, admin_token = integration_client_create(name=p + "admin", user=self.admin,
                                                    requests_per_minute=RATE)
        _c, rep_token = integration_client_create(name=p + "rep", user=self.rep,
                                                  requests_per_minute=RATE)
        self.admin_client = Client(headers={"Authorization": f"Bearer {admin_token}"})
        self.rep_client = Client(headers={"Authorization": f"Bearer {rep_token}"})
        currencies = [settings.OSP_BASE_CURRENCY,
                      *ExchangeRate.objects.order_by("currency")
                      .values_list("currency", flat=True)[:1]]
        self.currencies = currencies
        self.industries = list(Industry.values)
        self.sizes = list(CompanySize.values)
        self.lead_sources = list(LeadSource.values)

    def _account(self, key: str, i: int, update: bool = False) -> dict:
        suffix = " (updated)" if update else ""
        return {
            "source": self.source, "external_id": key,
            "name": f"Sync bench account {i}{suffix}",
            "industry": self.industries[i % len(self.industries)],
            "size": self.sizes[i % len(self.sizes)], "is_named": i % 7 == 0,
            "website": f"https://account-{i}.example.com",
            "territory_id": self.territory.pk,
            # Half the accounts are the rep's (the rep also sees the rest: the territory).
            "owner": (self.rep if i % 2 else self.admin).username,
            "business_situation": "Consolidating two data centres into one by next year.",
            "goals": f"Cut operating costs by {10 + i % 20}%{suffix}.",
        }

    def _opportunity(self, key: str, i: int, update: bool = False) -> dict:
        # A lead (no stage) on one of the accounts the single PUTs created.
        cents = 1_000_000 + (i * 7919) % 90_000_000 + (50_000 if update else 0)
        return {
            "source": self.source, "external_id": key,
            "name": f"Sync bench opportunity {i}" + (" (updated)" if update else ""),
            "account": f"ACC-S-{i % self.singles_done:06d}",
            # Half the deals are the rep's: the feed's visibility filter keeps those only.
            "owner": (self.rep if i % 2 else self.admin).username,
            "amount": f"{cents // 100}.{cents % 100:02d}",
            "currency": self.currencies[i % len(self.currencies)],
            "expected_close_date": (timezone.localdate()
                                    + datetime.timedelta(days=30 + i % 300)).isoformat(),
            "lead_source": self.lead_sources[i % len(self.lead_sources)],
            "next_step": "Qualify with the IT director",
            "description": "Imported from Siebel by the sync benchmark.",
        }

    def _data_size(self) -> dict:
        with connection.cursor() as cur:
            counts = {}
            for label, model in (("opportunities", Opportunity), ("accounts", Account),
                                 ("feed changes", FeedChange)):
                cur.execute(f"SELECT count(*) FROM {model._meta.db_table}")
                counts[label] = cur.fetchone()[0]
        return counts

    def _cleanup(self, *, users_prefix: str, source: str | None = None,
                 source_like: str | None = None) -> str:
        """Delete a run's records, their feed changes, its clients, territory and users.
        Records and feed rows are deleted in SQL: no tombstones (Django's delete would
        publish one per record) and no per-row signals."""
        condition, param = ("source = %s", source) if source else ("source LIKE %s",
                                                                    source_like)
        tables = [FeedChange._meta.db_table, Opportunity._meta.db_table,
                  Account._meta.db_table]
        users = list(User.objects.filter(username__startswith=users_prefix))
        counts = []
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    for table in tables:
                        cur.execute(f"DELETE FROM {table} WHERE {condition}", [param])
                        if cur.rowcount:
                            counts.append(f"{cur.rowcount:,} rows of {table}")
                if users:
                    callers = [f"client:{c.pk}" for c in
                               IntegrationClient.objects.filter(user__in=users)]
                    StoredResponse.objects.filter(caller__in=callers).delete()
                    IntegrationClient.objects.filter(user__in=users).delete()
                    Territory.objects.filter(owner__in=users,
                                             name__startswith=USER_PREFIX).delete()
                    User.objects.filter(pk__in=[u.pk for u in users]).delete()
                    counts.append(f"{len(users)} users")
        except IntegrityError as exc:
            raise CommandError(
                f"Could not remove the sync benchmark's records ({exc}): other rows refer to "
                f"them. Delete the rows with source LIKE '{SOURCE_PREFIX}%' and users "
                f"LIKE '{USER_PREFIX}%' by hand.") from exc
        return ", ".join(counts)

    # --- Requests -----------------------------------------------------------------------

    def _call(self, client: Client, method: str, path: str, body=None,
              keep_sql: bool = False) -> Call:
        payload = json.dumps(body) if body is not None else None  # encoded before timing
        counter = _Counter(keep_sql)
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            if method == "GET":
                response = client.get(path, secure=True)
            else:
                response = client.generic(method, path, payload, content_type=JSON,
                                          secure=True)
            seconds = time.perf_counter() - started
        data = json.loads(response.content) if response.content else None
        return Call(seconds, counter.queries, counter.seconds, response.status_code, data,
                    counter.statements)

    def _head(self) -> int:
        return FeedHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0

    def _check_single(self, call: Call, what: str):
        if call.status != 201:
            raise CommandError(f"{what}: expected 201 Created, got {call.status}: "
                               f"{json.dumps(call.body)[:600]}")

    def _check_batch(self, call: Call, expected: str, what: str):
        if call.status != 200:
            raise CommandError(f"{what}: HTTP {call.status}: {json.dumps(call.body)[:600]}")
        wrong = [r for r in call.body["results"] if r["status"] != expected]
        if wrong:
            raise CommandError(f"{what}: {len(wrong)} of {len(call.body['results'])} rows are "
                               f"not {expected!r}; the first: {json.dumps(wrong[0])[:600]}")

    def _run(self, batches: int, singles: int) -> dict:
        results = {}
        self.singles_done = singles
        self.heads = {}
        for name, make, prefix in (("accounts", self._account, "ACC"),
                                   ("opportunities", self._opportunity, "OPP")):
            self.heads[name] = self._head()
            if self.verbosity:
                self.stdout.write(f"{name}: {singles} single PUTs, then {batches} x 3 "
                                  f"batches of {MAX_BATCH}...")
            single = Measure("single PUT, create", 1, [])
            for i in range(singles):
                key = f"{prefix}-S-{i:06d}"
                path = reverse("sync-record", kwargs={"type": name, "source": self.source,
                                                      "external_id": key})
                record = make(key, i)
                del record["source"], record["external_id"]  # in the address
                call = self._call(self.admin_client, "PUT", path, record)
                self._check_single(call, f"PUT {path}")
                single.calls.append(call)
            create = Measure(f"batch of {MAX_BATCH}, create", MAX_BATCH, [])
            update = Measure(f"batch of {MAX_BATCH}, update", MAX_BATCH, [])
            replay = Measure(f"batch of {MAX_BATCH}, unchanged", MAX_BATCH, [])
            path = reverse("sync-batch", kwargs={"type": name})
            for b in range(batches):
                keys = [(f"{prefix}-B{b}-{i:06d}", b * MAX_BATCH + i) for i in range(MAX_BATCH)]
                new = {"records": [make(k, i) for k, i in keys]}
                changed = {"records": [make(k, i, update=True) for k, i in keys]}
                for measure, body, expected in ((create, new, "created"),
                                                (update, changed, "updated"),
                                                (replay, changed, "unchanged")):
                    call = self._call(self.admin_client, "POST", path, body,
                                      keep_sql=self.verbosity >= 2)
                    self._check_batch(call, expected, f"POST {path} ({measure.label})")
                    measure.calls.append(call)
            results[name] = (single, create, update, replay)
        self.heads["end"] = self._head()
        return results

    def _feed(self, repeat: int) -> dict:
        # A page of 500 account changes then 500 opportunity changes: both types' checks.
        cursor = max(self.heads["accounts"], self.heads["opportunities"] - FEED_PAGE // 2)
        if self.heads["end"] - cursor < FEED_PAGE:
            raise CommandError(f"Only {self.heads['end'] - cursor} changes after cursor "
                               f"{cursor}; run with more --singles or --batches.")
        path = reverse("sync-changes") + f"?cursor={cursor}&limit={FEED_PAGE}"
        out = {"cursor": cursor}
        for who, client in (("admin", self.admin_client), ("sales rep", self.rep_client)):
            calls = []
            for _ in range(repeat):
                call = self._call(client, "GET", path, keep_sql=self.verbosity >= 2)
                if call.status != 200:
                    raise CommandError(f"GET {path} as {who}: HTTP {call.status}: "
                                       f"{json.dumps(call.body)[:600]}")
                calls.append(call)
            out[who] = calls
        admin_changes = len(out["admin"][0].body["changes"])
        if admin_changes != FEED_PAGE:
            raise CommandError(f"The admin's feed page has {admin_changes} changes, not "
                               f"{FEED_PAGE}.")
        return out

    def _profile(self) -> list[tuple[str, str, Call]]:
        """cProfile one more create and update batch per type (not in the figures)."""
        found = []
        path_of = {name: reverse("sync-batch", kwargs={"type": name}) for name in TYPES}
        for name, make, prefix in (("accounts", self._account, "ACC"),
                                   ("opportunities", self._opportunity, "OPP")):
            keys = [(f"{prefix}-P-{i:06d}", 900_000 + i) for i in range(MAX_BATCH)]
            for label, body, expected in (
                    ("create", {"records": [make(k, i) for k, i in keys]}, "created"),
                    ("update", {"records": [make(k, i, True) for k, i in keys]}, "updated")):
                profiler = cProfile.Profile()
                profiler.enable()
                call = self._call(self.admin_client, "POST", path_of[name], body)
                profiler.disable()
                self._check_batch(call, expected, f"profiled {name} {label}")
                text = io.StringIO()
                stats = pstats.Stats(profiler, stream=text).strip_dirs()
                stats.sort_stats("cumulative").print_stats(35)
                stats.sort_stats("tottime").print_stats(20)
                found.append((f"{name} {label}", text.getvalue(), call))
        return found

    # --- Report -------------------------------------------------------------------------

    def _machine(self) -> list[str]:
        return [*machine("shared_buffers", "synchronous_commit"),
                f"conn_max_age {settings.DATABASES['default'].get('CONN_MAX_AGE', 0)}"]
    def _report(self, data, batches, singles, results, feed, profiles, kept) -> list[str]:
        out = self.stdout.write
        failures = []
        out("")
        out("=" * 96)
        out("OSP sync benchmark: the HTTP API in-process (test client), admin integration client")
        out("=" * 96)
        for n, line in enumerate(self._machine()):
            out(f"{'Machine' if n == 0 else '':<13}{line}")
        out(f"Date         {timezone.localtime():%Y-%m-%d %H:%M %Z}")
        out(f"Data         in the tables before the run: {data['opportunities']:,} "
            f"opportunities, {data['accounts']:,} accounts, {data['feed changes']:,} feed "
            f"changes")
        out(f"             this run: source {self.source}; per type {singles} single PUTs "
            f"and {batches} x 3 batches of {MAX_BATCH} (median counts); "
            f"{'kept' if kept else 'removed afterwards'}")
        out("")
        out(f"{'Type':<14}{'Request':<26}{'Records':>8}{'ms/request':>12}{'ms/record':>11}"
            f"{'records/s':>11}{'Queries':>9}{'SQL ms':>8}  Goal")
        for name, (single, create, update, replay) in results.items():
            per_single = single.total / len(single.calls)
            med = statistics.median(c.seconds for c in single.calls)
            queries = statistics.median(c.queries for c in single.calls)
            sql = statistics.median(c.sql_seconds for c in single.calls)
            out(f"{name:<14}{single.label:<26}{len(single.calls):>8}{med * 1000:>12.2f}"
                f"{per_single * 1000:>11.3f}{1 / per_single:>11,.0f}{queries:>9.0f}"
                f"{sql * 1000:>8.1f}  (median request; ms/record over all)")
            for measure in (create, update, replay):
                call = measure.median
                per_record = call.seconds / measure.records
                rate = 1 / per_record
                goal = ""
                if measure is not replay:
                    ok = rate >= GOAL_RATE
                    goal = f">= {GOAL_RATE:,.0f}/s {'PASS' if ok else 'FAIL'}"
                    if not ok:
                        failures.append(f"{name} {measure.label}: {rate:,.0f} records/s")
                out(f"{'':<14}{measure.label:<26}{measure.records:>8}"
                    f"{call.seconds * 1000:>12.1f}{per_record * 1000:>11.3f}{rate:>11,.0f}"
                    f"{call.queries:>9}{call.sql_seconds * 1000:>8.1f}  {goal}")
            speedup = per_single / (create.median.seconds / create.records)
            ok = speedup >= GOAL_SPEEDUP
            if not ok:
                failures.append(f"{name} batch vs single: {speedup:.1f}x")
            out(f"{'':<14}batch create vs single PUTs: {speedup:,.1f}x faster per record"
                f"{'':<18}>= {GOAL_SPEEDUP:.0f}x {'PASS' if ok else 'FAIL'}")
            spread = [f"{c.seconds * 1000:.0f}" for c in create.calls]
            out(f"{'':<14}(create batches, ms: {', '.join(spread)})")
        out("")
        out(f"Feed page    GET /api/v1/sync/changes/?cursor={feed['cursor']}&limit={FEED_PAGE} "
            f"(500 account then 500 opportunity changes), best of {batches}")
        out(f"{'':<13}{'Client':<12}{'Changes':>8}{'ms':>9}{'Queries':>9}{'SQL ms':>8}  Goal")
        for who in ("admin", "sales rep"):
            calls = feed[who]
            best = min(calls, key=lambda c: c.seconds)
            most = max(c.queries for c in calls)
            ok = most <= GOAL_FEED_QUERIES
            if not ok:
                failures.append(f"feed page as {who}: {most} queries")
            out(f"{'':<13}{who:<12}{len(best.body['changes']):>8}{best.seconds * 1000:>9.1f}"
                f"{most:>9}{best.sql_seconds * 1000:>8.1f}  <= {GOAL_FEED_QUERIES} queries "
                f"{'PASS' if ok else 'FAIL'}")
        out("")
        out("Queries include the token's lookup. A real client adds the network (and, with "
            "DATABASE_CONN_MAX_AGE=0, a new database connection per request).")
        if self.verbosity >= 2:
            for name, (_single, create, update, replay) in results.items():
                for measure in (create, update, replay):
                    out(f"\n{name}, {measure.label}: the queries of the median request")
                    for seconds, sql in measure.median.statements:
                        out(f"  {seconds * 1000:7.1f} ms  {sql[:160]}")
            for who in ("admin", "sales rep"):
                out(f"\nFeed page as {who}: the queries")
                for seconds, sql in min(feed[who], key=lambda c: c.seconds).statements:
                    out(f"  {seconds * 1000:7.1f} ms  {sql[:160]}")
        for label, text, call in profiles:
            out(f"\n--- cProfile: {label} batch ({call.seconds * 1000:.0f} ms, {call.queries} "
                f"queries, {call.sql_seconds * 1000:.0f} ms in SQL) ---")
            out(text)
        out("Result       " + ("all goals met" if not failures
                               else "goals missed: " + "; ".join(failures)))
        return failures
