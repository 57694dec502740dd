from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sync import services
from sync.models import IntegrationClient


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    """Integration clients. The token is shown once, when the client is created or its
    token replaced; only its hash is kept."""

    list_display = ["name", "user", "requests_per_minute", "created_at", "last_used_at",
                    "revoked_at"]
    readonly_fields = ["key", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "requests_per_minute", *readonly_fields]
    actions = ["revoke", "rotate"]
    search_fields = ["name", "user__username"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        token = obj.issue_token()
        obj.save()
        self._show_token(request, obj, token)

    def _show_token(self, request, client, token):
        messages.warning(request, _("Token for %(client)s (copy it now, it is not shown "
                                    "again): %(token)s") % {"client": client, "token": token})

    @admin.action(description=gettext_lazy("Revoke the token"))
    def revoke(self, request, queryset):
        for client in queryset:
            services.integration_client_revoke(client=client)
        messages.success(request, _("Revoked."))

    @admin.action(description=gettext_lazy("Issue a new token (the old one stops working)"))
    def rotate(self, request, queryset):
        for client in queryset:
            self._show_token(request, client, services.integration_client_rotate(client=client))
