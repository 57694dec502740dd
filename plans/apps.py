from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self):
        # Imported here, as Django asks: the rules need the models loaded.
        from plans import rules, sections

        rules.register()
        sections.register()
