"""Plan reminders (hourly, Celery beat; each goes once): the quarterly review and action
items."""

from django.utils import timezone
from django.utils.translation import gettext as _

from osp.fiscal import fiscal_quarter
from osp.reminders import remind
from plans.models import ActionItem, Plan, PlanSettings
from plans.services import plan_review_state


def remind_plan_reviews(*, today=None) -> int:
    """Due: the owner, once a quarter. Overdue: the owner, once a quarter; and after the
    escalation delay, the manager too."""
    today = today or timezone.localdate()
    quarter = fiscal_quarter(today)
    escalate_after = PlanSettings.current().escalate_after_days
    grace = PlanSettings.current().review_grace_days
    sent = 0
    for plan in Plan.objects.select_related("owner__manager", "territory", "account",
                                            "partner"):
        state = plan_review_state(plan, today)
        if state == "reviewed":
            continue
        sent += remind(kind=f"plan_review_{state}", subject=f"plan:{plan.pk}",
                       period=str(quarter), recipients=[plan.owner],
                       render=lambda p=plan, s=state: (
                           _("%(plan)s is due for its quarterly review.") if s == "due"
                           else _("%(plan)s is overdue for its quarterly review.")) % {"plan": p})
        if state == "overdue" and (today - quarter.start).days >= grace + escalate_after:
            sent += remind(kind="plan_review_escalated", subject=f"plan:{plan.pk}",
                           period=str(quarter), recipients=[plan.owner.manager],
                           render=lambda p=plan: _("%(plan)s of %(owner)s has not been reviewed "
                                                   "this quarter.") % {"plan": p,
                                                                       "owner": p.owner})
    return sent


def remind_action_items(*, today=None) -> int:
    """Due today: the assignee (or the owner when the assignee is a contact); overdue:
    again, once."""
    today = today or timezone.localdate()
    sent = 0
    items = (ActionItem.objects.filter(done_at__isnull=True, due__lte=today)
             .select_related("assignee", "plan__owner", "opportunity__owner"))
    for item in items:
        owner = item.plan.owner if item.plan_id else item.opportunity.owner
        state = "due" if item.due == today else "overdue"
        sent += remind(kind=f"action_item_{state}", subject=f"action:{item.pk}",
                       period=item.due.isoformat(), recipients=[item.assignee or owner],
                       opportunity=item.opportunity,
                       render=lambda i=item, s=state: (
                           _("Action item due today: %(what)s") if s == "due"
                           else _("Action item overdue since %(due)s: %(what)s"))
                       % {"what": i.what, "due": i.due})
    return sent
