"""The selling cycle's scheduled reminders (Celery beat runs them hourly; each goes once)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from opportunities.models import (
    LIVE_CHECKED,
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Opportunity,
    ResourceType,
    Stage,
)
from osp.fiscal import fiscal_quarter
from osp.models import ReminderPolicy
from osp.reminders import remind


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def remind_waiting_approvals(*, today=None) -> int:
    """Approvals waiting longer than the policy's working days: remind the approver, once
    a day."""
    today = today or timezone.localdate()
    limit = ReminderPolicy.current().approval_wait_working_days
    sent = 0
    for request in (ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
                    .select_related("approver", "opportunity")):
        if working_days_between(timezone.localdate(request.created_at), today) < limit:
            continue
        sent += remind(
            kind="approval_waiting", subject=f"approval:{request.pk}", period=today.isoformat(),
            recipients=[request.approver], opportunity=request.opportunity,
            render=lambda r=request: _("Waiting for your decision since %(date)s: %(what)s — "
                                       "%(opp)s") % {"date": timezone.localdate(r.created_at),
                                                     "what": r.get_kind_display(),
                                                     "opp": r.opportunity})
    return sent


def remind_stale_opportunities(*, today=None) -> int:
    """Open deals nobody has touched for the policy's days: remind the owner, once a week."""
    today = today or timezone.localdate()
    days = ReminderPolicy.current().stale_opportunity_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    sent = 0
    for opp in (Opportunity.objects.filter(stage__in=["lead", *LIVE_CHECKED],
                                           updated_at__lt=cutoff).select_related("owner")):
        sent += remind(kind="stale_opportunity", subject=f"opportunity:{opp.pk}", period=week,
                       recipients=[opp.owner], opportunity=opp,
                       render=lambda o=opp: _("%(opp)s has not changed for %(days)d days. Is it "
                                              "still alive?") % {"opp": o, "days": days})
    return sent


def remind_stage7_near_quarter_end(*, today=None) -> int:
    """Stage 7 means "closes this quarter": near its end, remind owner and manager of every
    deal still at 7, once per quarter."""
    today = today or timezone.localdate()
    quarter = fiscal_quarter(today)
    if (quarter.end - today).days > ReminderPolicy.current().stage7_days_before_quarter_end:
        return 0
    sent = 0
    for opp in Opportunity.objects.filter(stage=Stage.S7).select_related("owner__manager"):
        sent += remind(kind="stage7_quarter_end", subject=f"opportunity:{opp.pk}",
                       period=str(quarter), recipients=[opp.owner, opp.owner.manager],
                       opportunity=opp,
                       render=lambda o=opp: _("%(opp)s is at stage 7 and the quarter ends on "
                                              "%(end)s: close it or move it back.")
                       % {"opp": o, "end": quarter.end})
    return sent


def remind_short_notice_requests(*, today=None) -> int:
    """Strategy & Architecture Team requests made less than two weeks ahead: tell the
    approver once, so the team can still be found."""
    sent = 0
    for request in (ApprovalRequest.objects.filter(
            kind=ApprovalKind.RESOURCE, resource_type=ResourceType.STRATEGY_TEAM,
            short_notice=True, status=ApprovalStatus.PENDING)
            .select_related("approver", "opportunity")):
        sent += remind(kind="short_notice_request", subject=f"approval:{request.pk}",
                       period="once", recipients=[request.approver],
                       opportunity=request.opportunity,
                       render=lambda r=request: _(
                           "Short notice: the Strategy & Architecture Team is asked for "
                           "%(date)s on %(opp)s (less than two weeks ahead).") % {
                           "date": r.meeting_date, "opp": r.opportunity})
    return sent
