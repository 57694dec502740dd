"""Services of the selling cycle: stage transitions, attestations, approvals, finance
records, automatic moves, and closing the loop. Browser, API, Celery tasks and sync all
call these; nothing else moves a stage.

Every move locks the opportunity's row, re-reads it, checks that it is still in the stage
the caller saw (else ConcurrentTransition: the caller is told it changed under them),
evaluates the gate criteria on fresh data, makes the django-fsm transition and appends a
StageChange row, all in one transaction.
"""

import datetime
from dataclasses import dataclass
from functools import partial

import django_fsm as fsm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.signals import account_flags_changed, account_flags_preview, org_chart_changed
from opportunities.criteria import (
    APPROVAL,
    APPROVAL_STAGE,
    ATTESTED,
    BY_CODE,
    CATALOGUE,
    Result,
    approval_facts,
    criteria_for_stage,
    evaluate,
)
from opportunities.models import (
    BACKWARD_MOVES,
    FINANCE_STAGES,
    GO_NO_GO_STEPS,
    LIVE_CHECKED,
    MOVES_WITH_SITUATION,
    NEXT_STAGE,
    STEP_FOR_STAGE,
    ApprovalDecision,
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Attestation,
    Competitor,
    FinanceRecord,
    GoDecision,
    HowChanged,
    Opportunity,
    OpportunityPlan,
    ServicesHandover,
    Stage,
    StageChange,
    WinLossAnalysis,
    stage_rank,
)
from osp import access, changes, permissions
from osp.errors import RuleRefused
from osp.fiscal import fiscal_quarter
from osp.models import User
from osp.reminders import notify
from osp.signals import away_changed
from osp.validators import null_character_errors


class GateClosed(RuleRefused):
    """The move is refused because criteria are unmet (HTTP 422, listing them)."""

    unmet: list[Result]

    def unmet_items(self) -> list[dict]:
        return [{"code": r.code, "text": r.criterion.text, "kind": r.criterion.kind,
                 "stage": r.criterion.stage} for r in self.unmet]


@dataclass
class Outcome:
    opportunity: Opportunity
    moved: bool
    approval: ApprovalRequest | None = None


def _lock(opportunity: Opportunity, expected_stage: str | None) -> Opportunity:
    """The opportunity re-read under a row lock; ConcurrentTransition if its stage is no
    longer the one the caller saw."""
    changes.lock()  # before the row lock: the order every writer of synced records keeps
    fresh = (Opportunity.objects.select_for_update(of=("self",)).select_related("account", "owner")
             .get(pk=opportunity.pk))
    seen = opportunity.stage if expected_stage is None else expected_stage
    if fresh.stage != seen:
        raise fsm.ConcurrentTransition(_(
            "This opportunity changed while you were looking at it: it is now at %(now)s, "
            "not %(seen)s. Reload it and try again."
        ) % {"now": fresh.get_stage_display(), "seen": Stage(seen).label
             if seen in Stage.values else seen})
    return fresh


def _notify(users, opportunity, render) -> None:
    """Tell people, in both languages (`render` calls gettext)."""
    notify(users, render=render, opportunity=opportunity)


def _texts(results: list[Result]) -> str:
    return "; ".join(r.criterion.text for r in results)


def _record_move(opportunity: Opportunity, *, from_stage: str, how: str, by: User | None,
                 reason: str, evaluation, won_on=None, booked_on=None) -> StageChange:
    """Save the move and append its StageChange. A deal is won (9) and booked (10) today,
    unless `won_on` / `booked_on` say when: an imported history's dates."""
    opportunity.stage_entered_at = timezone.now()
    opportunity.flagged_criteria = []
    today = timezone.localdate()
    if opportunity.stage in ("lead", "lost", "no_go"):
        opportunity.won_on = opportunity.booked_on = None
    else:
        if won_on or opportunity.stage == "9":
            opportunity.won_on = won_on or today
        if booked_on or opportunity.stage == "10":
            opportunity.booked_on = booked_on or today
    opportunity.save()  # ConcurrentTransitionMixin refuses a stale instance here too
    return StageChange.objects.create(
        opportunity=opportunity, from_stage=from_stage, to_stage=opportunity.stage, how=how,
        by=by, reason=reason, criteria_met=evaluation.met_codes())


def _permitted(method, user: User) -> bool:
    """Does `user` hold the transition's `permission=` (osp.permissions decides), from the
    deal's stage? The permission alone: fsm.has_transition_perm also runs the gate
    conditions, which would turn "criteria unmet" into "not allowed"."""
    meta = method._django_fsm
    return meta.has_transition_perm(method.__self__, meta.field.get_state(method.__self__), user)


def _person_move(opp: Opportunity, to: str):
    """The transition a person's move from the deal's stage to `to` makes."""
    if to == Stage.LOST:
        return opp.lose
    if to == Stage.NO_GO:
        return opp.decide_no_go
    if to in BACKWARD_MOVES.get(opp.stage, []):
        return opp.move_back
    return opp.advance


def _may_move(opp: Opportunity, user: User, to: str) -> bool:
    """May `user` make the move to `to`: its transition's permission. A move the machine
    has no transition for from here is asked of the rule every person's move shares (who
    may change the deal), so that whoever may not change it is refused (403) before being
    told the move's shape is wrong (422)."""
    method = _person_move(opp, to)
    if fsm.can_proceed(method, check_conditions=False):
        return _permitted(method, user)
    return permissions.can_change(user, opp)


def _refuse_null_characters(**texts) -> None:
    """Before anything is written: PostgreSQL refuses a NUL in text, so a reason, note or
    comment holding one is a field error on every route (the API's serializers and the
    forms check it too; the browser's cycle buttons post straight here)."""
    if errors := null_character_errors(texts):
        raise ValidationError(errors)


def opportunity_transition(*, opportunity: Opportunity, user: User, to: str, reason: str = "",
                           expected_stage: str | None = None, loss_reason: str = "",
                           winning_competitor: str = "", finance: dict | None = None,
                           request_approval: bool = True) -> Outcome:
    """Move `opportunity` to stage `to` for `user`, or say exactly why not.

    Raises PermissionDenied (role may not make this move), GateClosed (criteria unmet or
    not a legal move), ValidationError (a reason or detail is missing) or
    ConcurrentTransition (the stage changed under the caller). A rep's move into 3, 6 or
    7 without a valid approval becomes an approval request for the manager (with
    `request_approval=False`, as sync asks, it is refused instead: GateClosed).
    """
    finance = finance or {}
    _refuse_null_characters(reason=reason, loss_reason=loss_reason,
                            winning_competitor=winning_competitor,
                            reference=finance.get("reference"), period=finance.get("period"))
    with transaction.atomic():
        opp = _lock(opportunity, expected_stage)
        current = opp.stage
        if to == current:
            raise GateClosed(_("The opportunity is already at this stage."))
        if to in FINANCE_STAGES or current in FINANCE_STAGES and to == NEXT_STAGE.get(current):
            return _finance_move(opp, user, to, finance)
        if to == Stage.LEAD and current in (Stage.LOST, Stage.NO_GO):
            return _reopen(opp, user, reason)
        if not _may_move(opp, user, to):
            raise PermissionDenied(_("You may see this opportunity but not move it."))
        if to == Stage.LOST:
            return _lose(opp, user, loss_reason or reason, winning_competitor)
        if to == Stage.NO_GO:
            return _no_go(opp, user, reason)
        if to in BACKWARD_MOVES.get(current, []):
            if not reason.strip():
                raise ValidationError({"reason": _("Say why the opportunity moves back.")})
            evaluation = evaluate(opp)
            opp.move_back(to)
            _record_move(opp, from_stage=current, how=HowChanged.PERSON, by=user,
                         reason=reason, evaluation=evaluation)
            return Outcome(opp, True)
        if to != NEXT_STAGE.get(current):
            if current in NEXT_STAGE and stage_rank(to) > stage_rank(current):
                # A skip (lead -> 4, a card dragged three columns): one stage at a time,
                # and here is what every stage it tried to pass still needs.
                raise GateClosed(_refusal_for_shape(current, to),
                                 evaluate(opp).unmet_up_to(to))
            raise GateClosed(_refusal_for_shape(current, to))
        return _advance(opp, user, to, reason, request_approval)


def _refusal_for_shape(current: str, to: str) -> str:
    nxt = NEXT_STAGE.get(current)
    if nxt and to in NEXT_STAGE.values():
        return _("Stages move one at a time: from %(current)s the next stage is %(next)s.") % {
            "current": Stage(current).label, "next": Stage(nxt).label}
    return _("An opportunity at %(current)s cannot move to %(to)s.") % {
        "current": Stage(current).label if current in Stage.values else current,
        "to": Stage(to).label if to in Stage.values else to}


def _advance(opp: Opportunity, user: User, to: str, reason: str,
             request_approval: bool = True) -> Outcome:
    evaluation = evaluate(opp)
    opp._evaluation = evaluation
    unmet = evaluation.unmet_up_to(to)
    approval_criteria = [c for c in criteria_for_stage(to) if c.kind == APPROVAL]
    if approval_criteria and unmet:
        gate = approval_criteria[0]
        others = [r for r in unmet if r.code != gate.code]
        if others or not request_approval:
            raise GateClosed(_("These criteria are not met yet:"), others or unmet)
        # Only the manager's approval is missing: the move becomes a request.
        request = _pending_or_new_request(opp, user, gate.approval_kind, reason)
        return Outcome(opp, False, approval=request)
    if unmet or not fsm.can_proceed(opp.advance):
        raise GateClosed(_("These criteria are not met yet:"), unmet)
    from_stage = opp.stage
    opp.advance()
    _record_move(opp, from_stage=from_stage, how=HowChanged.PERSON, by=user, reason=reason,
                 evaluation=evaluation)
    return Outcome(opp, True)


def _finance_move(opp: Opportunity, user: User, to: str, details: dict) -> Outcome:
    method = {"9.5": opp.record_payment, "10": opp.book}.get(to)
    if method is None or to != NEXT_STAGE.get(opp.stage):
        if not permissions.can_mark_finance_stages(user):
            raise PermissionDenied(_("Only finance marks stages 9.5 and 10."))
        raise GateClosed(_refusal_for_shape(opp.stage, to))
    if not _permitted(method, user):
        raise PermissionDenied(_("Only finance marks stages 9.5 and 10."))
    kind = FinanceRecord.Kind.PAYMENT if to == "9.5" else FinanceRecord.Kind.BOOKING
    if details.get("reference"):
        _finance_record(opp, user, kind, details)
    evaluation = evaluate(opp)
    opp._evaluation = evaluation
    unmet = evaluation.unmet_up_to(to)
    if unmet or not fsm.can_proceed(method):
        raise GateClosed(_("These criteria are not met yet:"), unmet)
    from_stage = opp.stage
    method()
    # Booked on the day finance says it was (the booking's date), else today.
    _record_move(opp, from_stage=from_stage, how=HowChanged.FINANCE, by=user,
                 reason=details.get("reference", ""), evaluation=evaluation,
                 booked_on=details.get("date") if to == "10" else None)
    return Outcome(opp, True)


def _finance_record(opp, user, kind, details) -> FinanceRecord:
    record = FinanceRecord(
        opportunity=opp, kind=kind, reference=details.get("reference", ""),
        period=details.get("period", "") or (str(fiscal_quarter())
                                             if kind == FinanceRecord.Kind.BOOKING else ""),
        amount=details.get("amount"), received_on=details.get("date") or timezone.localdate(),
        by=user)
    record.full_clean(exclude=["opportunity", "by"])
    if kind == FinanceRecord.Kind.BOOKING and not record.period:
        raise ValidationError({"period": _("A booking needs its period.")})
    record.save()
    return record


def _lose(opp: Opportunity, user: User, loss_reason: str, winner: str) -> Outcome:
    errors = {}
    if not loss_reason.strip():
        errors["loss_reason"] = _("Say why the opportunity was lost.")
    if not winner.strip():
        errors["winning_competitor"] = _("Name the competitor who won (or 'no decision').")
    elif refused := Competitor.name_errors(winner.strip()):
        errors["winning_competitor"] = refused
    if errors:
        raise ValidationError(errors)
    if not fsm.can_proceed(opp.lose):
        raise GateClosed(_refusal_for_shape(opp.stage, Stage.LOST))
    evaluation = evaluate(opp)
    from_stage = opp.stage
    opp.lose()
    opp.loss_reason = loss_reason.strip()
    opp.winning_competitor = Competitor.objects.get_or_create(name=winner.strip())[0]
    _record_move(opp, from_stage=from_stage, how=HowChanged.PERSON, by=user,
                 reason=loss_reason, evaluation=evaluation)
    return Outcome(opp, True)


def _no_go(opp: Opportunity, user: User, rationale: str) -> Outcome:
    if not rationale.strip():
        raise ValidationError({"reason": _("A No-Go decision needs its rationale.")})
    if not fsm.can_proceed(opp.decide_no_go):
        raise GateClosed(_("A No-Go decision is taken from lead to stage 6."))
    evaluation = evaluate(opp)
    from_stage = opp.stage
    opp.decide_no_go()
    opp.no_go_rationale = rationale.strip()
    _record_move(opp, from_stage=from_stage, how=HowChanged.PERSON, by=user,
                 reason=rationale, evaluation=evaluation)
    return Outcome(opp, True)


@transaction.atomic
def go_decision_record(*, opportunity: Opportunity, user: User, rationale: str) -> GoDecision:
    """Record the decision to go on with the deal, at a Go/No-Go step (2 or 5, METHODOLOGY.md
    §4): who, when, why. Whoever may change the deal; the rationale is required."""
    permissions.require_change(user, opportunity)
    _refuse_null_characters(rationale=rationale)
    step = STEP_FOR_STAGE.get(opportunity.stage)
    if step not in GO_NO_GO_STEPS:
        raise ValidationError(_("A Go/No-Go decision is taken in step 2 (a lead) or step 5 "
                                "(stages 4 and 5); this deal is in step %(step)s.")
                              % {"step": step or "—"})
    if not rationale.strip():
        raise ValidationError({"rationale": _("Say why we go on with this opportunity.")})
    return GoDecision.objects.create(opportunity=opportunity, step=step, by=user,
                                     rationale=rationale.strip())


def _reopen(opp: Opportunity, user: User, reason: str) -> Outcome:
    if not _permitted(opp.reopen, user):  # permissions.can_reopen
        raise PermissionDenied(_("Reopening a lost or no-go opportunity is a manager's move."))
    evaluation = evaluate(opp)
    from_stage = opp.stage
    opp.reopen()
    opp.loss_reason = opp.no_go_rationale = ""
    opp.winning_competitor = None
    _record_move(opp, from_stage=from_stage, how=HowChanged.PERSON, by=user, reason=reason,
                 evaluation=evaluation)
    return Outcome(opp, True)


@dataclass(frozen=True)
class ImportedClose:
    """What another system knows about a deal it hands over closed or won: the loss's
    reason and winner, the No-Go rationale, and for 9.5 and 10 what finance recorded.
    (The PO's number, date and amount are the deal's own fields.)"""
    reason: str = ""
    winning_competitor: str = ""
    payment_reference: str = ""
    payment_date: datetime.date | None = None
    booking_reference: str = ""
    booking_date: datetime.date | None = None
    booking_period: str = ""


def opportunity_import_errors(*, opportunity: Opportunity, to: str,
                              close: ImportedClose) -> dict[str, list[str]]:
    """What an import at `to` is missing, by field: a deal comes in won only with the
    dates that put it in a forecast period, and lost or no-go only with its reason."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()

    def need(field, value, message):
        if not (value.strip() if isinstance(value, str) else value):
            errors.setdefault(field, []).append(message)
        elif isinstance(value, datetime.date) and value > today:
            errors.setdefault(field, []).append(_("The date cannot be in the future."))

    if to == Stage.LOST:
        need("reason", close.reason, _("Say why the opportunity was lost."))
        need("winning_competitor", close.winning_competitor,
             _("Name the competitor who won (or 'no decision')."))
        winner = close.winning_competitor.strip()
        if winner and (refused := Competitor.name_errors(winner)):
            errors["winning_competitor"] = refused
    elif to == Stage.NO_GO:
        need("reason", close.reason, _("A No-Go decision needs its rationale."))
    elif to in ("9", "9.5", "10"):
        need("po_date", opportunity.po_date,
             _("A deal imported as won needs the date of its PO: it is counted in that "
               "date's period."))
    if to == "9.5":
        need("payment_reference", close.payment_reference,
             _("A deal imported at 9.5 needs finance's payment reference."))
        need("payment_date", close.payment_date,
             _("A deal imported at 9.5 needs the date the payment was received."))
    if to == "10":
        need("booking_reference", close.booking_reference,
             _("A deal imported at 10 needs finance's booking reference."))
        need("booking_date", close.booking_date,
             _("A deal imported at 10 needs the date it was booked: it is counted in that "
               "date's period."))
    for field in ("payment_date", "booking_date"):
        day = getattr(close, field)
        if day and opportunity.po_date and day < opportunity.po_date:
            errors.setdefault(field, []).append(_("This date cannot be before the PO date."))
    return errors


def opportunity_import_at(*, opportunity: Opportunity, user: User, to: str,
                          close: ImportedClose | None = None) -> Outcome:
    """Place a new lead at a stage above lead without walking the gates: an import from
    another system (sync, demo data), by a user `permissions.can_import` allows. A deal
    imported won keeps its PO, payment and booking dates (the forecast counts it in their
    periods), finance's records of 9.5 and 10 are written as recorded by the importer,
    and the history says who imported it."""
    close = close or ImportedClose()
    if not permissions.can_import(user, paid_or_booked=to in FINANCE_STAGES):
        raise PermissionDenied(_("Only an import may place an opportunity above lead; "
                                 "stages 9.5 and 10 only by finance or an import."))
    if errors := opportunity_import_errors(opportunity=opportunity, to=to, close=close):
        raise ValidationError(errors)
    with transaction.atomic():
        opp = _lock(opportunity, Stage.LEAD)
        evaluation = evaluate(opp)
        opp.import_at(to)
        if to == Stage.LOST:
            opp.loss_reason = close.reason.strip()
            opp.winning_competitor = Competitor.objects.get_or_create(
                name=close.winning_competitor.strip())[0]
        elif to == Stage.NO_GO:
            opp.no_go_rationale = close.reason.strip()
        won = to in ("9", "9.5", "10")
        _record_move(opp, from_stage=Stage.LEAD, how=HowChanged.IMPORT, by=user,
                     reason=close.reason or _("imported"), evaluation=evaluation,
                     won_on=opp.po_date if won else None,
                     booked_on=close.booking_date if to == "10" else None)
        if close.payment_reference:
            _finance_record(opp, user, FinanceRecord.Kind.PAYMENT, {
                "reference": close.payment_reference, "date": close.payment_date})
        if close.booking_reference:
            _finance_record(opp, user, FinanceRecord.Kind.BOOKING, {
                "reference": close.booking_reference, "date": close.booking_date,
                "period": close.booking_period or str(fiscal_quarter(close.booking_date))})
        return Outcome(opp, True)


# --- Attestations --------------------------------------------------------------------

def _attestable(opportunity, user, code):
    criterion = BY_CODE.get(code)
    if criterion is None or criterion.kind != ATTESTED:
        raise ValidationError({"criterion": _("%(code)s is not a criterion a person "
                                              "confirms.") % {"code": code}})
    permissions.require_change(user, opportunity)
    return criterion


def _contact_label(contact) -> str:
    """The contact as the confirmation records it, "name (title)", within its column: a
    long title is shortened (with an ellipsis), never refused. The link to the contact is
    kept beside it; the label is what stays if the contact is deleted."""
    limit = Attestation._meta.get_field("contact_name").max_length
    name = str(contact)
    label = f"{name} ({contact.title})" if contact.title else name
    if len(label) <= limit:
        return label
    room = limit - len(f"{name} (…)")
    return f"{name} ({contact.title[:room].rstrip()}…)" if room > 0 else name[:limit]


def criterion_attest(*, opportunity: Opportunity, user: User, code: str, note: str,
                     contact=None, occurred_on=None, evidence_url: str = "",
                     evidence_file=None) -> Attestation:
    """Confirm an attested criterion, naming the customer contact who confirmed it."""
    _attestable(opportunity, user, code)
    _refuse_null_characters(note=note, evidence_url=evidence_url)
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("Say what was confirmed, and how.")
    if contact is None:
        errors["contact"] = _("Name the customer contact who confirmed it.")
    else:
        partner_ids = set(opportunity.deal_partners.values_list("partner_id", flat=True))
        if contact.account_id != opportunity.account_id and contact.partner_id not in partner_ids:
            errors["contact"] = _("The contact must work for this customer or a partner on "
                                  "the deal.")
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        attestation = Attestation(
            opportunity=opportunity, criterion=code, action=Attestation.Action.ATTEST,
            note=note.strip(), contact=contact, contact_name=_contact_label(contact),
            occurred_on=occurred_on, evidence_url=evidence_url or "", by=user)
        if evidence_file is not None:
            attestation.evidence_file = evidence_file
        attestation.full_clean(exclude=["opportunity", "by", "contact"])
        attestation.save()
    return attestation


def criterion_withdraw(*, opportunity: Opportunity, user: User, code: str,
                       note: str) -> Attestation:
    """Withdraw a confirmation (a new row, never a deletion); the deal then moves back or
    is flagged if it depended on it."""
    criterion = _attestable(opportunity, user, code)
    _refuse_null_characters(note=note)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the confirmation is withdrawn.")})
    with transaction.atomic():
        current = (Attestation.objects.filter(opportunity=opportunity, criterion=code)
                   .order_by("-pk").first())
        if current is None or current.action != Attestation.Action.ATTEST:
            raise ValidationError({"criterion": _("This criterion is not confirmed.")})
        withdrawal = Attestation.objects.create(
            opportunity=opportunity, criterion=code, action=Attestation.Action.WITHDRAW,
            note=note.strip(), contact=current.contact, contact_name=current.contact_name,
            occurred_on=timezone.localdate(), by=user)
        opportunity_recheck(opportunity=opportunity,
                            cause=_("%(who)s withdrew: %(what)s") % {"who": user,
                                                                      "what": criterion.text})
    return withdrawal


# --- Automatic moves -----------------------------------------------------------------

_FALLS_BACK_FROM = {"4": "3", "5": "4", "6": "5"}


@dataclass(frozen=True)
class RecheckOutcome:
    """Where a recheck leaves a deal: the stage, and what made it move or is flagged."""

    opportunity: Opportunity
    from_stage: str
    slipped: list  # stage-7 criteria that no longer hold: 7 -> 6
    fell_back: list  # what no longer holds at 4-6, which moves it down
    stage: str
    unmet: list  # what is still unmet where it ends up (flagged)

    @property
    def moves(self) -> bool:
        return self.stage != self.from_stage

    @property
    def no_longer_holds(self) -> list[str]:
        return [r.criterion.text for r in [*self.slipped, *self.fell_back]]


def recheck_outcome(opportunity: Opportunity, evaluation) -> RecheckOutcome:
    """What `opportunity_recheck` would do with `evaluation`, without doing it. Stage 7
    means "closes this quarter" (METHODOLOGY.md §3): when one of its own criteria stops
    holding the deal moves back to 6, as at quarter end. At 4-6 it moves back to the
    highest stage (3 at the lowest) whose criteria all hold; elsewhere unmet criteria
    are only flagged."""
    stage = opportunity.stage
    unmet = evaluation.unmet_up_to(stage)
    own = {c.code for c in criteria_for_stage(Stage.S7)}
    slipped = [r for r in unmet if r.code in own] if stage == Stage.S7 else []
    if slipped:
        stage = Stage.S6
        unmet = evaluation.unmet_up_to(stage)
    fell_back = []
    if unmet and stage in MOVES_WITH_SITUATION:
        fell_back = unmet
        stage = evaluation.highest_stage_held(floor="3", ceiling=_FALLS_BACK_FROM[stage])
        unmet = evaluation.unmet_up_to(stage)
    return RecheckOutcome(opportunity=opportunity, from_stage=opportunity.stage,
                          slipped=slipped, fell_back=fell_back, stage=stage, unmet=unmet)


def recheck_preview(opportunities) -> list[RecheckOutcome]:
    """What rechecking these (in-memory, possibly changed but unsaved) deals would move:
    the outcomes of those that would change stage."""
    outcomes = [recheck_outcome(o, evaluate(o)) for o in opportunities
                if o.stage in LIVE_CHECKED]
    return [o for o in outcomes if o.moves]


def opportunity_recheck(*, opportunity: Opportunity, cause: str) -> Opportunity:
    """Re-evaluate the criteria after something changed and move the deal as
    `recheck_outcome` says, with the reason; owner and manager are told either way."""
    with transaction.atomic():
        changes.lock()
        opp = (Opportunity.objects.select_for_update(of=("self",))
               .select_related("account", "owner__manager").get(pk=opportunity.pk))
        if opp.stage not in LIVE_CHECKED:
            return opp
        evaluation = evaluate(opp)
        outcome = recheck_outcome(opp, evaluation)
        people = [opp.owner, opp.owner.manager]
        if gone := outcome.slipped:
            opp.slip()
            reason = _("No longer holds: %(criteria)s (%(cause)s)") % {
                "criteria": _texts(gone), "cause": cause}
            _record_move(opp, from_stage=Stage.S7, how=HowChanged.AUTOMATIC, by=None,
                         reason=reason, evaluation=evaluation)
            _notify(people, opp, lambda: _("%(opp)s moved back from 7 to 6: it no longer "
                                           "closes this quarter. No longer holds: "
                                           "%(criteria)s (%(cause)s)") % {
                "opp": opp, "criteria": _texts(gone), "cause": cause})
        if unmet := outcome.fell_back:
            from_stage = opp.stage
            opp.fall_back(outcome.stage)
            reason = _("No longer holds: %(criteria)s (%(cause)s)") % {
                "criteria": _texts(unmet), "cause": cause}
            _record_move(opp, from_stage=from_stage, how=HowChanged.AUTOMATIC, by=None,
                         reason=reason, evaluation=evaluation)
            _notify(people, opp, lambda: _("%(opp)s moved back from %(from)s to %(to)s. "
                                           "No longer holds: %(criteria)s (%(cause)s)") % {
                "opp": opp, "from": Stage(from_stage).label, "to": opp.get_stage_display(),
                "criteria": _texts(unmet), "cause": cause})
        unmet = outcome.unmet
        flagged = [r.code for r in unmet]
        new = [r for r in unmet if r.code not in opp.flagged_criteria]
        if flagged != opp.flagged_criteria:
            opp.flagged_criteria = flagged
            opp.save(update_fields=["flagged_criteria", "updated_at"])
        if new:
            _notify(people, opp, lambda: _("%(opp)s is at %(stage)s but no longer meets: "
                                           "%(criteria)s (%(cause)s)") % {
                "opp": opp, "stage": opp.get_stage_display(), "criteria": _texts(new),
                "cause": cause})
        return opp


def opportunities_recheck_account(*, account, cause: str) -> None:
    """After a change to the account's contacts (the org chart feeds stages 2 and 4)."""
    for opp in Opportunity.objects.filter(account=account, stage__in=LIVE_CHECKED):
        opportunity_recheck(opportunity=opp, cause=cause)


def _on_org_chart_changed(sender, *, account, cause, **kwargs):
    opportunities_recheck_account(account=account, cause=cause)


def _on_account_flags_changed(sender, *, account, cause, **kwargs):
    opportunities_recheck_account(account=account, cause=cause)


def _deals_an_account_change_moves(sender, *, account, **kwargs) -> list[RecheckOutcome]:
    """Asked before an account becomes (or stops being) named or strategic: which of its
    deals would move back, read with the changed account in place of the saved one."""
    deals = list(Opportunity.objects.filter(account_id=account.pk, stage__in=LIVE_CHECKED)
                 .select_related("owner").order_by("name", "pk"))
    for deal in deals:
        deal.account = account
    return recheck_preview(deals)


def connect_signals():
    org_chart_changed.connect(_on_org_chart_changed, dispatch_uid="recheck-on-org-chart")
    account_flags_changed.connect(_on_account_flags_changed,
                                  dispatch_uid="recheck-on-account-flags")
    account_flags_preview.connect(_deals_an_account_change_moves,
                                  dispatch_uid="deals-an-account-change-moves")
    away_changed.connect(_on_away_changed, dispatch_uid="approvals-follow-who-is-away")


def opportunities_slip_past_quarter_end(*, today=None) -> int:
    """Stage 7 means "closes this quarter": once the fiscal quarter in which a deal reached
    7 is over, it moves back to 6. Safe to run any number of times (hourly by Celery beat)."""
    quarter = fiscal_quarter(today or timezone.localdate())
    moved = 0
    for opp in Opportunity.objects.filter(stage=Stage.S7):
        entered = timezone.localdate(opp.stage_entered_at) if opp.stage_entered_at else None
        if entered is not None and entered >= quarter.start:
            continue
        with transaction.atomic():
            try:
                locked = _lock(opp, Stage.S7)
            except fsm.ConcurrentTransition:
                continue
            evaluation = evaluate(locked)
            locked.slip()
            reason = _("Slipped past quarter end")
            _record_move(locked, from_stage=Stage.S7, how=HowChanged.AUTOMATIC, by=None,
                         reason=reason, evaluation=evaluation)
            _notify([locked.owner, locked.owner.manager], locked,
                    lambda o=locked: _("%(opp)s moved back from 7 to 6: it did not close in its "
                                       "quarter.") % {"opp": o})
            moved += 1
    return moved


# --- Approvals -----------------------------------------------------------------------

def _first_manager_in(person: User, today=None) -> User | None:
    """The first manager above `person` who is active and not away on `today`."""
    today = today or timezone.localdate()
    return next((m for m in access.managers_of(person)
                 if m.is_active and not m.away_on(today)), None)


def approver_for(opportunity: Opportunity) -> User:
    """The owner's manager, or the next one up while managers are away."""
    manager = _first_manager_in(opportunity.owner)
    if manager is not None:
        return manager
    raise ValidationError(_("Nobody above %(owner)s can approve this: ask an administrator to "
                            "set a manager.") % {"owner": opportunity.owner})


def _pending_or_new_request(opp, user, kind, comment) -> ApprovalRequest:
    pending = ApprovalRequest.objects.filter(opportunity=opp, kind=kind,
                                             status=ApprovalStatus.PENDING).first()
    if pending is not None:
        return pending
    return approval_request(opportunity=opp, user=user, kind=kind, comment=comment)


def approval_request(*, opportunity: Opportunity, user: User, kind: str, comment: str = "",
                     resource_type: str = "", meeting_date=None) -> ApprovalRequest:
    """Ask the manager to approve a stage-gating decision or to lend a resource. What is
    approved (amount, quote, terms, plan version) is recorded with the request."""
    permissions.require_change(user, opportunity)
    if kind not in ApprovalKind.values:
        raise ValidationError({"kind": _("Unknown kind of approval.")})
    _refuse_null_characters(comment=comment, resource_type=resource_type)
    errors = {}
    short_notice = False
    if kind == ApprovalKind.RESOURCE:
        if not resource_type:
            errors["resource_type"] = _("Say which resource you need.")
        if meeting_date is None:
            errors["meeting_date"] = _("Give the date of the meeting.")
        elif meeting_date < timezone.localdate():
            errors["meeting_date"] = _("The meeting date is in the past.")
        else:
            # The methodology wants the Strategy & Architecture Team asked two weeks ahead.
            short_notice = (meeting_date - timezone.localdate()).days < 14
    if errors:
        raise ValidationError(errors)
    plan = OpportunityPlan.objects.filter(opportunity=opportunity).order_by("-version").first()
    if kind == ApprovalKind.OPPORTUNITY_PLAN and plan is None:
        raise ValidationError({"kind": _("Write the opportunity plan before asking for its "
                                         "approval.")})
    approver = approver_for(opportunity)
    # The owner's manager, if away, gets the request back on their return.
    home = next((m for m in access.managers_of(opportunity.owner) if m.is_active), None)
    routed_from = home if home is not None and home != approver else None
    # Four eyes: nobody approves their own request, nor a plan they wrote themselves; the
    # next one up does.
    author = plan.author if kind == ApprovalKind.OPPORTUNITY_PLAN and plan else None
    if approver in (user, author):
        approver = _first_manager_in(approver) or approver
        routed_from = None
    request = ApprovalRequest.objects.create(
        opportunity=opportunity, kind=kind, requested_by=user, approver=approver,
        routed_from=routed_from,
        comment=comment, approved_facts=approval_facts(kind, opportunity, plan),
        resource_type=resource_type, meeting_date=meeting_date, short_notice=short_notice)
    _notify([approver], opportunity,
            lambda: _("%(who)s asks you to approve: %(what)s — %(opp)s") % {
                "who": user, "what": request.get_kind_display(), "opp": opportunity})
    return request


def approval_decide(*, request: ApprovalRequest, user: User, decision: str,
                    comment: str = "") -> Outcome:
    """Approve, reject or send back. An approval that completes a stage's criteria moves
    the opportunity at once, recorded as approved by the manager."""
    _refuse_null_characters(comment=comment)
    with transaction.atomic():
        changes.lock()
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        opp = request.opportunity
        if not permissions.can_decide_approval(user, request):
            raise PermissionDenied(_("Only the approver (or a manager above them) decides "
                                     "this request."))
        if request.status != ApprovalStatus.PENDING:
            # code="conflict": the API answers 409, as for a stage that moved underneath.
            raise ValidationError(_("This request was already decided: %(status)s.")
                                  % {"status": request.get_status_display()}, code="conflict")
        if decision not in ApprovalDecision.Decision.values:
            raise ValidationError({"decision": _("Choose approve, reject or send back.")})
        if decision != ApprovalDecision.Decision.APPROVE and not comment.strip():
            raise ValidationError({"comment": _("Tell the rep why.")})
        ApprovalDecision.objects.create(request=request, decision=decision, comment=comment,
                                        by=user)
        request.status = {"approve": ApprovalStatus.APPROVED, "reject": ApprovalStatus.REJECTED,
                          "return": ApprovalStatus.RETURNED}[decision]
        request.save(update_fields=["status", "updated_at"])
        _notify([request.requested_by, opp.owner], opp,
                lambda: _("%(manager)s %(decision)s: %(what)s — %(opp)s %(comment)s") % {
                    "manager": user, "decision": request.get_status_display(),
                    "what": request.get_kind_display(), "opp": opp, "comment": comment})
        if request.status != ApprovalStatus.APPROVED or request.kind not in APPROVAL_STAGE:
            return Outcome(opp, False, approval=request)
        target = APPROVAL_STAGE[request.kind]
        locked = (Opportunity.objects.select_for_update(of=("self",))
                  .select_related("account", "owner").get(pk=opp.pk))
        if NEXT_STAGE.get(locked.stage) != target:
            opportunity_recheck(opportunity=locked, cause=_("approval decided"))
            return Outcome(locked, False, approval=request)
        evaluation = evaluate(locked)
        locked._evaluation = evaluation
        if evaluation.unmet_up_to(target) or not fsm.can_proceed(locked.advance):
            return Outcome(locked, False, approval=request)
        from_stage = locked.stage
        locked.advance()
        _record_move(locked, from_stage=from_stage, how=HowChanged.APPROVAL, by=user,
                     reason=comment or request.get_kind_display(), evaluation=evaluation)
        return Outcome(locked, True, approval=request)


def approvals_follow_who_is_away(*, today=None) -> int:
    """A pending request whose approver is away goes to the next manager up who is not,
    and back to its approver once they return; each is told. Run when someone's away
    dates change (osp.signals.away_changed) and hourly by Celery beat, so a date reached
    overnight takes effect too. Safe to run any number of times. Returns the requests
    moved."""
    today = today or timezone.localdate()
    moved = 0
    away_today = (Q(approver__away_from__lte=today)
                  & (Q(approver__away_until__isnull=True) | Q(approver__away_until__gte=today)))
    pending = (ApprovalRequest.objects
               .filter(Q(routed_from__isnull=False) | away_today, status=ApprovalStatus.PENDING)
               .select_related("approver__manager", "routed_from", "opportunity"))
    for request in pending:
        home = request.routed_from or request.approver
        if request.routed_from is not None and not home.away_on(today):
            target, routed_from = home, None  # back from being away
        elif home.away_on(today):
            target, routed_from = _first_manager_in(home, today), home
        else:
            continue
        if target is None or target == request.approver:
            continue
        with transaction.atomic():
            locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != ApprovalStatus.PENDING or locked.approver_id != request.approver_id:
                continue  # decided or moved meanwhile
            locked.approver, locked.routed_from = target, routed_from
            locked.save(update_fields=["approver", "routed_from", "updated_at"])
            _notify([target], locked.opportunity, partial(_routed_message, locked, home))
        moved += 1
    return moved


def _routed_message(request: ApprovalRequest, home: User) -> str:
    if request.routed_from is not None:
        return _("%(who)s's approval request is yours to decide while %(home)s is away: "
                 "%(what)s — %(opp)s") % {"who": request.requested_by, "home": home,
                                          "what": request.get_kind_display(),
                                          "opp": request.opportunity}
    return _("Back with you to decide: %(what)s — %(opp)s") % {
        "what": request.get_kind_display(), "opp": request.opportunity}


def _on_away_changed(sender, *, user, **kwargs):
    approvals_follow_who_is_away()


def approvals_waiting_for(user: User):
    return (ApprovalRequest.objects.filter(approver=user, status=ApprovalStatus.PENDING)
            .select_related("opportunity__account", "requested_by").order_by("created_at"))


# --- Closing the loop ----------------------------------------------------------------

def _validated(candidate, exclude: list[str], errors: dict | None = None) -> None:
    """Refuse `candidate` (a row about to be written) with every reason at once. Unique
    checks are left out: the row is written with update_or_create, which finds the one
    there is."""
    errors = dict(errors or {})
    try:
        candidate.full_clean(exclude=exclude, validate_unique=False,
                             validate_constraints=False)
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)


def win_loss_record(*, opportunity: Opportunity, user: User, why: str, repeat_or_avoid: str,
                    against: str = "") -> WinLossAnalysis:
    """Write the deal's win/loss analysis (again, if there is one). Validated whole before
    anything is written; the competitor it names is added with it, in one transaction."""
    permissions.require_change(user, opportunity)
    if not (opportunity.is_won or opportunity.stage == Stage.LOST):
        raise ValidationError(_("A win/loss analysis is written once the deal is won or "
                                "lost."))
    name = against.strip()
    refused = Competitor.name_errors(name) if name else []
    fields = {"why": why, "repeat_or_avoid": repeat_or_avoid, "author": user}
    _validated(WinLossAnalysis(opportunity=opportunity, **fields),
               exclude=["opportunity", "against", "author"],
               errors={"against": refused} if refused else None)
    with transaction.atomic():
        fields["against"] = Competitor.objects.get_or_create(name=name)[0] if name else None
        analysis, _created = WinLossAnalysis.objects.update_or_create(
            opportunity=opportunity, defaults=fields)
    return analysis


def handover_record(*, opportunity: Opportunity, user: User, scope: str,
                    acceptance_terms: str, services_owner: User) -> ServicesHandover:
    """Write the deal's hand-over to professional services (again, if there is one),
    validated before anything is written."""
    permissions.require_change(user, opportunity)
    if not opportunity.is_won:
        raise ValidationError(_("The services hand-over follows a won deal (stage 9 on)."))
    fields = {"scope": scope, "acceptance_terms": acceptance_terms,
              "services_owner": services_owner, "author": user}
    _validated(ServicesHandover(opportunity=opportunity, **fields),
               exclude=["opportunity", "author"])
    with transaction.atomic():
        handover, _created = ServicesHandover.objects.update_or_create(
            opportunity=opportunity, defaults=fields)
    return handover


def catalogue_codes() -> list[str]:
    return [c.code for c in CATALOGUE]
