from django.contrib import admin, messages
from django.utils.translation import gettext as _

from opportunities import services
from opportunities.models import (
    Activity,
    ApprovalDecision,
    ApprovalRequest,
    AssessmentQuestion,
    Attestation,
    Competitor,
    DealPlanSettings,
    ExchangeRate,
    FinanceRecord,
    Opportunity,
    OpportunityPartner,
    OpportunityPlan,
    OpportunityTeamMember,
    Product,
    QuoteLine,
    QuoteVersion,
    RiskRuleSetting,
    SalesTool,
    StageCategory,
    StageChange,
    StepGuide,
)
from opportunities.selling_cycle import opportunity_recheck
from osp.admin import VersionedAdmin


class TeamInline(admin.TabularInline):
    model = OpportunityTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class PartnerInline(admin.TabularInline):
    model = OpportunityPartner
    extra = 0
    autocomplete_fields = ("partner",)


@admin.register(Opportunity)
class OpportunityAdmin(VersionedAdmin):
    list_display = ("name", "account", "owner", "stage", "amount", "currency",
                    "expected_close_date")
    list_select_related = ("account", "owner")
    list_filter = ("stage", "lead_source")
    search_fields = ("name", "account__name", "external_id")
    autocomplete_fields = ("account", "owner")
    # The stage is protected: only selling-cycle transitions change it, never the admin.
    readonly_fields = ("stage", "amount_base", "stage_entered_at", "flagged_criteria",
                       "loss_reason", "winning_competitor", "no_go_rationale")
    filter_horizontal = ("competitors",)
    inlines = [TeamInline, PartnerInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Team and partner inlines feed the gates (a reseller on the deal at stage 8).
        opportunity_recheck(opportunity=form.instance,
                            cause=_("%(who)s edited the opportunity in the admin")
                            % {"who": request.user})

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.OPPORTUNITY_FIELDS}
        if change:
            services.opportunity_update(
                opportunity=obj, user=request.user,
                expected_version=form.cleaned_data.get("opened_at_version"), **fields)
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


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    """History is append-only: the admin shows it and offers no way to change it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("opportunity", "from_stage", "to_stage", "how", "by", "at")
    list_filter = ("how", "to_stage")
    list_select_related = ("opportunity", "by")


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("opportunity", "criterion", "action", "contact", "occurred_on", "by")
    list_select_related = ("opportunity", "contact", "by")


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("request", "decision", "by", "at")
    list_select_related = ("request__opportunity", "by")


@admin.register(FinanceRecord)
class FinanceRecordAdmin(ReadOnlyHistoryAdmin):
    list_display = ("opportunity", "kind", "reference", "period", "by", "at")
    list_select_related = ("opportunity", "by")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyHistoryAdmin):
    # Decided through the approvals inbox (the service), never edited here.
    list_display = ("opportunity", "kind", "status", "requested_by", "approver", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("opportunity", "requested_by", "approver")


class SalesToolInline(admin.TabularInline):
    model = SalesTool
    extra = 1


@admin.register(StepGuide)
class StepGuideAdmin(admin.ModelAdmin):
    """The guidance shown at each step: one item a line, English and Chinese."""

    list_display = ("step", "title_en", "title_zh")
    inlines = [SalesToolInline]


class AppliesFromTheNextPlanVersion:
    """The depth thresholds and the question bank: each plan version keeps the rules it
    was written under (OpportunityPlan.record_rules_in_force), so a change here moves no
    deal now; the admin is told so once per save."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not getattr(request, "osp_told_next_plan_version", False):
            request.osp_told_next_plan_version = True
            self.message_user(request, _(
                "No deal moves because of this change: each deal keeps the rules its current "
                "plan version was written under. It applies from each deal's next plan "
                "version on."), messages.INFO)


@admin.register(DealPlanSettings)
class DealPlanSettingsAdmin(AppliesFromTheNextPlanVersion, admin.ModelAdmin):
    """How deep a plan a deal needs, by its amount."""

    list_display = ("__str__", "assessment_from", "tas_from")

    def has_add_permission(self, request):
        return not DealPlanSettings.objects.exists()


@admin.register(AssessmentQuestion)
class AssessmentQuestionAdmin(AppliesFromTheNextPlanVersion, admin.ModelAdmin):
    list_display = ("position", "heading", "text_en", "text_zh", "is_active")
    list_display_links = ("text_en",)
    list_editable = ("position", "is_active")
    list_filter = ("heading", "is_active")


@admin.register(OpportunityPlan)
class OpportunityPlanAdmin(admin.ModelAdmin):
    """The deal's plan versions, read-only: a version is written on the deal's plan page
    (opportunities.services.opportunity_plan_save), which rechecks the gate."""

    list_display = ("opportunity", "version", "author", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StageCategory)
class StageCategoryAdmin(admin.ModelAdmin):
    """Which forecast category each stage counts in, and its probability."""

    list_display = ("stage", "category", "probability")
    list_editable = ("category", "probability")


@admin.register(RiskRuleSetting)
class RiskRuleSettingAdmin(admin.ModelAdmin):
    list_display = ("code", "enabled", "days")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The price book. A product is never deleted once quoted (quote lines protect it):
    take it off sale with "active" instead."""

    list_display = ("code", "name_en", "name_zh", "list_price", "currency", "is_active")
    list_display_links = ("code",)
    list_editable = ("list_price", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("code", "name_en", "name_zh")
    ordering = ("code",)


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    can_delete = False
    fields = ("position", "product", "quantity", "list_price", "discount_percent", "line_total")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuoteVersion)
class QuoteVersionAdmin(ReadOnlyHistoryAdmin):
    """Quote versions as written, read-only: a revision is a new version, written on the
    deal's page or through the API."""

    list_display = ("quote", "number", "total", "currency", "valid_until", "author",
                    "created_at")
    list_select_related = ("quote__opportunity", "author")
    search_fields = ("quote__opportunity__name",)
    inlines = [QuoteLineInline]
