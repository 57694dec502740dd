"""Browser pages of the selling cycle: stage moves, attestations, approvals, the pipeline
board, the approvals and finance inboxes, the opportunity plan, and closing the loop.
Thin: each fetches through osp.access and calls one selling-cycle service."""

import django_fsm as fsm
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Contact
from opportunities import selectors, selling_cycle, services
from opportunities.forms import DealPlanForm, HandoverForm, WinLossForm
from opportunities.models import (
    REQUIRED_SECTIONS,
    SECTIONS,
    Answer,
    ApprovalRequest,
    ApprovalStatus,
    AssessmentHeading,
    AssessmentQuestion,
    Opportunity,
    PlanDepth,
    SalesTool,
    required_depth,
)
from opportunities.risks import risk_flags
from osp import access, permissions
from osp.concurrency import StaleRecord
from osp.expressions import InValues
from osp.models import User
from osp.pages import record_url, redirect_next


def _get(request, pk):
    return access.get_visible_or_404(
        request.user, Opportunity, pk,
        Opportunity.objects.select_related("account", "owner__manager"))


def _refusal(request, error: selling_cycle.GateClosed):
    if error.unmet:
        messages.error(request, render_to_string("opportunities/_refusal_message.html",
                                                 {"error": error}))
    else:
        messages.error(request, error.message)


def _errors(request, error: ValidationError):
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def transition(request, pk):
    opportunity = _get(request, pk)
    post = request.POST
    try:
        outcome = selling_cycle.opportunity_transition(
            opportunity=opportunity, user=request.user, to=post.get("to", ""),
            reason=post.get("reason", ""), expected_stage=post.get("from") or None,
            loss_reason=post.get("loss_reason", ""),
            winning_competitor=post.get("winning_competitor", ""),
            finance={"reference": post.get("reference", ""), "period": post.get("period", "")})
    except selling_cycle.GateClosed as e:
        _refusal(request, e)
    except fsm.ConcurrentTransition as e:
        messages.error(request, str(e))
    except ValidationError as e:
        _errors(request, e)
    else:
        if outcome.moved:
            messages.success(request, _("Moved to %(stage)s.") % {
                "stage": outcome.opportunity.get_stage_display()})
        elif outcome.approval is not None:
            messages.info(request, _("Your manager's approval is needed: the request is "
                                     "waiting for %(approver)s.") % {
                "approver": outcome.approval.approver})
    return redirect(opportunity)


@login_required
@require_POST
def attest(request, pk):
    opportunity = _get(request, pk)
    contact_pk = request.POST.get("contact", "")
    contact = (access.visible_to(request.user, Contact).filter(pk=contact_pk).first()
               if contact_pk.isdecimal() else None)
    try:
        date = forms.DateField(required=False).clean(request.POST.get("date") or None)
        selling_cycle.criterion_attest(
            opportunity=opportunity, user=request.user, code=request.POST.get("criterion", ""),
            note=request.POST.get("note", ""), contact=contact, occurred_on=date,
            evidence_url=request.POST.get("evidence_url", ""),
            evidence_file=request.FILES.get("evidence_file"))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Confirmation recorded."))
    return redirect(opportunity)


@login_required
@require_POST
def go_decision(request, pk):
    opportunity = _get(request, pk)
    try:
        selling_cycle.go_decision_record(opportunity=opportunity, user=request.user,
                                         rationale=request.POST.get("rationale", ""))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Go decision recorded."))
    return redirect(opportunity)


@login_required
@require_POST
def withdraw(request, pk):
    opportunity = _get(request, pk)
    try:
        selling_cycle.criterion_withdraw(opportunity=opportunity, user=request.user,
                                         code=request.POST.get("criterion", ""),
                                         note=request.POST.get("note", ""))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Confirmation withdrawn."))
    return redirect(opportunity)


@login_required
@require_POST
def approval_request(request, pk):
    opportunity = _get(request, pk)
    try:
        meeting = forms.DateField(required=False).clean(request.POST.get("meeting_date")
                                                        or None)
        approval = selling_cycle.approval_request(
            opportunity=opportunity, user=request.user, kind=request.POST.get("kind", ""),
            comment=request.POST.get("comment", ""),
            resource_type=request.POST.get("resource_type", ""), meeting_date=meeting)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Request sent to %(approver)s.") % {
            "approver": approval.approver})
        if approval.short_notice:
            messages.warning(request, _("The meeting is less than two weeks away: the request "
                                        "is flagged as short notice."))
    return redirect(opportunity)


@login_required
def approvals_inbox(request):
    waiting = selling_cycle.approvals_waiting_for(request.user)
    mine = (ApprovalRequest.objects.filter(requested_by=request.user)
            .select_related("opportunity", "approver").order_by("-created_at")[:30])
    return render(request, "opportunities/approvals_inbox.html",
                  {"waiting": waiting, "mine": mine})


@login_required
@require_POST
def approval_decide(request, approval_pk):
    approval = get_object_or_404(ApprovalRequest.objects.select_related("opportunity"),
                                 pk=approval_pk, opportunity__in=access.visible_to(
                                     request.user, Opportunity).values("pk"))
    try:
        outcome = selling_cycle.approval_decide(request=approval, user=request.user,
                                                decision=request.POST.get("decision", ""),
                                                comment=request.POST.get("comment", ""))
    except ValidationError as e:
        _errors(request, e)
    except fsm.ConcurrentTransition as e:
        messages.error(request, str(e))
    else:
        if outcome.moved:
            messages.success(request, _("Approved; %(opp)s moved to %(stage)s.") % {
                "opp": outcome.opportunity, "stage": outcome.opportunity.get_stage_display()})
        else:
            messages.success(request, _("Decision recorded."))
    return redirect_next(request, "approvals-inbox")


@login_required
def finance_inbox(request):
    if not permissions.can_open_finance_inbox(request.user):
        raise PermissionDenied(_("The finance inbox is for finance."))
    rows = (Opportunity.objects.filter(stage__in=["9", "9.5"])
            .select_related("account", "owner").order_by("stage", "po_date"))
    return render(request, "opportunities/finance_inbox.html", {"rows": rows})


@login_required
def board(request):
    """The pipeline board: one column a stage; cards move by drag and drop through the
    transition API, so a refused move snaps back with the unmet criteria."""
    owner = request.GET.get("owner", "")
    columns = selectors.pipeline_board(user=request.user,
                                       owner_id=int(owner) if owner.isdigit() else None)
    people = (User.objects.all() if access.reads_everything(request.user)
              else User.objects.filter(pk__in=access.scope_user_ids(request.user)))
    shown = [card.pk for col in columns for card in col["cards"]]
    flags = risk_flags(Opportunity.objects.filter(InValues(F("pk"), shown)))
    url = record_url("opportunity-detail")
    for col in columns:
        for card in col["cards"]:
            card.risks = flags.get(card.pk, [])
            card.url = url(card.pk)
        col["cards_html"] = render_to_string(
            "opportunities/board_cards.html",
            {"cards": col["cards"], "base_currency": settings.OSP_BASE_CURRENCY},
            using="jinja2")
    return render(request, "opportunities/board.html", {
        "columns": columns, "people": people, "owner": owner,
        "per_column": selectors.CARDS_PER_COLUMN})


@login_required
def plan_edit(request, pk):
    opportunity = _get(request, pk)
    latest = opportunity.plans.order_by("-version").first()
    depth = required_depth(opportunity)
    required = REQUIRED_SECTIONS[depth]
    can_change = permissions.can_change(request.user, opportunity)
    form = DealPlanForm(request.POST or None, instance=latest, required=required)
    if request.method == "POST":
        permissions.require_change(request.user, opportunity)
        try:
            plan = (services.opportunity_plan_save(opportunity=opportunity, user=request.user,
                                          **form.cleaned_data) if form.is_valid() else None)
        except StaleRecord as e:  # someone saved a new version after the form was opened
            form.show_conflict(e)
            plan = None
        if plan is not None:
            missing = plan.missing_sections(depth)
            if missing:
                messages.warning(request, _("Saved as version %(v)d. Still to write for this "
                                            "deal: %(sections)s.") % {
                    "v": plan.version, "sections": ", ".join(str(SECTIONS[m]) for m in missing)})
            else:
                messages.success(request, _("Saved as version %(v)d.") % {"v": plan.version})
            return redirect(opportunity)
    return render(request, "opportunities/plan_form.html", {
        "opportunity": opportunity, "form": form, "latest": latest,
        "depth": PlanDepth(depth).label, "can_change": can_change,
        # The latest version keeps the rules it was written under; the next follows today's.
        "written_under": (PlanDepth(latest.depth()).label
                          if latest is not None and latest.depth() != depth else None),
        "versions": opportunity.plans.order_by("-version").select_related("author")[:10],
    })


def _close_the_loop(request, pk, form_class, service, saved: str, incomplete: str):
    opportunity = _get(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, incomplete)
        return redirect(opportunity)
    try:
        service(opportunity=opportunity, user=request.user, **form.cleaned_data)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, saved)
    return redirect(opportunity)


@login_required
@require_POST
def win_loss(request, pk):
    return _close_the_loop(request, pk, WinLossForm, selling_cycle.win_loss_record,
                           _("Win/loss analysis saved."),
                           _("Say why, and what to repeat or avoid."))


@login_required
@require_POST
def handover(request, pk):
    return _close_the_loop(request, pk, HandoverForm, selling_cycle.handover_record,
                           _("Services hand-over saved."),
                           _("The hand-over needs the scope, the acceptance terms and the "
                             "services owner."))


def contacts_for_attestation(opportunity):
    return Contact.objects.filter(account=opportunity.account) | Contact.objects.filter(
        partner__deals__opportunity=opportunity)


def pending_approvals(opportunity):
    return opportunity.approval_requests.filter(status=ApprovalStatus.PENDING)


@login_required
def evidence_file(request, pk, attestation_pk):
    """An attestation's evidence, only for people who may see the opportunity."""
    opportunity = _get(request, pk)
    attestation = get_object_or_404(opportunity.attestations, pk=attestation_pk)
    if not attestation.evidence_file:
        raise Http404
    return FileResponse(attestation.evidence_file.open("rb"), as_attachment=True,
                        filename=attestation.evidence_file.name.rsplit("/", 1)[-1])


@login_required
def sales_tool_file(request, pk):
    tool = get_object_or_404(SalesTool, pk=pk)
    if not tool.file:
        raise Http404
    return FileResponse(tool.file.open("rb"), as_attachment=True,
                        filename=tool.file.name.rsplit("/", 1)[-1])


# --- The opportunity assessment ------------------------------------------------------

@login_required
def assessment(request, pk):
    opportunity = access.get_visible_or_404(request.user, Opportunity, pk,
                                            Opportunity.objects.select_related("account"))
    language = get_language() or "en"
    questions = list(AssessmentQuestion.objects.filter(is_active=True))
    if request.method == "POST":
        answers = {q.code: (request.POST.get(f"q-{q.code}", ""),
                            request.POST.get(f"note-{q.code}", "")) for q in questions}
        try:
            services.assessment_record(opportunity=opportunity, user=request.user,
                                       answers=answers,
                                       competitor=request.POST.get("competitor", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.message_dict.get("competitor", [])) or _(
                "Answer every question: yes, no or unknown."))
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect(opportunity)
    history = list(opportunity.assessments.select_related("author", "competitor")
                   .prefetch_related("answers")[:6])
    by_assessment = {a.pk: {ans.question_id: ans for ans in a.answers.all()} for a in history}
    # Each assessment keeps the questions it answered: one taken out of use since is
    # still shown with its answers, no longer asked.
    answered = {pk for answers in by_assessment.values() for pk in answers}
    retired = list(AssessmentQuestion.objects.filter(pk__in=answered, is_active=False))
    rows = [{"question": q, "text": q.text(language), "retired": not q.is_active,
             "past": [by_assessment[a.pk].get(q.pk) for a in history]}
            for q in sorted([*questions, *retired], key=lambda q: (q.position, q.pk))]
    headings = [(h, [r for r in rows if r["question"].heading == h.value])
                for h in AssessmentHeading]
    return render(request, "opportunities/assessment.html", {
        "opportunity": opportunity, "headings": headings, "history": history,
        "answers": Answer.choices,
        "can_change": permissions.can_change(request.user, opportunity),
        "competitors": opportunity.competitors.all()})
