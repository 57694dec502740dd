"""Issue #7: a worker killed mid-task loses no reminder and sends none twice.

A real worker (prefork, one pool process) runs the selling-cycle reminder task over six
due reminders. The test e-mail backend stops just before the 3rd e-mail, so the worker is
caught mid-task: reminders 1-2 recorded and e-mailed, the 3rd recorded with its e-mail
being sent (its row locked), 4-6 not yet recorded. Then it is SIGKILLed, and the
redelivered task must finish the job with every reminder recorded once and e-mailed once.
"""

import os
import signal
import time

import pytest

from osp.models import Notification, ReminderSent
from tests.reliability.conftest import assert_each_reminder_once, publish, stale_deals, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

TASK = "opportunities.tasks.send_selling_cycle_reminders"


def _caught_mid_task(celery, worker) -> int:
    pid = wait_until(lambda: celery.paused_pid, timeout=30,
                     what="the task to reach its 3rd e-mail", logs=[worker])
    assert ReminderSent.objects.count() == 3 and Notification.objects.count() == 3
    assert ReminderSent.objects.filter(emailed_at__isnull=False).count() == 2
    assert sum(celery.emails().values()) == 2
    return pid


def _finished(worker) -> bool:
    return f"{TASK}[" in worker.log() and "succeeded in" in worker.log()


def test_a_pool_process_killed_mid_task_is_rerun_and_sends_each_reminder_once(celery):
    stale_deals(6, owner_prefix="kid")
    worker = celery.worker("w1", pause_at_email=3)
    publish(celery.broker, TASK)
    pool_process = _caught_mid_task(celery, worker)
    assert pool_process != worker.pid

    os.kill(pool_process, signal.SIGKILL)

    # The main process sees its child die, gives the message back (acks_late and
    # reject_on_worker_lost), and a new pool process runs the task again from the start.
    wait_until(lambda: _finished(worker), timeout=30, what="the rerun to succeed",
               logs=[worker])
    assert "WorkerLostError" in worker.log() and worker.alive()
    assert_each_reminder_once(celery, 6)


VISIBILITY_TIMEOUT = 3


def test_a_whole_worker_killed_mid_task_leaves_the_task_to_the_next_worker(celery):
    stale_deals(6, owner_prefix="all")
    first = celery.worker("w1", visibility_timeout=VISIBILITY_TIMEOUT, pause_at_email=3)
    publish(celery.broker, TASK)
    _caught_mid_task(celery, first)

    first.kill()  # main process and pool process at once: nobody is left to give it back

    # The message is neither lost nor acknowledged: Redis holds it as unacknowledged, and
    # it becomes visible again once the visibility timeout has run out.
    redis = celery.broker.client()
    [(_tag, delivered_at)] = redis.zrange("unacked_index", 0, -1, withscores=True)
    assert redis.llen("celery") == 0
    wait_until(lambda: time.time() > delivered_at + VISIBILITY_TIMEOUT + 0.5,
               timeout=VISIBILITY_TIMEOUT + 5, what="the visibility timeout to run out")

    second = celery.worker("w2", visibility_timeout=VISIBILITY_TIMEOUT)
    wait_until(lambda: _finished(second), timeout=30,
               what="the next worker to take the task up and finish it", logs=[first, second])
    assert_each_reminder_once(celery, 6)
    assert redis.zcard("unacked_index") == 0 and redis.llen("celery") == 0
