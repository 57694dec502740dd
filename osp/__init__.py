"""OSP project package: settings, URLs, the Celery app, users and their roles, and the
one place that decides who may see and change what (`osp.access`)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
