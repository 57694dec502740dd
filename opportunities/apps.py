from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self):
        # Imported here, as Django asks: the rules and services need the models loaded.
        from opportunities import rules, sections, selling_cycle

        rules.register()
        sections.register()
        selling_cycle.connect_signals()
