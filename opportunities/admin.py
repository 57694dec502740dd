from django.contrib import admin

from opportunities import services
from opportunities.models import (
    Activity,
    Competitor,
    ExchangeRate,
    Opportunity,
    OpportunityPartner,
    OpportunityTeamMember,
)


class TeamInline(admin.TabularInline):
    model = OpportunityTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class PartnerInline(admin.TabularInline):
    model = OpportunityPartner
    extra = 0
    autocomplete_fields = ("partner",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "owner", "stage", "amount", "currency",
                    "expected_close_date")
    list_select_related = ("account", "owner")
    list_filter = ("stage", "lead_source")
    search_fields = ("name", "account__name", "external_id")
    autocomplete_fields = ("account", "owner")
    # The stage is protected: only selling-cycle transitions change it, never the admin.
    readonly_fields = ("stage", "amount_base")
    filter_horizontal = ("competitors",)
    inlines = [TeamInline, PartnerInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.OPPORTUNITY_FIELDS}
        if change:
            services.opportunity_update(opportunity=obj, user=request.user, **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in form.cleaned_data
                      if name in services.OPPORTUNITY_FIELDS}
            new = services.opportunity_create(user=request.user, **fields)
            obj.pk = new.pk
            obj._state.adding = False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate_to_base", "updated_at")


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("subject", "opportunity", "kind", "occurred_on", "author")
    list_select_related = ("opportunity", "author")
    autocomplete_fields = ("opportunity", "author")
