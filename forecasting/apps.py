from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = _("Forecasting")

    def ready(self):
        # Imported here, as Django asks: the section reads the models.
        from forecasting import sections

        sections.register()
