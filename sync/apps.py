from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("Sync")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sync import auth, feed  # noqa: F401  (auth registers its OpenAPI scheme)

        feed.connect_signals()
