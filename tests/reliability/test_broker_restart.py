"""Issue #7: the broker restarting loses no scheduled work.

Beat (every second here, hourly in production) and a worker run against a private Redis
that keeps nothing on disk. Redis is killed (whatever it held is gone) and restarted empty
a few seconds later. Both processes must ride it out and reconnect by themselves, and the
catch-up runs of the next ticks must deliver everything that fell due, before and during
the outage, exactly once.
"""

import time

import pytest

from osp.models import ReminderSent
from tests.reliability.conftest import assert_each_reminder_once, stale_deals, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

OUTAGE = 3  # seconds; beat ticks every second here


def _all_emailed(celery, count) -> bool:
    return (ReminderSent.objects.filter(emailed_at__isnull=False).count() == count
            and sum(celery.emails().values()) == count)


def test_worker_and_beat_ride_out_a_broker_restart_and_catch_up(celery):
    broker = celery.broker
    stale_deals(3, owner_prefix="before")
    worker = celery.worker("w1")
    beat = celery.beat()
    wait_until(lambda: _all_emailed(celery, 3), timeout=30,
               what="beat and worker to deliver the first reminders", logs=[worker, beat])

    broker.client().set("sentinel", "1")
    broker.kill()
    down_since = time.monotonic()
    wait_until(lambda: "Connection to broker lost" in worker.log(), timeout=15,
               what="the worker to notice the broker is gone", logs=[worker])
    # Work falls due while the broker is down. It stays down for three of beat's intervals,
    # so beat ticks into the outage and cannot send (it retries that publish for about a
    # minute before giving the tick up), and the worker's reconnections fail meanwhile.
    stale_deals(3, owner_prefix="during")
    time.sleep(max(0.0, down_since + OUTAGE - time.monotonic()))
    assert "Cannot connect to" in worker.log() and worker.alive() and beat.alive()

    broker.start()
    assert broker.client().get("sentinel") is None  # an empty Redis: nothing survived
    runs = worker.log().count("succeeded in")

    wait_until(lambda: _all_emailed(celery, 6), timeout=60,
               what="the reminders due during the outage after the restart",
               logs=[worker, beat])
    # The same processes reconnected (nothing restarted them), and go on: beat sends its
    # ticks to the new Redis and the worker runs them (finding nothing more to do).
    wait_until(lambda: worker.log().count("succeeded in") >= runs + 3, timeout=30,
               what="further ticks to be sent and run after the restart",
               logs=[worker, beat])
    assert worker.alive() and beat.alive()
    assert worker.log().count(" ready.") == 1 and "Connected to redis" in worker.log()
    assert_each_reminder_once(celery, 6)
