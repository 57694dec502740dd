from django.contrib import admin

from plans.models import Plan, PlanSettings, PlanVersion


@admin.register(PlanSettings)
class PlanSettingsAdmin(admin.ModelAdmin):
    """The quarterly review's grace and escalation."""

    list_display = ("__str__", "review_grace_days", "escalate_after_days")

    def has_add_permission(self, request):
        return not PlanSettings.objects.exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Plans are written, submitted and decided through plans.services only (an edit of an
    approved plan makes it a draft again; a decision is never its submitter's): the admin
    lists and shows them, and people edit them on the plan's own page, which an
    administrator may open for any plan."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "owner", "status", "approved_at")
    list_filter = ("kind", "status")

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def has_delete_permission(self, request, obj=None):
        # Deleting a plan (with its versions) is an administrator's clean-up; it leaves
        # no plan looking approved that was not.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ("plan", "number", "submitted_by", "decision", "decided_by")
