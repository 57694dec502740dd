"""Writes to plans: territory/account/partner plans with their review by the manager, and
action items. (The deal plan and assessment, which feed the stage-3 gate, are written in
opportunities.services.)"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from osp import access, permissions
from osp.concurrency import StaleRecord
from osp.fiscal import fiscal_quarter
from osp.models import User
from osp.reminders import notify
from plans.models import (
    Plan,
    PlanKind,
    PlanSettings,
    PlanStatus,
    PlanVersion,
)

# --- Territory, account and partner plans --------------------------------------------

@transaction.atomic
def plan_create(*, user: User, kind: str, subject, owner: User | None = None) -> Plan:
    """Start the plan for a territory, account or partner (one each)."""
    if kind not in PlanKind.values:
        raise ValidationError({"kind": _("Unknown kind of plan.")})
    # Whoever may change the territory, account or partner plans for it.
    if not permissions.can_change(user, subject):
        raise PermissionDenied(_("You can only plan for your own territories, accounts and "
                                 "partners (or your team's)."))
    owner = owner or subject.owner or user
    if Plan.objects.filter(kind=kind, **{kind: subject}).exists():
        raise ValidationError(_("%(subject)s already has a plan.") % {"subject": subject})
    plan = Plan(kind=kind, owner=owner, **{kind: subject})
    plan.full_clean()
    plan.save()
    return plan


def _check_plan_writer(user, plan):
    """A plan is written by whoever may change it: its owner's scope (plans/rules.py)."""
    if not permissions.can_change(user, plan):
        raise PermissionDenied(_("Only the plan's owner (or their manager) changes it."))


@transaction.atomic
def plan_save(*, plan: Plan, user: User, sections: dict | None = None,
              fiscal_year_target=None, expected_version: int | None = None) -> Plan:
    """Edit the draft: the sections named change, the others keep what the plan holds
    now. Editing an approved or submitted plan takes it back to draft: it must be
    submitted and approved again. StaleRecord if `expected_version` is given and the plan
    has had another edit (its revision) since."""
    _check_plan_writer(user, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and expected_version != plan.revision:
        raise StaleRecord(plan, expected=expected_version, current=plan.revision)
    if sections is not None:
        unknown = sorted(set(sections) - set(plan.section_names()))
        if unknown:
            raise ValidationError({n: _("This plan has no such section.") for n in unknown})
        new = {**plan.sections, **{k: (v or "").strip() for k, v in sections.items()}}
    else:
        new = plan.sections
    changed = new != plan.sections or (fiscal_year_target is not None
                                       and fiscal_year_target != plan.fiscal_year_target)
    if not changed:
        return plan
    plan.sections = new
    if fiscal_year_target is not None:
        plan.fiscal_year_target = fiscal_year_target
    if plan.status != PlanStatus.DRAFT:
        plan.status = PlanStatus.DRAFT
        # A submitted version nobody decided yet is overtaken by the new draft.
        plan.versions.filter(decision=PlanVersion.Decision.PENDING).update(
            decision=PlanVersion.Decision.RETURNED, comment=_("Changed after submission."))
    plan.revision += 1
    plan.updated_by = user
    plan.full_clean()
    plan.save()
    return plan


def plan_content(plan: Plan) -> dict:
    return {
        "sections": {name: plan.sections.get(name, "") for name in plan.section_names()},
        "fiscal_year_target": (str(plan.fiscal_year_target)
                               if plan.fiscal_year_target is not None else None),
        "action_items": [{"what": a.what, "who": str(a.who or ""), "due": a.due.isoformat(),
                          "done": a.done_at is not None} for a in plan.action_items.all()],
    }


@transaction.atomic
def plan_submit(*, plan: Plan, user: User) -> PlanVersion:
    """Freeze the plan as a new version for the manager."""
    _check_plan_writer(user, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.SUBMITTED:
        raise ValidationError(_("This plan is already waiting for the manager."))
    empty = [str(_section_label(n)) for n in plan.section_names()
             if not plan.sections.get(n, "").strip()]
    if empty:
        raise ValidationError(_("Write every section before submitting: %(sections)s.")
                              % {"sections": ", ".join(empty)})
    last = plan.versions.order_by("-number").first()
    version = PlanVersion.objects.create(plan=plan, number=(last.number + 1) if last else 1,
                                         content=plan_content(plan), submitted_by=user)
    plan.status = PlanStatus.SUBMITTED
    plan.revision += 1  # an edit form opened before the submission is then stale
    plan.updated_by = user
    plan.save(update_fields=["status", "revision", "updated_by", "updated_at"])
    # Four eyes: the review goes to the one above the submitter (the owner's manager when
    # the owner, or someone outside the owner's chain, submitted; the next one up when a
    # manager of the owner did).
    above_owner = user in access.managers_of(plan.owner)
    reviewer = user.manager if above_owner else plan.owner.manager
    notify([reviewer], render=lambda: _("%(who)s submitted %(plan)s for your review.")
           % {"who": user, "plan": plan})
    return version


def _section_label(name):
    from plans.models import PLAN_SECTIONS

    return PLAN_SECTIONS[name]


@transaction.atomic
def plan_decide(*, plan: Plan, user: User, approve: bool, comment: str = "") -> PlanVersion:
    """The manager approves the submitted version, or sends it back with comments."""
    plan = Plan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
    version = plan.versions.filter(decision=PlanVersion.Decision.PENDING).select_related(
        "submitted_by").order_by("-number").first()
    if not permissions.can_decide_plan(
            user, plan, submitted_by=version.submitted_by if version else None):
        raise PermissionDenied(_("Only someone above whoever submitted this plan reviews "
                                 "it: never its owner, never its submitter."))
    if plan.status != PlanStatus.SUBMITTED or version is None:
        raise ValidationError(_("There is no submitted version to decide."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Tell the owner what to change.")})
    now = timezone.now()
    version.decision = (PlanVersion.Decision.APPROVED if approve
                        else PlanVersion.Decision.RETURNED)
    version.decided_by, version.decided_at, version.comment = user, now, comment
    version.save()
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.DRAFT
    plan.manager_comment = comment
    if approve:
        plan.approved_at = now
    plan.revision += 1
    plan.updated_by = user
    plan.save()
    notify([plan.owner], render=lambda: (
        _("%(manager)s approved %(plan)s.") if approve
        else _("%(manager)s sent %(plan)s back: %(comment)s")) % {
        "manager": user, "plan": plan, "comment": comment})
    return version


def plan_review_state(plan: Plan, today=None) -> str:
    """"reviewed" if approved in the current fiscal quarter; "due" early in a quarter;
    "overdue" once the grace period has passed."""
    today = today or timezone.localdate()
    quarter = fiscal_quarter(today)
    if plan.approved_at and timezone.localdate(plan.approved_at) >= quarter.start:
        return "reviewed"
    grace = PlanSettings.current().review_grace_days
    return "overdue" if (today - quarter.start).days >= grace else "due"


# --- Action items --------------------------------------------------------------------

def _check_item_parent(user, plan=None, opportunity=None):
    if plan is not None:
        _check_plan_writer(user, plan)
    elif opportunity is not None:
        permissions.require_change(user, opportunity)
    else:
        raise ValidationError(_("An action item belongs to a plan or an opportunity."))


@transaction.atomic
def action_item_add(*, user: User, what: str, due, plan: Plan | None = None,
                    opportunity=None, assignee: User | None = None, contact=None):
    from plans.models import ActionItem

    _check_item_parent(user, plan, opportunity)
    if assignee is None and contact is None:
        raise ValidationError({"assignee": _("Say who: a colleague or a contact.")})
    item = ActionItem(plan=plan, opportunity=opportunity, what=(what or "").strip(), due=due,
                      assignee=assignee, contact=contact)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_set_done(*, user: User, item, done: bool = True):
    _check_item_parent(user, item.plan, item.opportunity)
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at", "updated_at"])
    return item
