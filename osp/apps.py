from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OspConfig(AppConfig):
    name = "osp"
    verbose_name = _("OSP")
