from django.contrib import admin

from forecasting.models import Quota


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "quarter", "user", "territory", "amount")
    list_filter = ("fiscal_year", "quarter")
    list_select_related = ("user", "territory")
