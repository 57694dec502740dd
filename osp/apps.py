from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OspConfig(AppConfig):
    name = "osp"
    verbose_name = _("OSP")

    def ready(self):
        # Imported here, as Django asks: they need the models loaded.
        from osp import access
        from osp.models import User

        # The people directory: everybody reads it to pick owners, managers and team
        # members; only admins change people.
        access.register(User)
