from django.contrib import admin
from django.utils.translation import gettext as _

from accounts.forms import FlagChangeConfirmation
from accounts.models import Account, Contact, Partner, Territory
from accounts.services import flag_change_cause
from accounts.signals import FLAGS, announce_flag_change, announce_org_chart_change
from osp.admin import VersionedAdmin, VersionedAdminForm


def _recheck(request, account):
    # The org chart feeds the stage-2 and stage-4 gates: admin edits count like any other.
    announce_org_chart_change(account, _("%(who)s edited the account's contacts in the admin")
                              % {"who": request.user})


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "owner")
    list_select_related = ("parent", "owner")
    search_fields = ("name",)
    autocomplete_fields = ("parent", "owner")


class ContactInline(admin.TabularInline):
    model = Contact
    fk_name = "account"
    fields = ("first_name", "last_name", "title", "buying_role", "influence", "attitude",
              "reports_to")
    extra = 0
    show_change_link = True


class AccountAdminForm(FlagChangeConfirmation, VersionedAdminForm):
    """The admin asks, as the app does, before a named/strategic change moves deals."""


@admin.register(Account)
class AccountAdmin(VersionedAdmin):
    form = AccountAdminForm
    change_form_template = "admin/accounts/account/change_form.html"
    list_display = ("name", "territory", "owner", "industry", "is_named", "is_strategic")
    list_select_related = ("territory", "owner")
    list_filter = ("industry", "is_named", "is_strategic")
    search_fields = ("name", "external_id")
    autocomplete_fields = ("territory", "owner")
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and any(f in form.changed_data for f in FLAGS):
            # The deals are rechecked at once, with the reason the admin gave.
            announce_flag_change(obj, flag_change_cause(
                request.user, obj, form.cleaned_data.get("flags_reason", "")))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _recheck(request, form.instance)


@admin.register(Partner)
class PartnerAdmin(VersionedAdmin):
    list_display = ("name", "type", "owner")
    list_select_related = ("owner",)
    list_filter = ("type",)
    search_fields = ("name", "external_id")
    autocomplete_fields = ("owner",)


@admin.register(Contact)
class ContactAdmin(VersionedAdmin):
    list_display = ("__str__", "title", "account", "partner", "buying_role")
    list_select_related = ("account", "partner")
    list_filter = ("buying_role",)
    search_fields = ("first_name", "last_name", "email", "external_id")
    autocomplete_fields = ("account", "partner", "reports_to")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _recheck(request, obj.account)

    def delete_model(self, request, obj):
        account = obj.account
        super().delete_model(request, obj)
        _recheck(request, account)
