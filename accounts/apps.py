from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Territories, accounts and partners")

    def ready(self):
        # Imported here, as Django asks: the rules need the models loaded.
        from accounts import rules

        rules.register()
