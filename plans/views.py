"""Browser pages for plans. Thin: fetch through osp.access, write through plans.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Account, Contact, Partner, Territory
from opportunities.models import Opportunity
from osp import access, permissions
from osp.concurrency import StaleRecord
from osp.pages import Column, ListPage, page_sections, redirect_next
from osp.validators import has_null_character
from plans import selectors, services
from plans.forms import ActionItemForm, PlanForm
from plans.models import (
    PLAN_SECTIONS,
    ActionItem,
    Plan,
    PlanKind,
    PlanStatus,
    PlanVersion,
)

REVIEW_LABELS = {"reviewed": gettext_lazy("reviewed this quarter"),
                 "due": gettext_lazy("review due"),
                 "overdue": gettext_lazy("review overdue")}


def _get(request, pk):
    return access.get_visible_or_404(
        request.user, Plan, pk,
        Plan.objects.select_related("owner__manager", "territory", "account", "partner"))


@login_required
def plan_list(request):
    qs = access.visible_to(request.user, Plan).select_related("owner", "territory", "account",
                                                              "partner")
    page = ListPage(request, qs, columns=[
        Column("kind", gettext_lazy("Plan"), "kind"), Column("subject", gettext_lazy("For")),
        Column("owner", gettext_lazy("Owner"), "owner__last_name"),
        Column("status", gettext_lazy("Status"), "status"),
        Column("approved", gettext_lazy("Last approved"), "approved_at"),
        Column("review", gettext_lazy("Quarterly review")),
    ], search_fields=["territory__name", "account__name", "partner__name"],
        default_sort="kind")
    context = page.context()
    for plan in context["rows"]:
        state = services.plan_review_state(plan)
        plan.review_state, plan.review_label = state, REVIEW_LABELS[state]
    user = request.user
    context.update(_plan_subjects(user, "territory", ""))
    context["waiting"] = qs.filter(status=PlanStatus.SUBMITTED).exclude(owner=user)
    return page.render("plans/plan_list.html", context)


SUBJECTS_SHOWN = 100


def _plan_subjects(user, kind: str, query: str) -> dict:
    """What `user` may start a plan for, of each kind: the records they own (or their team
    owns) that have no plan yet, by name, the first SUBJECTS_SHOWN matching `query`. A
    director owns tens of thousands of accounts: a search narrows them instead of a
    select of all of them."""
    # Listed: what their scope owns. (Who may start one is the service's to say,
    # permissions.can_change on the record; an account is also changed by its territory's
    # owner, whose search would list those accounts too many to show.)
    scope = access.scope_user_ids(user)
    choices = {
        "territory": access.visible_to(user, Territory).exclude(plans__kind="territory"),
        "account": access.visible_to(user, Account).exclude(plans__kind="account"),
        "partner": access.visible_to(user, Partner).exclude(plans__kind="partner"),
    }
    subjects = []
    for name, qs in choices.items():
        qs = qs.filter(owner_id__in=scope).order_by("name", "pk")
        if has_null_character(query):  # no name holds one, and PostgreSQL refuses it
            qs = qs.none()
        elif query:
            qs = qs.filter(name__icontains=query)
        shown = list(qs.only("pk", "name")[:SUBJECTS_SHOWN + 1])
        subjects.append({"kind": name, "records": shown[:SUBJECTS_SHOWN],
                         "more": len(shown) > SUBJECTS_SHOWN, "shown": name == kind})
    return {"subjects": subjects, "subject_query": query, "shown_count": SUBJECTS_SHOWN}


@login_required
def plan_subjects(request):
    """The subject selects of the plan list's "start a plan" form, narrowed by a search."""
    kind = request.GET.get("kind", "territory")
    query = request.GET.get("subject_q", "").strip()
    context = _plan_subjects(request.user, kind if kind in PlanKind.values else "territory",
                             query)
    return render(request, "plans/plan_list.html#subjects", context,
                  status=400 if has_null_character(query) else 200)


@login_required
@require_POST
def plan_create(request):
    kind = request.POST.get("kind", "")
    model = {"territory": Territory, "account": Account, "partner": Partner}.get(kind)
    if model is None:
        messages.error(request, _("Choose what to plan for."))
        return redirect("plan-list")
    subject = access.get_visible_or_404(request.user, model, request.POST.get("subject"))
    try:
        plan = services.plan_create(user=request.user, kind=kind, subject=subject)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("plan-list")
    return redirect("plan-edit", plan.pk)


def _contacts_for(plan):
    if plan.kind == PlanKind.ACCOUNT:
        return plan.account.contacts.all()
    if plan.kind == PlanKind.PARTNER:
        return plan.partner.contacts.all()
    return Contact.objects.none()


def _pending_submitter(versions):
    pending = [v for v in versions if v.decision == PlanVersion.Decision.PENDING]
    return max(pending, key=lambda v: v.number).submitted_by if pending else None


@login_required
def plan_detail(request, pk):
    plan = _get(request, pk)
    user = request.user
    item_form = ActionItemForm()
    item_form.fields["contact"].queryset = _contacts_for(plan)
    versions = list(plan.versions.select_related("submitted_by", "decided_by"))
    can_write = permissions.can_change(user, plan)
    return render(request, "plans/plan_detail.html", {
        "plan": plan,
        "sections": [(PLAN_SECTIONS[n], plan.sections.get(n, "")) for n in plan.section_names()],
        "overview": selectors.plan_overview(plan),
        "app_sections": page_sections("plan", request, plan),
        "versions": versions,
        "review_state": services.plan_review_state(plan),
        "review_label": REVIEW_LABELS[services.plan_review_state(plan)],
        "items": plan.action_items.select_related("assignee", "contact"),
        "item_form": item_form,
        "can_write": can_write,
        "today": timezone.localdate(),
        "can_decide": (plan.status == PlanStatus.SUBMITTED and permissions.can_decide_plan(
            user, plan, submitted_by=_pending_submitter(versions))),
    })


@login_required
def plan_edit(request, pk):
    plan = _get(request, pk)
    if not permissions.can_change(request.user, plan):
        raise PermissionDenied(_("Only the plan's owner (or their manager) changes it."))
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = data.pop("fiscal_year_target", None)
        expected = data.pop("expected_version", None)
        was = plan.status
        try:
            services.plan_save(plan=plan, user=request.user, sections=data,
                               fiscal_year_target=target, expected_version=expected)
        except StaleRecord as e:  # edited by someone else since the form was opened
            form.show_conflict(e)
        else:
            if was != PlanStatus.DRAFT:
                messages.warning(request,
                                 _("The plan is a draft again: submit it for approval."))
            else:
                messages.success(request, _("Saved."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"plan": plan, "form": form})


@login_required
@require_POST
def plan_submit(request, pk):
    plan = _get(request, pk)
    try:
        version = services.plan_submit(plan=plan, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Version %(n)d submitted to your manager.")
                         % {"n": version.number})
    return redirect(plan)


@login_required
@require_POST
def plan_decide(request, pk):
    plan = _get(request, pk)
    try:
        services.plan_decide(plan=plan, user=request.user,
                             approve=request.POST.get("decision") == "approve",
                             comment=request.POST.get("comment", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(plan)


@login_required
def plan_compare(request, pk):
    plan = _get(request, pk)
    versions = plan.versions.all()
    a = get_object_or_404(versions, number=request.GET.get("a") or 0)
    b = get_object_or_404(versions, number=request.GET.get("b") or 0)
    return render(request, "plans/plan_compare.html", {
        "plan": plan, "a": a, "b": b, "rows": selectors.compare_versions(a, b),
        "versions": versions})


@login_required
@require_POST
def action_item_add(request, pk):
    plan = _get(request, pk)
    return _add_action_item(request, plan, _contacts_for(plan), plan=plan)


def _add_action_item(request, parent, contacts, **on):
    form = ActionItemForm(request.POST)
    form.fields["contact"].queryset = contacts
    if form.is_valid():
        try:
            services.action_item_add(user=request.user, **on, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, _("An action item needs what, who and when."))
    return redirect(parent)


@login_required
@require_POST
def opportunity_action_add(request, pk):
    opportunity = access.get_visible_or_404(request.user, Opportunity, pk)
    return _add_action_item(request, opportunity, opportunity.account.contacts.all(),
                            opportunity=opportunity)


@login_required
@require_POST
def action_item_toggle(request, item_pk):
    item = get_object_or_404(ActionItem.objects.select_related("plan", "opportunity"),
                             pk=item_pk)
    parent = item.plan or item.opportunity
    access.get_visible_or_404(request.user, type(parent), parent.pk)
    services.action_item_set_done(user=request.user, item=item,
                                  done=request.POST.get("done") == "1")
    return redirect_next(request, parent)
