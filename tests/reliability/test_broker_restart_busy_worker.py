"""Issue #15 §6: Redis going away under a worker that is running a task.

The worker runs the reminder task, each e-mail taking a second, with two more tasks
queued behind it, when Redis is killed. Redis comes back a few seconds later with what
it held (an append-only file written before every answer, as the compose file's Redis
keeps). The worker must ride it out: finish the task it was running, reconnect by
itself, and run the queued ones, each task once, every reminder e-mailed exactly once.
"""

import time

import pytest

from tests.redis_server import RedisServer
from tests.reliability.conftest import assert_each_reminder_once, publish, stale_deals, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

TASK = "opportunities.tasks.send_selling_cycle_reminders"
OUTAGE = 3  # seconds; shorter than what is left of the running task


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"), persistent=True)
    server.start()
    yield server
    server.kill()


def _runs(worker, task_id) -> int:
    return worker.log().count(f"[{task_id}] succeeded")


def test_a_busy_worker_rides_out_a_broker_restart_and_runs_every_task_once(celery):
    broker = celery.broker
    stale_deals(6, owner_prefix="busy")
    worker = celery.worker("w1", seconds_per_email=1)
    running, *queued = [publish(broker, TASK) for _ in range(3)]
    wait_until(lambda: sum(celery.emails().values()) >= 1, timeout=30,
               what="the first task to be sending its e-mails", logs=[worker])

    broker.kill()
    time.sleep(OUTAGE)
    assert _runs(worker, running) == 0  # still at work: the broker went away under it
    broker.start()

    wait_until(lambda: all(_runs(worker, t) for t in (running, *queued)), timeout=45,
               what="every task to finish after the restart", logs=[worker])
    assert worker.alive() and "Unrecoverable error" not in worker.log()
    assert worker.log().count(" ready.") == 1  # the same process, reconnected
    assert "Connection to broker lost" in worker.log()
    # No copy of any task is left to run again: the finished ones were acknowledged.
    time.sleep(2)
    assert [_runs(worker, t) for t in (running, *queued)] == [1, 1, 1]
    redis = broker.client()
    assert redis.llen("celery") == 0 and redis.zcard("unacked_index") == 0
    assert_each_reminder_once(celery, 6)
