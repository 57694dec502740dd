from django.contrib import admin

from plans.models import Plan, PlanSettings, PlanVersion


@admin.register(PlanSettings)
class PlanSettingsAdmin(admin.ModelAdmin):
    """The quarterly review's grace and escalation."""

    list_display = ("__str__", "review_grace_days", "escalate_after_days")

    def has_add_permission(self, request):
        return not PlanSettings.objects.exists()


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "status", "approved_at")
    list_filter = ("kind", "status")
    readonly_fields = ("status", "approved_at")  # moved by submit/approve, not by hand


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "submitted_by", "decision", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
