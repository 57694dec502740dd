"""Benchmark the forecast rollup on PostgreSQL against a hand-written SQL aggregate.

    manage.py bench_forecast [--size small|enterprise] [--quarter "FY2027 Q1"] [--year FY2027]

(`make bench` / scripts/bench.sh run it against the database osp_bench.)

1. Loads, once, a synthetic company with PostgreSQL COPY: a director, 20 managers with 10
   reps each, accounts, quotas and opportunities spread over ten fiscal years with their
   stages weighted as in a real CRM, plus one StageChange row per opportunity (an import
   from lead). `enterprise` is 20,000 accounts and 1,000,000 opportunities; `small` is
   1/100 of the accounts and opportunities with the same hierarchy. A data set that is
   already there (user "bench-director" and the expected counts) is kept; one of the other
   size, or a partial one, is removed first.
2. Times forecast_rollup for the top of the hierarchy (the director, not an admin) for a
   fiscal quarter and a fiscal year against one SQL aggregate giving the same per-stage
   totals (best of 5 each), checks that the totals agree, counts the queries, and times a
   forecast page-equivalent call for a manager's node.

The rollup is timed with DEBUG off (no query logging), as in production.
"""

import bisect
import datetime
import enum
import json
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from psycopg import sql

from accounts.models import Account, CompanySize, Industry, Territory
from benchmarks.machine import machine
from forecasting.models import Quota
from forecasting.selectors import FORECAST_CATEGORIES, Node, forecast_rollup
from opportunities.models import (
    SELLING_STAGES,
    Category,
    ExchangeRate,
    LeadSource,
    Opportunity,
    StageCategory,
    StageChange,
)
from osp import access
from osp.fiscal import Period, fiscal_quarter, fiscal_year_period, parse_period
from osp.models import Role, User

SEED = 20270101
SOURCE = "bench"  # Account.source and Opportunity.source of the generated rows
DIRECTOR = "bench-director"
BATCH = 20_000
REPEAT = 5
GOAL_RATIO = 1.5
FISCAL_YEARS_BACK = 7  # ten fiscal years: the current one - 7 .. the current one + 2
FISCAL_YEARS_AHEAD = 2


@dataclass(frozen=True)
class Size:
    managers: int
    reps_per_manager: int
    accounts: int
    opportunities: int

    @property
    def reps(self) -> int:
        return self.managers * self.reps_per_manager

    @property
    def users(self) -> int:
        return 1 + self.managers + self.reps


SIZES = {
    "enterprise": Size(managers=20, reps_per_manager=10, accounts=20_000,
                       opportunities=1_000_000),
    "small": Size(managers=20, reps_per_manager=10, accounts=200, opportunities=10_000),
}

# Share of all opportunities (percent) by stage: most history is closed (booked, lost,
# no-go); the open pipeline narrows from lead to stage 8; a few POs and payments await
# finance.
STAGE_WEIGHTS = {
    "10": 30.0, "lost": 40.0, "no_go": 12.5, "9.5": 1.0, "9": 1.5,
    "lead": 4.0, "2": 3.0, "3": 2.2, "4": 1.8, "5": 1.4, "6": 1.1, "7": 0.9, "8": 0.6,
}
OPEN = set(SELLING_STAGES)
BUDGETED = {"3", "4", "5", "6", "7", "8", "9", "9.5", "10"}
QUOTED = {"6", "7", "8", "9", "9.5", "10"}
WON = {"9", "9.5", "10"}
USD_RATES = {"USD": 1.0, "EUR": 1.08, "CNY": 0.14}  # value of one unit in USD
LOSS_REASONS = ["Lost on price", "Competitor had an incumbent solution",
                "Project cancelled by the customer", "Budget moved to next year",
                "Technical requirements not met"]
NO_GO_REASONS = ["No budget and no executive sponsor", "Not a fit for our offering",
                 "Tender written for a competitor"]
PRODUCTS = ["Platform licence", "Data centre refresh", "Analytics suite", "Support renewal",
            "Security upgrade", "Cloud migration", "Network expansion", "Managed services"]
UTC = datetime.UTC


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    return value


def copy_columns(model, varying: list[str], constants: dict) -> tuple[list[str], tuple]:
    """The COPY column list for `model`: the columns given per row (`varying`, in that
    order), then every other concrete column with a constant: the one in `constants`, else
    NULL where allowed, the field's default, or "" for a blank text field. A NOT NULL
    column none of these fills stops the command (a column added since this was written)."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = [c for c in [*varying, *constants] if c not in fields]
    if unknown:
        raise CommandError(f"bench_forecast: {model.__name__} has no column(s) "
                           f"{', '.join(unknown)}; update the benchmark's generator.")
    columns, values = list(varying), []
    for column, field in fields.items():
        if column in varying:
            continue
        if field.primary_key:  # generated by the identity column
            continue
        if column in constants:
            value = constants[column]
        elif field.null:
            value = None
        elif field.has_default():
            value = field.get_default()
            if isinstance(field, models.JSONField):
                value = json.dumps(value)
        elif isinstance(field, models.CharField | models.TextField) and field.blank:
            value = ""
        else:
            raise CommandError(f"bench_forecast does not know how to fill the NOT NULL column "
                               f"{model._meta.db_table}.{column}; add it to the generator.")
        columns.append(column)
        values.append(_plain(value))
    return columns, tuple(values)


class Command(BaseCommand):
    help = ("Load a synthetic company (PostgreSQL COPY) and time the forecast rollup against "
            "the fastest hand-written SQL aggregate. PostgreSQL only.")

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="enterprise",
                            help="enterprise: 1,000,000 opportunities; small: 10,000.")
        parser.add_argument("--quarter", help='fiscal quarter to time, e.g. "FY2027 Q1" '
                                              "(default: the current one)")
        parser.add_argument("--year", help="fiscal year to time, e.g. FY2027 "
                                           "(default: the current one)")
        parser.add_argument("--repeat", type=int, default=REPEAT,
                            help="runs per measurement; the best counts (default 5)")
        parser.add_argument("--regenerate", action="store_true",
                            help="remove the benchmark data and load it again")
        parser.add_argument("--explain", action="store_true",
                            help="also print EXPLAIN ANALYZE of the rollup's main query and "
                                 "of the SQL aggregate")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_forecast runs on PostgreSQL only (this database is "
                f"{connection.vendor}): it loads data with COPY and measures PostgreSQL's "
                f"plans. Run scripts/bench.sh (make bench), or set DATABASE_URL="
                f"postgres://USER@HOST:5432/osp_bench.")
        quarter = parse_period(options["quarter"] or None)
        if options["quarter"] and quarter.label.replace(" ", "") != options["quarter"].replace(
                " ", "").upper():
            raise CommandError(f'--quarter: "{options["quarter"]}" is not like "FY2027 Q1".')
        year = (parse_period(options["year"]) if options["year"]
                else fiscal_year_period(fiscal_quarter().year))
        if "Q" in year.label:
            raise CommandError(f'--year: "{options["year"]}" is not like "FY2027".')
        size_name = options["size"]
        size = SIZES[size_name]
        self.verbosity = options["verbosity"]
        connection.ensure_connection()
        self.pg = connection.connection  # the psycopg 3 connection

        started = time.perf_counter()
        if options["regenerate"] or not self._present(size):
            self._remove()
            self._generate(size)
            self._vacuum_analyze()
            generated = f"generated in {time.perf_counter() - started:.1f} s"
        else:
            generated = "already present, not regenerated"

        self._benchmark(size_name, size, generated, [quarter, year], max(1, options["repeat"]),
                        options["explain"])

    # --- Data set ---------------------------------------------------------------------

    def _usernames(self, size: Size) -> tuple[list[str], list[str]]:
        managers = [f"bench-manager-{m + 1:02d}" for m in range(size.managers)]
        reps = [f"bench-rep-{r + 1:03d}" for r in range(size.reps)]
        return managers, reps

    def _count(self, query: str, params=()) -> int:
        with connection.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchone()[0]

    def _present(self, size: Size) -> bool:
        opp, change = Opportunity._meta.db_table, StageChange._meta.db_table
        if not User.objects.filter(username=DIRECTOR).exists():
            return False
        opportunities = self._count(f"SELECT count(*) FROM {opp} WHERE source = %s", [SOURCE])
        accounts = Account.objects.filter(source=SOURCE).count()
        changes = self._count(
            f"SELECT count(*) FROM {change} c JOIN {opp} o ON o.id = c.opportunity_id "
            f"WHERE o.source = %s", [SOURCE]) if opportunities == size.opportunities else -1
        users = User.objects.filter(username__startswith="bench-").count()
        present = (opportunities == size.opportunities and changes == size.opportunities
                   and accounts == size.accounts and users == size.users)
        if not present:
            self.stdout.write(f"A different or partial benchmark data set is present "
                              f"({users:,} users, {accounts:,} accounts, {opportunities:,} "
                              f"opportunities); replacing it.")
        return present

    def _remove(self):
        """Delete a previous benchmark data set (only its own rows)."""
        users = list(User.objects.filter(username__startswith="bench-")
                     .values_list("pk", flat=True))
        if not users and not Opportunity.objects.filter(source=SOURCE).exists():
            return
        self.stdout.write("Removing the previous benchmark data...")
        opp, change = Opportunity._meta.db_table, StageChange._meta.db_table
        statements = [
            (f"DELETE FROM {change} WHERE opportunity_id IN "
             f"(SELECT id FROM {opp} WHERE source = %s)", [SOURCE]),
            (f"DELETE FROM {opp} WHERE source = %s", [SOURCE]),
            (f"DELETE FROM {Quota._meta.db_table} WHERE user_id = ANY(%s)", [users]),
            (f"DELETE FROM {Account._meta.db_table} WHERE source = %s", [SOURCE]),
            (f"DELETE FROM {Territory._meta.db_table} WHERE owner_id = ANY(%s)", [users]),
            (f"DELETE FROM {User._meta.db_table} WHERE id = ANY(%s)", [users]),
        ]
        try:
            with transaction.atomic(), connection.cursor() as cur:
                if self._truncate_if_alone(cur):
                    statements = statements[2:]
                for query, params in statements:
                    cur.execute(query, params)
        except Exception as exc:
            raise CommandError(
                f"Could not remove the previous benchmark data ({exc}). Other rows refer to "
                f"it: drop the database (dropdb osp_bench) and run again.") from exc

    def _truncate_if_alone(self, cur) -> bool:
        """TRUNCATE the opportunities and their stage changes (seconds, where DELETE takes
        minutes for a million rows) when that removes exactly what DELETE would: every
        opportunity is a benchmark one and every other table that refers to them, directly
        or not, is empty. Runs inside the caller's transaction, under lock."""
        opp = Opportunity._meta.db_table
        cur.execute(
            "WITH RECURSIVE refs(t) AS (SELECT %s::regclass UNION SELECT c.conrelid "
            "FROM pg_constraint c JOIN refs ON c.confrelid = refs.t WHERE c.contype = 'f') "
            "SELECT t::regclass::text FROM refs", [opp])
        tables = [t for (t,) in cur.fetchall()]
        cur.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {opp} WHERE source <> %s)", [SOURCE])
        if cur.fetchone()[0]:
            return False
        for table in tables:
            if table not in (opp, StageChange._meta.db_table):
                cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
                if cur.fetchone()[0]:
                    return False
        cur.execute(f"TRUNCATE {', '.join(tables)}")
        return True

    def _reserve_ids(self, model, n: int) -> int:
        """Take n consecutive ids from the table's identity sequence; returns the first."""
        table = model._meta.db_table
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
            top = cur.fetchone()[0]
            cur.execute(f"SELECT last_value, is_called FROM {sequence}")
            last, called = cur.fetchone()
            first = max(top, last if called else last - 1) + 1
            cur.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
        return first

    def _copy(self, model, columns: list[str], rows) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns))
        with self.pg.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _progress(self, done: int, total: int, what: str) -> None:
        width = 30
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {what}",
                          ending="\n" if done >= total else "")
        self.stdout.flush()

    def _rates(self) -> list[tuple[str, float, float]]:
        """(currency, rate to base, share): the base currency and two others, with the rates
        of the ExchangeRate table (created where missing), so amounts and rates agree."""
        base = settings.OSP_BASE_CURRENCY
        others = [c for c in USD_RATES if c != base][:2] if base in USD_RATES else []
        result = [(base, 1.0, 0.7)]
        for currency, share in zip(others, (0.2, 0.1), strict=False):
            rate, _created = ExchangeRate.objects.get_or_create(
                currency=currency,
                defaults={"rate_to_base": f"{USD_RATES[currency] / USD_RATES[base]:.8f}"})
            result.append((currency, float(rate.rate_to_base), share))
        return result

    def _generate(self, size: Size) -> None:
        rng = random.Random(SEED)
        now = timezone.now()
        today = timezone.localdate()
        self.stdout.write(f"Generating the {size.opportunities:,}-opportunity data set "
                          f"(seed {SEED}, COPY in batches of {BATCH:,})...")

        # People: the director, the managers, their reps.
        managers, reps = self._usernames(size)
        first_user = self._reserve_ids(User, size.users)
        director_id = first_user
        manager_ids = [first_user + 1 + m for m in range(size.managers)]
        rep_ids = [first_user + 1 + size.managers + r for r in range(size.reps)]
        rep_manager = {rep_ids[r]: manager_ids[r // size.reps_per_manager]
                       for r in range(size.reps)}
        columns, constants = copy_columns(
            User, ["id", "username", "first_name", "last_name", "email", "roles", "title",
                   "manager_id", "password", "date_joined"],
            {"is_superuser": False, "is_staff": False, "is_active": True, "away_from": None,
             "away_until": None, "last_login": None})
        manager_role = json.dumps([Role.SALES_MANAGER.value])
        rep_role = json.dumps([Role.SALES_REP.value])

        def person(pk, username, last, role, title, manager):
            return (pk, username, "Bench", last, f"{username}@bench.invalid", role, title,
                    manager, f"!{rng.getrandbits(128):032x}", now) + constants

        people = [person(director_id, DIRECTOR, "Director", manager_role, "Sales director",
                         None)]
        people += [person(pk, name, f"Manager {m + 1:02d}", manager_role, "Sales manager",
                          director_id) for m, (pk, name) in enumerate(zip(manager_ids, managers,
                                                                         strict=True))]
        people += [person(pk, name, f"Rep {r + 1:03d}", rep_role, "Account manager",
                          rep_manager[pk]) for r, (pk, name) in enumerate(zip(rep_ids, reps,
                                                                             strict=True))]
        self._copy(User, columns, people)

        # Territories: the company, one region per manager.
        first_territory = self._reserve_ids(Territory, 1 + size.managers)
        columns, constants = copy_columns(
            Territory, ["id", "name", "parent_id", "owner_id", "created_at", "updated_at"], {})
        region = {pk: first_territory + 1 + m for m, pk in enumerate(manager_ids)}
        territories = [(first_territory, "Bench company", None, director_id, now, now)
                       + constants]
        territories += [(region[pk], f"Bench region {m + 1:02d}", first_territory, pk, now, now)
                        + constants for m, pk in enumerate(manager_ids)]
        self._copy(Territory, columns, territories)

        # Accounts, owned by the reps, in their manager's region.
        first_account = self._reserve_ids(Account, size.accounts)
        columns, constants = copy_columns(
            Account, ["id", "name", "external_id", "owner_id", "territory_id", "industry", "size",
                      "is_named", "is_strategic", "created_at", "updated_at"],
            {"source": SOURCE})
        industries = [i.value for i in Industry]
        sizes = [s.value for s in CompanySize]
        accounts = []  # (id, owner)
        for start in range(0, size.accounts, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, size.accounts)):
                pk, owner = first_account + i, rep_ids[rng.randrange(size.reps)]
                accounts.append((pk, owner))
                created = now - datetime.timedelta(days=rng.randrange(3650))
                rows.append((pk, f"Bench Account {i + 1:05d}", f"BENCH-A{i + 1}", owner,
                             region[rep_manager[owner]], rng.choice(industries),
                             rng.choice(sizes), rng.random() < 0.05, rng.random() < 0.02,
                             created, created) + constants)
            self._copy(Account, columns, rows)
            self._progress(len(accounts), size.accounts, "accounts")

        # Quotas: every rep, every quarter of the ten fiscal years.
        current_fy = fiscal_quarter(today).year
        years = range(current_fy - FISCAL_YEARS_BACK, current_fy + FISCAL_YEARS_AHEAD + 1)
        columns, constants = copy_columns(Quota, ["user_id", "fiscal_year", "quarter", "amount"],
                                          {})
        self._copy(Quota, columns, [(pk, y, q, _money(rng.randrange(400, 1200) * 100_000))
                                    + constants for pk in rep_ids for y in years
                                    for q in range(1, 5)])

        # Opportunities and their one StageChange each.
        self._generate_opportunities(rng, size, accounts, years, today, now)

    def _generate_opportunities(self, rng, size, accounts, years, today, now) -> None:
        first_day = fiscal_year_period(years[0]).start.toordinal()
        last_day = fiscal_year_period(years[-1]).end.toordinal()
        today_n = today.toordinal()
        date = datetime.date.fromordinal
        stages = list(STAGE_WEIGHTS)
        cumulative, total = [], 0.0
        for stage in stages:
            total += STAGE_WEIGHTS[stage]
            cumulative.append(total)
        rates = self._rates()
        currency_cumulative = [sum(share for _c, _r, share in rates[:i + 1])
                               for i in range(len(rates))]
        lead_sources = [s.value for s in LeadSource]
        n_accounts = len(accounts)

        def stamp(day: int):  # a time of day on that date, never in the future
            moment = (datetime.datetime.combine(date(day), datetime.time(8), tzinfo=UTC)
                      + datetime.timedelta(seconds=rng.randrange(36_000)))
            return min(moment, now)

        first_opportunity = self._reserve_ids(Opportunity, size.opportunities)
        opp_columns, opp_constants = copy_columns(
            Opportunity,
            ["id", "created_at", "updated_at", "external_id", "name", "stage", "amount",
             "currency", "amount_base", "expected_close_date", "lead_source", "budget",
             "account_id", "owner_id", "quoted_amount", "discount_percent", "po_number",
             "po_date", "po_amount", "stage_entered_at", "won_on", "booked_on", "loss_reason",
             "no_go_rationale"],
            {"source": SOURCE})
        change_columns, change_constants = copy_columns(
            StageChange, ["opportunity_id", "to_stage", "by_id", "at"],
            {"from_stage": "lead", "how": "import", "reason": "imported (benchmark)",
             "criteria_met": "[]"})

        done = 0
        while done < size.opportunities:
            opportunities, changes = [], []
            for i in range(done, min(done + BATCH, size.opportunities)):
                pk = first_opportunity + i
                stage = stages[bisect.bisect(cumulative, rng.random() * total)]
                account, owner = accounts[rng.randrange(n_accounts)]
                currency, rate, _share = rates[min(
                    bisect.bisect(currency_cumulative, rng.random()), len(rates) - 1)]
                cents = max(100_000, min(int(rng.lognormvariate(15.2, 1.0)), 5_000_000_000))
                won = booked = None
                if stage in OPEN:  # mostly the coming quarters; some overdue
                    close = min(today_n + int(rng.triangular(-120, 730, 45)), last_day)
                elif stage == "9":
                    won = today_n - rng.randrange(75)
                    close = won + rng.randint(-20, 10)
                elif stage == "9.5":
                    won = today_n - rng.randrange(10, 130)
                    close = won + rng.randint(-20, 10)
                else:  # booked, lost or no-go: spread over the past years
                    close = rng.randrange(first_day, today_n)
                    if stage == "10":
                        won = min(close + rng.randint(-20, 20), today_n)
                        booked = min(won + rng.randrange(45), today_n)
                created = min(close - rng.randrange(30, 540), today_n - rng.randrange(30))
                entered = booked or won or (close if stage in ("lost", "no_go")
                                            else rng.randint(created, today_n))
                created_at, entered_at = stamp(created), stamp(min(entered, today_n))
                entered_at = max(entered_at, created_at)
                amount = _money(cents)
                opportunities.append((
                    pk, created_at, entered_at, f"BENCH-{pk}",
                    f"{PRODUCTS[pk % len(PRODUCTS)]} {pk}", stage, amount, currency,
                    _money(round(cents * rate)), date(close), rng.choice(lead_sources),
                    amount if stage in BUDGETED else None, account, owner,
                    _money(cents * 11 // 10) if stage in QUOTED else None,
                    _money(rng.randrange(2500)) if stage in WON else None,
                    f"PO-{pk}" if won else "", date(won) if won else None,
                    amount if won else None, entered_at, date(won) if won else None,
                    date(booked) if booked else None,
                    rng.choice(LOSS_REASONS) if stage == "lost" else "",
                    rng.choice(NO_GO_REASONS) if stage == "no_go" else "",
                ) + opp_constants)
                changes.append((pk, stage, owner, entered_at) + change_constants)
            self._copy(Opportunity, opp_columns, opportunities)
            self._copy(StageChange, change_columns, changes)
            done += len(opportunities)
            self._progress(done, size.opportunities, "opportunities")

    def _vacuum_analyze(self) -> None:
        """ANALYZE for the planner; VACUUM too, so that the freshly copied rows are in the
        visibility map (index-only scans) as they would be after autovacuum in real use."""
        self.stdout.write("VACUUM ANALYZE...")
        with connection.cursor() as cur:
            for model in (User, Territory, Account, Quota, Opportunity, StageChange):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")

    # --- Benchmark --------------------------------------------------------------------

    def _best(self, repeat: int, run, setup=lambda: None) -> tuple[float, object]:
        best, result = float("inf"), None
        for _ in range(repeat):
            argument = setup()
            started = time.perf_counter()
            result = run(argument)
            best = min(best, time.perf_counter() - started)
        return best * 1000, result

    def _sql_totals(self, people: list[int], period: Period, mapping: dict) -> tuple:
        """The hand-written aggregate: {stage: (count, sum)}, and its SQL and params."""
        open_stages = [s for s, (category, _p) in mapping.items()
                       if category in (Category.PIPELINE, Category.BEST_CASE, Category.COMMIT)]
        query = (
            f"SELECT stage, count(*), sum(amount_base) FROM {Opportunity._meta.db_table} "
            f"WHERE owner_id = ANY(%s) AND ("
            f"(stage IN ({', '.join(['%s'] * len(open_stages))}) "
            f"AND expected_close_date BETWEEN %s AND %s) "
            f"OR (stage IN ('9', '9.5') AND won_on BETWEEN %s AND %s) "
            f"OR (stage = '10' AND booked_on BETWEEN %s AND %s)) GROUP BY stage")
        params = [people, *open_stages, *[period.start, period.end] * 3]
        with connection.cursor() as cur:
            cur.execute(query, params)
            return {stage: (n, total) for stage, n, total in cur.fetchall()}, (query, params)

    def _explain(self, query: str, params=None) -> None:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
            for (line,) in cur.fetchall():
                self.stdout.write("    " + line)

    def _machine(self) -> list[str]:
        return machine("shared_buffers", "work_mem", "jit")
    def _benchmark(self, size_name, size, generated, periods, repeat, explain) -> None:
        out = self.stdout.write
        director = User.objects.get(username=DIRECTOR)
        people = sorted(access.scope_user_ids(director))
        managers, _reps = self._usernames(size)
        manager = User.objects.get(username=managers[0])
        mapping = StageCategory.mapping()
        opp = Opportunity._meta.db_table
        counts = {
            "users in the director's scope": len(people),
            "accounts": Account.objects.filter(source=SOURCE).count(),
            "opportunities": self._count(f"SELECT count(*) FROM {opp} WHERE source = %s",
                                         [SOURCE]),
            "stage changes": self._count(
                f"SELECT count(*) FROM {StageChange._meta.db_table} c JOIN {opp} o "
                f"ON o.id = c.opportunity_id WHERE o.source = %s", [SOURCE]),
            "quotas": Quota.objects.filter(user_id__in=people).count(),
            "opportunities in the table": self._count(f"SELECT count(*) FROM {opp}"),
        }

        def fresh(pk):  # a new instance: its scope is not cached, as in a new request
            return User.objects.get(pk=pk)

        results, mismatches = [], []
        with override_settings(DEBUG=False):
            for period in periods:
                django_ms, rollup = self._best(
                    repeat, lambda u, p=period: forecast_rollup(user=u, node=Node("user", u),
                                                                period=p),
                    lambda: fresh(director.pk))
                sql_ms, (totals, sql) = self._best(
                    repeat, lambda _a, p=period: self._sql_totals(people, p, mapping))
                user = fresh(director.pk)
                with CaptureQueriesContext(connection) as captured:
                    forecast_rollup(user=user, node=Node("user", user), period=period)
                django_stages = {s: (c.count, c.amount) for s, c in rollup.stages.items()}
                sql_stages = {s: v for s, v in totals.items()
                              if mapping.get(s, (Category.OMITTED, 0))[0]
                              in FORECAST_CATEGORIES}
                if django_stages != sql_stages:
                    mismatches.append((period, django_stages, sql_stages))
                results.append((period, django_ms, sql_ms, len(captured), rollup, django_stages,
                                captured, sql))

            page_ms, _rollup = self._best(
                repeat, lambda users: forecast_rollup(user=users[0], node=Node("user", users[1]),
                                                      period=periods[0]),
                lambda: (fresh(director.pk), fresh(manager.pk)))
            users = (fresh(director.pk), fresh(manager.pk))
            with CaptureQueriesContext(connection) as page_queries:
                forecast_rollup(user=users[0], node=Node("user", users[1]), period=periods[0])

        out("")
        out("=" * 78)
        out(f"OSP forecast benchmark: --size {size_name}")
        out("=" * 78)
        for n, line in enumerate(self._machine()):
            out(f"{'Machine' if n == 0 else '':<13}{line}")
        out(f"Date         {timezone.localtime():%Y-%m-%d %H:%M %Z}")
        out(f"Data         {size.users:,} bench users (1 director, {size.managers} managers, "
            f"{size.reps} reps); {generated}")
        for label, n in counts.items():
            out(f"             {n:>11,} {label}")
        out(f"Node         {director.username} (top of the hierarchy, not an admin); best of "
            f"{repeat} runs; DEBUG off")
        out("")
        out(f"{'Period':<11} {'Dates':<23} {'Deals':>8} {'Django ms':>10} {'SQL ms':>8} "
            f"{'Ratio':>6}  {'Goal':<10} {'Queries':>7}")
        for period, django_ms, sql_ms, queries, _rollup, stages, _captured, _sql in results:
            ratio = django_ms / sql_ms if sql_ms else float("inf")
            deals = sum(n for n, _a in stages.values())
            goal = f"<= {GOAL_RATIO}x ok" if ratio <= GOAL_RATIO else "OVER"
            out(f"{period.label:<11} {period.start}..{period.end} {deals:>8,} {django_ms:>10.1f} "
                f"{sql_ms:>8.1f} {ratio:>5.2f}x  {goal:<10} {queries:>7}")
        out("")
        out(f"Forecast page-equivalent call (director viewing {manager.username}'s team, "
            f"{periods[0].label}): {page_ms:.1f} ms, {len(page_queries)} SQL queries")
        if self.verbosity >= 2:
            for period, *_times, _rollup, stages, captured, _sql in results:
                out(f"\n{period.label}: per-stage totals (count, amount)")
                for stage, (n, amount) in sorted(stages.items()):
                    out(f"  {stage:>4} {n:>9,} {amount:>20,}")
                out(f"{period.label}: the rollup's queries")
                for q in captured.captured_queries:
                    out(f"  {q['time']}s  {q['sql'][:160]}")
        if explain:
            for period, *_rest, captured, sql in results:
                main = max(captured.captured_queries, key=lambda q: float(q["time"]))
                out(f"\nEXPLAIN ANALYZE, {period.label}, the rollup's slowest query:")
                self._explain(main["sql"])
                out(f"EXPLAIN ANALYZE, {period.label}, the SQL aggregate:")
                self._explain(*sql)
        if mismatches:
            for period, django_stages, sql_stages in mismatches:
                self.stderr.write(f"MISMATCH {period.label}: Django rollup per stage "
                                  f"{django_stages} != SQL aggregate {sql_stages}")
            raise CommandError("The Django rollup and the SQL aggregate disagree (see above).")
        out("Check        the Django rollup and the SQL aggregate agree, stage by stage.")
