from django.contrib import admin

from forecasting.models import ForecastAdjustment, Quota


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "quarter", "user", "territory", "amount")
    list_filter = ("fiscal_year", "quarter")
    list_select_related = ("user", "territory")


@admin.register(ForecastAdjustment)
class ForecastAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("subject", "period", "category", "amount", "manager", "created_at")

    def has_change_permission(self, request, obj=None):
        return False
