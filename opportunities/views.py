"""Browser pages for opportunities. Thin: fetch through osp.access, write through
opportunities.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Account
from opportunities import cycle_views, selectors, services
from opportunities.forms import (
    ActivityForm,
    DealPartnerForm,
    HandoverForm,
    OpportunityFilter,
    OpportunityForm,
    TeamMemberForm,
    WinLossForm,
)
from opportunities.models import (
    FINISHED_STAGES,
    STEP_FOR_STAGE,
    Opportunity,
    ResourceType,
    stage_label_of,
)
from opportunities.risks import opportunity_risks
from osp import access, permissions
from osp.models import User
from osp.pages import Column, ListPage, delete_page, form_page, page_sections, record_url

LIST_ROW = ["pk", "name", "stage", "amount", "currency", "amount_base", "expected_close_date",
            "account_id", "account__name", "owner__first_name", "owner__last_name",
            "owner__username"]


def _list_rows(rows):
    """The list's rows (dicts of LIST_ROW) with what the row template shows besides the
    columns: the deal's and its account's addresses, the stage's label, the owner's name.
    Worked out here once a page (one reverse() for every row's link, a stage's label once)."""
    deal_url, account_url = record_url("opportunity-detail"), record_url("account-detail")
    labels = {}
    for row in rows:
        stage = row["stage"]
        if stage not in labels:
            labels[stage] = str(stage_label_of(stage))
        row.update(url=deal_url(row["pk"]), account_url=account_url(row["account_id"]),
                   stage_label=labels[stage],
                   owner_name=User.display_name(row["owner__first_name"],
                                                row["owner__last_name"], row["owner__username"]))
    return rows


@login_required
def opportunity_list(request):
    # Only what a row shows (opportunities/jinja2/opportunities/list_rows.html), as plain
    # rows: a deal, its account and owner as model instances cost more than the query.
    qs = access.visible_to(request.user, Opportunity)
    page = ListPage(request, qs, columns=[
        Column("name", gettext_lazy("Opportunity"), "name"),
        Column("account", gettext_lazy("Account"), "account__name"),
        Column("stage", gettext_lazy("Stage"), "stage"),
        Column("amount", gettext_lazy("Amount"), "amount_base"),
        Column("close", gettext_lazy("Expected close"), "expected_close_date"),
        Column("owner", gettext_lazy("Owner"), "owner__last_name"),
    ], search_fields=["name", "account__name"], filterset_class=OpportunityFilter,
        default_sort="close", keyset=True,  # a manager sees tens of thousands
        values=tuple(LIST_ROW))
    context = page.context()
    context["rows_html"] = render_to_string(
        "opportunities/list_rows.html",
        {"rows": _list_rows(context["rows"]), "base_currency": settings.OSP_BASE_CURRENCY},
        using="jinja2")
    return page.render("opportunities/opportunity_list.html", {
        **context, "can_create": permissions.can_create(request.user, Opportunity)})


def _get(request, pk):
    return access.get_visible_or_404(
        request.user, Opportunity, pk,
        Opportunity.objects.select_related("account", "owner").prefetch_related(
            "team_members__user", "deal_partners__partner", "competitors"))



@login_required
def opportunity_detail(request, pk):
    opportunity = _get(request, pk)
    panel = selectors.stage_panel(opportunity, request.user)
    return render(request, "opportunities/opportunity_detail.html", {
        "opportunity": opportunity,
        "panel": panel,
        "quote": selectors.quote_of(opportunity),
        "can_quote": panel["can_change"] and opportunity.stage not in FINISHED_STAGES,
        "guide": selectors.step_guide(STEP_FOR_STAGE[opportunity.stage]),
        "timeline": selectors.timeline(opportunity),
        "approvals": opportunity.approval_requests.select_related("approver", "requested_by")
        .order_by("-created_at")[:20],
        "attest_contacts": cycle_views.contacts_for_attestation(opportunity).distinct(),
        "plan": opportunity.plans.order_by("-version").first(),
        "activities": opportunity.activities.select_related("author")[:50],
        "risks": opportunity_risks(opportunity),
        "app_sections": page_sections("opportunity", request, opportunity),
        "can_change": panel["can_change"],
        "team_form": TeamMemberForm(),
        "partner_form": DealPartnerForm(),
        "activity_form": ActivityForm(initial={"occurred_on": timezone.localdate()}),
        "win_loss_form": WinLossForm(),
        "handover_form": HandoverForm(),
        "resource_types": ResourceType.choices,
        "today": timezone.localdate(),
    })


@login_required
def opportunity_edit(request, pk=None, account_pk=None):
    if pk:
        opportunity = _get(request, pk)
        permissions.require_change(request.user, opportunity)
    else:
        opportunity, account = Opportunity(), None
        if account_pk:
            account = access.get_visible_or_404(request.user, Account, account_pk)
            opportunity.account = account
        permissions.require_add(request.user, Opportunity, account)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)

    def save(_data):
        if pk:
            return services.opportunity_update(opportunity=opportunity, user=request.user,
                                               **form.service_kwargs())
        return services.opportunity_create(user=request.user, **form.service_kwargs())

    return form_page(request, form=form, save=save, template="record_form.html",
                     context={"object": opportunity, "kind": Opportunity._meta.verbose_name,
                              "cancel_url": opportunity.get_absolute_url() if pk
                              else reverse("opportunity-list")},
                     success_message=_("Opportunity %(name)s was saved."))


@login_required
def opportunity_delete(request, pk):
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    return delete_page(request, obj=opportunity, success_url=reverse("opportunity-list"),
                       consequences=[_("Its team, partners and activities are deleted with "
                                       "it.")])


def _change_related(request, opportunity, **lists):
    try:
        services.opportunity_update(opportunity=opportunity, user=request.user, **lists)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    if not access.visible_to(request.user, Opportunity).filter(pk=opportunity.pk).exists():
        # Someone who took themselves off the team: done, and the deal is no longer theirs
        # to see.
        messages.success(request, _("You are no longer on the team of %(name)s.")
                         % {"name": opportunity})
        return redirect("opportunity-list")
    return redirect(opportunity)


@login_required
@require_POST
def team_add(request, pk):
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague and a role."))
        return redirect(opportunity)
    team = [{"user": m.user, "role": m.role} for m in opportunity.team_members.all()
            if m.user != form.cleaned_data["user"]]
    return _change_related(request, opportunity, team=[*team, form.cleaned_data])


@login_required
@require_POST
def team_remove(request, pk, user_pk):
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    team = [{"user": m.user, "role": m.role} for m in opportunity.team_members.all()
            if m.user_id != user_pk]
    return _change_related(request, opportunity, team=team)


@login_required
@require_POST
def partner_add(request, pk):
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    form = DealPartnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a partner and its role on the deal."))
        return redirect(opportunity)
    partners = [{"partner": p.partner, "role": p.role} for p in opportunity.deal_partners.all()]
    if any(p == form.cleaned_data for p in partners):
        return redirect(opportunity)
    return _change_related(request, opportunity, partners=[*partners, form.cleaned_data])


@login_required
@require_POST
def partner_remove(request, pk, link_pk):
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    partners = [{"partner": p.partner, "role": p.role} for p in opportunity.deal_partners.all()
                if p.pk != link_pk]
    return _change_related(request, opportunity, partners=partners)


@login_required
@require_POST
def activity_add(request, pk):
    opportunity = _get(request, pk)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_log(opportunity=opportunity, user=request.user,
                                  **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Activity recorded."))
    else:
        messages.error(request, _("An activity needs a date and a subject."))
    return redirect(opportunity)
