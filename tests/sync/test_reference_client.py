"""The reference client (manage.py sync_siebel) against a real server over HTTP: push the
demo export, survive a lost answer, pull the change feed, resync after it was pruned."""

import json
import shutil
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account, Contact, Partner
from accounts.services import account_update
from forecasting.selectors import Node, forecast_rollup
from opportunities.models import ExchangeRate, FinanceRecord, HowChanged, Opportunity, StageChange
from osp.fiscal import fiscal_quarter, parse_period
from osp.models import Role
from osp.services import record_delete
from sync import feed
from sync.management.commands import sync_siebel
from sync.models import FeedChange, FeedHead, StoredResponse
from sync.services import integration_client_create
from tests.factories import OpportunityFactory, UserFactory

# Real HTTP: the live server answers from another thread, so the data must be committed.
# (WhiteNoise warns that collectstatic never ran; no static file is served here.)
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]

SOURCE = "siebel-demo"
EXPORT = Path(sync_siebel.__file__).resolve().parents[2] / "siebel_export"
TYPES = ("partners", "accounts", "contacts", "opportunities")
MODELS = {"partners": Partner, "accounts": Account, "contacts": Contact,
          "opportunities": Opportunity}


def export_rows(rtype):
    return json.loads((EXPORT / f"{rtype}.json").read_text())


@pytest.fixture
def demo(people, live_server, tmp_path):
    """The demo sales team, a CNY rate, a client acting as the administrator (who may
    import stages) and a copy of the export to work in."""
    managers = {name: UserFactory(username=name, roles=[Role.SALES_MANAGER])
                for name in ("chen.jie", "sarah.miller")}
    for name, manager in (("zhang.wei", "chen.jie"), ("liu.yang", "chen.jie"),
                          ("tom.baker", "sarah.miller"), ("li.na", "sarah.miller")):
        UserFactory(username=name, manager=managers[manager])
    UserFactory(username="huang.min", roles=[Role.CHANNEL_SALES])
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.139"))
    client, token = integration_client_create(name="siebel-demo", user=people.admin)
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder, ignore=shutil.ignore_patterns("from_osp"))
    return SimpleNamespace(url=live_server.url, token=token, client=client, dir=folder,
                           state=tmp_path / "state.json", admin=people.admin)


def run(demo, action, **options):
    """The command's output; raises CommandError as the command does."""
    out, err = StringIO(), StringIO()
    options.setdefault("sleep", lambda seconds: None)
    try:
        call_command("sync_siebel", action, url=demo.url, token=demo.token, source=SOURCE,
                     dir=str(demo.dir), state=str(demo.state), stdout=out, stderr=err,
                     **options)
    finally:
        demo.out, demo.err = out.getvalue(), err.getvalue()
    return demo.out


def counts():
    return {rtype: model.all_objects.filter(source=SOURCE).count()
            for rtype, model in MODELS.items()}


def expected_counts():
    return {rtype: len(export_rows(rtype)) for rtype in TYPES}


def cursor(demo):
    return json.loads(demo.state.read_text())["cursor"]


def pulled(demo, rtype, deleted=False):
    name = f"{rtype}.deleted.json" if deleted else f"{rtype}.json"
    return {r["Id"]: r for r in json.loads((demo.dir / "from_osp" / name).read_text())}


# --- push -------------------------------------------------------------------------------

def test_push_creates_the_export_and_a_second_push_changes_nothing(demo):
    out = run(demo, "push", batch_size=5)

    assert counts() == expected_counts()
    assert "opportunities: 16/16 (created 16, updated 0, unchanged 0, errors 0)" in out
    assert "contacts (managers): 6 sent: created 0, updated 6" in out
    assert demo.err == ""

    bank = Account.objects.get(source=SOURCE, external_id="1-3GHT01")
    assert (bank.name, bank.industry, bank.owner.username) == (
        "Bank of Jinhai", "financial_services", "zhang.wei")
    assert Partner.objects.get(external_id="1-7XQ2A2").type == "isv"
    architect = Contact.objects.get(source=SOURCE, external_id="1-9KC002")
    assert architect.account == bank
    assert architect.reports_to.external_id == "1-9KC001"
    assert Contact.objects.filter(source=SOURCE, reports_to__isnull=False).count() == 6

    core = Opportunity.objects.get(source=SOURCE, external_id="1-5OPP01")
    assert core.stage == "5"  # "05 - Short-listed", placed by the import
    assert core.account == bank and core.owner.username == "zhang.wei"
    assert core.amount == Decimal("18500000") and core.currency == "CNY"
    assert core.expected_close_date.isoformat() == "2027-06-30"
    move = StageChange.objects.get(opportunity=core)
    assert (move.from_stage, move.to_stage, move.how) == ("lead", "5", HowChanged.IMPORT)
    assert Opportunity.objects.get(external_id="1-5OPP04").stage == "lead"
    assert not StageChange.objects.filter(opportunity__external_id="1-5OPP04").exists()

    feed_before, moves_before = FeedChange.objects.count(), StageChange.objects.count()
    out = run(demo, "push", batch_size=200)

    assert counts() == expected_counts()
    for rtype, n in expected_counts().items():
        assert f"  {rtype}: {n} sent: created 0, updated 0, unchanged {n}, errors 0" in out
    assert "  contacts (managers): 6 sent: created 0, updated 0, unchanged 6" in out
    assert FeedChange.objects.count() == feed_before
    assert StageChange.objects.count() == moves_before


def test_a_siebel_history_lands_whole_and_the_forecast_counts_it_when_it_closed(demo):
    """Open deals at every stage, a loss with its reason and winner, a No-Go with its
    rationale, deals won at 9, paid at 9.5 and booked at 10 with their dates."""
    run(demo, "push")

    deals = {o.external_id: o for o in Opportunity.objects.filter(source=SOURCE)
             .select_related("winning_competitor", "account")}
    assert len(deals) == len(export_rows("opportunities"))
    assert {o.stage for o in deals.values()} == {
        "lead", "2", "3", "4", "5", "6", "7", "8", "9", "9.5", "10", "lost", "no_go"}
    lost = deals["1-5OPP15"]
    assert (lost.loss_reason, lost.winning_competitor.name) == (
        "Competitor bundled the hardware at a lower price", "GRG Banking")
    assert deals["1-5OPP16"].no_go_rationale.startswith("Outside our solution areas")

    won, paid, booked = deals["1-5OPP12"], deals["1-5OPP13"], deals["1-5OPP14"]
    assert (won.po_number, won.won_on, won.booked_on) == ("JH-PO-2026-118",
                                                          date(2026, 10, 28), None)
    assert (paid.won_on, paid.booked_on) == (date(2026, 9, 15), None)
    assert (booked.won_on, booked.booked_on) == (date(2026, 6, 26), date(2026, 9, 10))
    records = {(r.opportunity.external_id, r.kind): r
               for r in FinanceRecord.objects.select_related("opportunity")}
    assert set(records) == {("1-5OPP13", "payment"), ("1-5OPP14", "payment"),
                            ("1-5OPP14", "booking")}
    assert (records["1-5OPP13", "payment"].reference,
            records["1-5OPP13", "payment"].received_on) == ("AR-2026-0917", date(2026, 11, 20))
    booking = records["1-5OPP14", "booking"]
    assert (booking.reference, booking.period) == ("BK-2026-Q3-044",
                                                   str(fiscal_quarter(date(2026, 9, 10))))
    # The history says each was imported, and by whom.
    for deal in deals.values():
        if deal.stage != "lead":
            move = StageChange.objects.get(opportunity=deal)
            assert (move.how, move.by, move.to_stage) == (HowChanged.IMPORT, demo.admin,
                                                          deal.stage)
    assert {r.by for r in records.values()} == {demo.admin}

    # Counted in the fiscal quarter of the PO (9, 9.5) and of the booking (10), in no other.
    today = timezone.localdate()
    for deal, closed_on in ((won, won.won_on), (paid, paid.won_on), (booked, booked.booked_on)):
        for day in {closed_on, today}:
            period = parse_period(str(fiscal_quarter(day)))
            rollup = forecast_rollup(user=demo.admin, node=Node("account", deal.account),
                                     period=period)
            counted = rollup.stages.get(deal.stage)
            assert bool(counted and counted.count) == (period.start <= closed_on
                                                        <= period.end), (deal, period)


def test_refused_rows_are_reported_and_fail_the_command(demo):
    rows = export_rows("accounts")
    rows[1]["Industry"] = "Aerospace"  # not in the mapping: the server refuses it
    rows[2]["Sales Rep"] = "nobody"
    (demo.dir / "accounts.json").write_text(json.dumps(rows))

    with pytest.raises(CommandError, match="9 record"):
        run(demo, "push")

    assert "1-3GHT02: VALIDATION" in demo.err and "industry" in demo.err
    assert "1-3GHT03: REFERENCE_NOT_FOUND" in demo.err
    assert "accounts: 6/6 (created 4, updated 0, unchanged 0, errors 2)" in demo.out
    assert Account.objects.filter(source=SOURCE).count() == 4
    # Their 4 contacts and 3 deals name accounts that are not there: refused too.
    assert "contacts: 12/12 (created 8, updated 0, unchanged 0, errors 4)" in demo.out
    assert "opportunities: 16/16 (created 13, updated 0, unchanged 0, errors 3)" in demo.out


class LosesTheFirstAnswer:
    """Lets each batch reach the server, then loses its answer the first time."""

    def __init__(self):
        self.lost, self.replayed, self.keys = set(), [], []

    def __call__(self, method, url, body, headers):
        response = sync_siebel.urllib_send(method, url, body, headers)
        key = headers.get("Idempotency-Key")
        if key is None:
            return response
        self.keys.append(key)
        if key not in self.lost:
            self.lost.add(key)
            raise ConnectionError("connection reset by peer")
        self.replayed.append(response.headers.get("idempotent-replayed"))
        return response


def test_a_lost_answer_is_retried_with_the_same_key_and_writes_nothing_twice(demo):
    transport, waits = LosesTheFirstAnswer(), []

    out = run(demo, "push", batch_size=4, transport=transport, sleep=waits.append)

    assert counts() == expected_counts()  # no duplicates
    batches = len(transport.lost)
    assert batches == 1 + 2 + 3 + 2 + 4  # partners, accounts, contacts twice, deals
    # Each key was sent exactly twice, in a row: the lost try and its retry.
    assert transport.keys[::2] == transport.keys[1::2]
    assert transport.replayed == ["true"] * batches
    assert StoredResponse.objects.filter(caller=f"client:{demo.client.pk}").count() == batches
    assert waits == [0.5] * batches
    assert "trying again with the same Idempotency-Key in 0.5 s" in demo.err
    assert "[answer replayed by the server]" in out
    assert "opportunities: 16/16 (created 16, updated 0, unchanged 0, errors 0)" in out


def test_the_client_gives_up_after_five_tries(demo):
    def down(method, url, body, headers):
        if "Idempotency-Key" in headers:
            raise TimeoutError("timed out")
        return sync_siebel.urllib_send(method, url, body, headers)

    waits = []
    with pytest.raises(CommandError, match="gave up after 5 tries"):
        run(demo, "push", transport=down, sleep=waits.append)
    assert waits == [0.5, 1, 2, 4]
    assert counts()["partners"] == 0


def test_a_rate_limited_client_waits_as_told(demo):
    from django.core.cache import cache

    demo.client.requests_per_minute = 3
    demo.client.save()
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        cache.clear()  # the minute has passed

    run(demo, "push", sleep=sleep)

    assert counts() == expected_counts()
    assert waits and all(1 <= w <= 60 for w in waits)
    assert "rate limited, waiting" in demo.err


# --- pull -------------------------------------------------------------------------------

def test_pull_writes_siebel_files_and_follows_the_feed(demo):
    run(demo, "push")
    in_osp = OpportunityFactory(name="Jinhai data centre move", owner=demo.admin,
                                account=Account.objects.get(external_id="1-3GHT01"))

    out = run(demo, "pull")

    head = FeedHead.objects.get(pk=1).last_seq
    assert cursor(demo) == head
    assert f"cursor {head}" in out
    for rtype in TYPES:
        assert set(pulled(demo, rtype)) >= {r["Id"] for r in export_rows(rtype)}
    core = pulled(demo, "opportunities")["1-5OPP01"]
    assert core["Sales Stage"] == "05 - Short-listed"
    assert core["Primary Revenue Close Date"] == "06/30/2027"
    assert core["Primary Revenue Amount"] == "18500000.00"
    assert core["Account"] == "1-3GHT01" and core["Sales Rep"] == "zhang.wei"
    assert isinstance(core["Primary Revenue Win Probability"], int)
    assert pulled(demo, "accounts")["1-3GHT01"]["Industry"] == "Financial Services"
    assert pulled(demo, "partners")["1-7XQ2A1"]["Partner Type"] == "System Integrator"
    assert pulled(demo, "contacts")["1-9KC002"]["Manager Id"] == "1-9KC001"
    # Made in OSP: no Siebel key yet, named by its OSP id; its account by the Siebel key.
    made_here = pulled(demo, "opportunities")[f"OSP-{in_osp.pk}"]
    assert made_here["Account"] == "1-3GHT01" and made_here["Sales Stage"] == "01 - Lead"

    bank = Account.objects.get(source=SOURCE, external_id="1-3GHT01")
    account_update(account=bank, user=demo.admin, name="Bank of Jinhai Co., Ltd.")
    record_delete(obj=Contact.objects.get(source=SOURCE, external_id="1-9KC012"),
                  user=demo.admin)

    out = run(demo, "pull")

    assert "changes: 2 received" in out
    assert cursor(demo) == FeedHead.objects.get(pk=1).last_seq > head
    assert pulled(demo, "accounts")["1-3GHT01"]["Name"] == "Bank of Jinhai Co., Ltd."
    assert "1-9KC012" not in pulled(demo, "contacts")
    assert pulled(demo, "contacts", deleted=True)["1-9KC012"]["Deleted At"]

    before = cursor(demo)
    out = run(demo, "pull")

    assert "changes: 0 received" in out
    assert cursor(demo) == before


def test_pull_pages_and_an_interrupted_pull_resumes_from_its_last_page(demo, monkeypatch):
    run(demo, "push")
    monkeypatch.setattr(sync_siebel, "PAGE", 10)
    pages = []

    def down_from_the_third_page(method, url, body, headers):
        if "/changes/" in url:
            pages.append(url)
            if len(pages) >= 3:
                raise ConnectionRefusedError("the server went away")
        return sync_siebel.urllib_send(method, url, body, headers)

    with pytest.raises(CommandError, match="gave up after 5 tries"):
        run(demo, "pull", transport=down_from_the_third_page)
    # Pages 1 and 2 were kept; page 3 was tried five times.
    assert len(pages) == 2 + 5
    assert cursor(demo) == FeedChange.objects.order_by("seq")[19].seq
    assert len(pulled(demo, "partners")) == 3

    out = run(demo, "pull")

    assert "Pulling changes after cursor" in out and cursor(demo) == FeedHead.objects.get(
        pk=1).last_seq
    assert "changes: 10 received, cursor" in out
    for rtype in TYPES:
        assert set(pulled(demo, rtype)) == {r["Id"] for r in export_rows(rtype)}


def test_pull_resyncs_when_the_feed_was_pruned_past_its_cursor(demo):
    run(demo, "push")
    run(demo, "pull")
    bank = Account.objects.get(source=SOURCE, external_id="1-3GHT01")
    account_update(account=bank, user=demo.admin, name="Jinhai Bank")
    record_delete(obj=Contact.objects.get(source=SOURCE, external_id="1-9KC010"),
                  user=demo.admin)
    later = timezone.now() + feed.retention() + timedelta(days=1)
    assert feed.prune(now=later)
    head = FeedHead.objects.get(pk=1)
    assert cursor(demo) < head.pruned_through

    out = run(demo, "pull")

    assert "reading every record again" in out
    assert cursor(demo) == head.last_seq
    assert pulled(demo, "accounts")["1-3GHT01"]["Name"] == "Jinhai Bank"
    assert len(pulled(demo, "contacts")) == 11
    assert "1-9KC010" in pulled(demo, "contacts", deleted=True)  # gone while out of reach
    assert len(pulled(demo, "opportunities")) == len(export_rows("opportunities"))

    out = run(demo, "pull")

    assert "changes: 0 received" in out
    assert cursor(demo) == head.last_seq
