"""The project: settings, URLs, the Celery app, WSGI, the home page and the context
processor of every page. Everything here may use every app; no app imports it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
