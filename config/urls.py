from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views as accounts_views
from accounts.api import AccountViewSet, ContactViewSet, PartnerViewSet, TerritoryViewSet
from config import views as home_views
from forecasting import api as forecast_api
from forecasting import views as forecast_views
from opportunities import cycle_views, quote_views
from opportunities import views as opp_views
from opportunities.api import OpportunityViewSet
from opportunities.api_cycle import ApprovalViewSet
from osp import health, views
from osp.api import UserViewSet
from plans import views as plan_views
from plans.api import ActionItemViewSet, NotificationViewSet, PlanViewSet
from sync import api as sync_api

# No `.json`/`.api` twins of every route: the extra actions do not take the `format`
# argument, so each twin was a 500 (found by the permission matrix, issue #7).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("users", UserViewSet, basename="user")
router.register("territories", TerritoryViewSet, basename="territory")
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("partners", PartnerViewSet, basename="partner")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("plans", PlanViewSet, basename="plan")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("forecast/snapshots", forecast_api.SnapshotViewSet, basename="snapshot")
router.register("forecast/adjustments", forecast_api.AdjustmentViewSet, basename="adjustment")
router.register("forecast/quotas", forecast_api.QuotaViewSet, basename="quota")

api_urls = [
    path("sync/mapping/", sync_api.SyncMappingView.as_view(), name="sync-mapping"),
    path("sync/changes/", sync_api.SyncChangesView.as_view(), name="sync-changes"),
    path("sync/<str:type>/", sync_api.SyncListView.as_view(), name="sync-list"),
    path("sync/<str:type>/batch/", sync_api.SyncBatchView.as_view(), name="sync-batch"),
    path("sync/<str:type>/<str:source>/<str:external_id>/",
         sync_api.SyncRecordView.as_view(), name="sync-record"),
    path("forecast/", forecast_api.forecast, name="api-forecast"),
    path("forecast/export.xlsx", forecast_api.forecast_export, name="api-forecast-export"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
# Named so the board's script can find the transition endpoint without hard-coding it.
api_urls.insert(0, path("opportunities/<int:pk>/transition/",
                        OpportunityViewSet.as_view({"post": "transition"}),
                        name="opportunity-transition-api"))

urlpatterns = [
    path("", home_views.home, name="home"),
    path("health/", health.health, name="health"),
    path("notifications/", views.notifications, name="notifications"),
    path("away/", views.away, name="away"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    # Territories
    path("territories/", accounts_views.territory_list, name="territory-list"),
    path("territories/new/", accounts_views.territory_edit, name="territory-create"),
    path("territories/<int:pk>/", accounts_views.territory_detail, name="territory-detail"),
    path("territories/<int:pk>/edit/", accounts_views.territory_edit, name="territory-edit"),
    # Accounts and their contacts
    path("accounts/", accounts_views.account_list, name="account-list"),
    path("accounts/new/", accounts_views.account_edit, name="account-create"),
    path("accounts/<int:pk>/", accounts_views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", accounts_views.account_edit, name="account-edit"),
    path("accounts/<int:pk>/delete/", accounts_views.account_delete, name="account-delete"),
    path("accounts/<int:account_pk>/contacts/new/", accounts_views.contact_create,
         name="account-contact-create"),
    path("accounts/<int:account_pk>/opportunities/new/", opp_views.opportunity_edit,
         name="account-opportunity-create"),
    path("contacts/", accounts_views.contact_list, name="contact-list"),
    path("contacts/<int:pk>/", accounts_views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", accounts_views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", accounts_views.contact_delete, name="contact-delete"),
    # Partners
    path("partners/", accounts_views.partner_list, name="partner-list"),
    path("partners/new/", accounts_views.partner_edit, name="partner-create"),
    path("partners/<int:pk>/", accounts_views.partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", accounts_views.partner_edit, name="partner-edit"),
    path("partners/<int:partner_pk>/contacts/new/", accounts_views.contact_create,
         name="partner-contact-create"),
    # Opportunities
    path("opportunities/", opp_views.opportunity_list, name="opportunity-list"),
    path("opportunities/new/", opp_views.opportunity_edit, name="opportunity-create"),
    path("opportunities/<int:pk>/", opp_views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/edit/", opp_views.opportunity_edit, name="opportunity-edit"),
    path("opportunities/<int:pk>/delete/", opp_views.opportunity_delete,
         name="opportunity-delete"),
    path("opportunities/<int:pk>/team/", opp_views.team_add, name="opportunity-team-add"),
    path("opportunities/<int:pk>/team/<int:user_pk>/remove/", opp_views.team_remove,
         name="opportunity-team-remove"),
    path("opportunities/<int:pk>/partners/", opp_views.partner_add,
         name="opportunity-partner-add"),
    path("opportunities/<int:pk>/partners/<int:link_pk>/remove/", opp_views.partner_remove,
         name="opportunity-partner-remove"),
    path("opportunities/<int:pk>/activities/", opp_views.activity_add,
         name="opportunity-activity-add"),
    # The selling cycle
    path("opportunities/board/", cycle_views.board, name="opportunity-board"),
    path("opportunities/<int:pk>/transition/", cycle_views.transition,
         name="opportunity-transition"),
    path("opportunities/<int:pk>/attest/", cycle_views.attest, name="opportunity-attest"),
    path("opportunities/<int:pk>/withdraw/", cycle_views.withdraw, name="opportunity-withdraw"),
    path("opportunities/<int:pk>/go/", cycle_views.go_decision, name="opportunity-go"),
    path("opportunities/<int:pk>/approvals/", cycle_views.approval_request,
         name="opportunity-approval-request"),
    path("opportunities/<int:pk>/plan/", cycle_views.plan_edit, name="opportunity-plan"),
    path("opportunities/<int:pk>/quote/", quote_views.quote_history, name="opportunity-quote"),
    path("opportunities/<int:pk>/quote/new/", quote_views.quote_new,
         name="opportunity-quote-new"),
    path("opportunities/<int:pk>/quote/<int:number>/", quote_views.quote_print,
         name="opportunity-quote-print"),
    path("opportunities/<int:pk>/quote/<int:number>/accept/", quote_views.quote_accept,
         name="opportunity-quote-accept"),
    path("opportunities/<int:pk>/win-loss/", cycle_views.win_loss, name="opportunity-win-loss"),
    path("opportunities/<int:pk>/handover/", cycle_views.handover, name="opportunity-handover"),
    path("opportunities/<int:pk>/evidence/<int:attestation_pk>/", cycle_views.evidence_file,
         name="attestation-evidence"),
    path("sales-tools/<int:pk>/", cycle_views.sales_tool_file, name="sales-tool-file"),
    path("approvals/", cycle_views.approvals_inbox, name="approvals-inbox"),
    path("approvals/<int:approval_pk>/decide/", cycle_views.approval_decide,
         name="approval-decide"),
    path("finance/", cycle_views.finance_inbox, name="finance-inbox"),
    # Forecast
    path("forecast/", forecast_views.forecast_page, name="forecast"),
    path("forecast/adjust/", forecast_views.adjust, name="forecast-adjust"),
    path("forecast/snapshot/", forecast_views.take_snapshot, name="forecast-snapshot"),
    path("forecast/export.xlsx", forecast_views.export, name="forecast-export"),
    # Plans
    path("plans/", plan_views.plan_list, name="plan-list"),
    path("plans/new/", plan_views.plan_create, name="plan-create"),
    path("plans/subjects/", plan_views.plan_subjects, name="plan-subjects"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/submit/", plan_views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/decide/", plan_views.plan_decide, name="plan-decide"),
    path("plans/<int:pk>/compare/", plan_views.plan_compare, name="plan-compare"),
    path("plans/<int:pk>/action-items/", plan_views.action_item_add, name="plan-action-add"),
    path("opportunities/<int:pk>/action-items/", plan_views.opportunity_action_add,
         name="opportunity-action-add"),
    path("action-items/<int:item_pk>/done/", plan_views.action_item_toggle,
         name="action-item-toggle"),
    path("opportunities/<int:pk>/assessment/", cycle_views.assessment,
         name="opportunity-assessment"),
]
handler404 = "osp.api.not_found"
handler500 = "osp.views.server_error"
