"""The Celery application: configuration from Django settings (CELERY_*), tasks
discovered in each app's tasks.py."""

import os
import warnings

from celery import Celery, signals
from celery.exceptions import CPendingDeprecationWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("osp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_after_setup.connect
def _keep_connection_losses_readable(**kwargs):
    # CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS is False on purpose (a task
    # running when the broker goes away finishes its work; being idempotent, a redelivered
    # copy does nothing twice), yet Celery warns about that choice at every lost connection,
    # in the middle of the log lines that matter. Its logging set-up turns such warnings
    # on, so this comes after it.
    warnings.filterwarnings("ignore", message=r"\s*In Celery 5\.1 we introduced an optional",
                            category=CPendingDeprecationWarning)
