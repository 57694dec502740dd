"""Sync under concurrent writers, with real parallel PostgreSQL connections."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.models import Account
from accounts.services import account_update
from sync.models import FeedChange
from tests.conftest import make_people
from tests.sync.conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(*functions):
    """Run each function in its own thread (own connection); return their results."""
    results, errors = [None] * len(functions), []
    start = threading.Barrier(len(functions))

    def worker(i, fn):
        try:
            start.wait()
            results[i] = fn()
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


@pytest.fixture
def admin_people():
    return make_people()


def test_two_clients_with_the_same_version_one_wins_one_conflicts(admin_people):
    first = client_for(admin_people.admin, name="siebel-1")
    second = client_for(admin_people.admin, name="siebel-2")
    url = "/api/v1/sync/accounts/siebel-prod/1-A/"
    assert first.put(url, {"name": "v1"}, format="json").status_code == 201

    def update(http, name):
        return lambda: http.put(url, {"name": name}, format="json", HTTP_IF_MATCH='"1"')

    responses = run_in_threads(update(first, "from client 1"), update(second, "from 2"))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 412], [r.json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 412).json()
    assert loser["current_version"] == 2
    account = Account.objects.get(external_id="1-A")
    assert (account.name, account.version) == (winner["name"], 2)


def test_two_concurrent_batches_on_the_same_records_create_no_duplicates(admin_people):
    first = client_for(admin_people.admin, name="siebel-1")
    second = client_for(admin_people.admin, name="siebel-2")
    records = [{"source": "siebel-prod", "external_id": f"1-{i}", "name": f"Account {i}"}
               for i in range(100)]

    def push(http):
        return lambda: http.post("/api/v1/sync/accounts/batch/", {"records": records},
                                 format="json").json()["results"]

    a, b = run_in_threads(push(first), push(second))
    assert Account.objects.filter(source="siebel-prod").count() == 100
    statuses = sorted({r["status"] for r in a} | {r["status"] for r in b})
    assert statuses == ["created", "unchanged"]
    assert FeedChange.objects.count() == 100  # one version each: the loser changed nothing


def test_a_reader_paging_while_others_commit_never_skips_a_change(admin_people):
    """Writer 1 takes a sequence number and waits before committing; writer 2 must wait
    for it (so its number cannot be committed first); the reader sees neither until
    writer 1 commits, then both, in order."""
    reader = client_for(admin_people.admin, name="reader")
    one = Account.objects.create(name="One", owner=admin_people.rep_a)
    two = Account.objects.create(name="Two", owner=admin_people.rep_a)
    cursor = reader.get("/api/v1/sync/changes/").json()["next_cursor"]
    holding, release = threading.Event(), threading.Event()
    second_done = threading.Event()

    def slow_writer():
        with transaction.atomic():
            account_update(account=Account.objects.get(pk=one.pk), user=admin_people.admin,
                           name="One, renamed")
            holding.set()
            release.wait(10)
        connection.close()

    def fast_writer():
        holding.wait(10)
        account_update(account=Account.objects.get(pk=two.pk), user=admin_people.admin,
                       name="Two, renamed")
        second_done.set()
        connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for t in threads:
        t.start()
    holding.wait(10)
    assert not second_done.wait(1), "the second writer committed while the first held"
    page = reader.get(f"/api/v1/sync/changes/?cursor={cursor}").json()
    assert page["changes"] == [] and page["next_cursor"] == cursor
    release.set()
    for t in threads:
        t.join(10)
    page = reader.get(f"/api/v1/sync/changes/?cursor={cursor}").json()
    assert [c["data"]["name"] for c in page["changes"]] == ["One, renamed", "Two, renamed"]
    assert page["changes"][0]["seq"] < page["changes"][1]["seq"]


def test_a_concurrent_replay_with_the_same_key_writes_once(admin_people):
    http = client_for(admin_people.admin, name="siebel-1")
    records = [{"source": "siebel-prod", "external_id": f"1-{i}", "name": f"A {i}"}
               for i in range(50)]

    def push():
        return http.post("/api/v1/sync/accounts/batch/", {"records": records},
                         format="json", HTTP_IDEMPOTENCY_KEY="same-key")

    a, b = run_in_threads(push, push)
    assert a.json() == b.json()
    assert {r["status"] for r in a.json()["results"]} == {"created"}
    assert FeedChange.objects.count() == 50
