"""Test-only Celery app for `celery -A tests.reliability.fastbeat beat`: OSP's app with the
reminder tasks scheduled every second instead of hourly, so a test can watch ticks lost
while the broker is down and the catch-up after it."""

from config.celery import app

app.conf.beat_schedule = {
    "selling-cycle-reminders": {
        "task": "opportunities.tasks.send_selling_cycle_reminders", "schedule": 1.0},
}

__all__ = ["app"]
