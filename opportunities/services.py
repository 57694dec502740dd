"""Writes to opportunities and what hangs off them (team, partners on the deal,
competitors, activities). The stage is not written here: it is protected, and only the
selling-cycle transitions may change it."""

from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opportunities.models import (
    SECTIONS,
    Activity,
    Answer,
    Assessment,
    AssessmentAnswer,
    AssessmentQuestion,
    Competitor,
    ExchangeRate,
    Opportunity,
    OpportunityPartner,
    OpportunityPlan,
    OpportunityTeamMember,
)
from opportunities.selling_cycle import opportunity_recheck
from osp import permissions
from osp.concurrency import StaleRecord, locked_copy
from osp.models import User
from osp.services import (
    apply_fields,
    check_can_create,
    check_owner,
    record_update,
)
from osp.validators import null_character_errors

OPPORTUNITY_FIELDS = ("name", "account", "owner", "amount", "currency", "expected_close_date",
                      "lead_source", "why_do_it", "why_now", "pains", "budget",
                      "procurement_process", "description", "next_step", "quoted_amount",
                      "discount_percent", "commercial_terms", "po_number", "po_date",
                      "po_amount", "source", "external_id")

STAGE_IS_NOT_A_FIELD = _(
    "The stage cannot be written directly. Move the opportunity through its stages with "
    "POST /api/v1/opportunities/{id}/transition/ (or the stage buttons on its page)."
)


def to_base_currency(amount: Decimal | None, currency: str, *,
                     rates: dict[str, Decimal] | None = None) -> Decimal | None:
    """`amount` in the base currency at the current rate; ValidationError if there is none.
    `rates` (currency -> rate), when given, saves the query (batches)."""
    if amount is None:
        return None
    currency = (currency or "").upper()
    if currency == settings.OSP_BASE_CURRENCY:
        rate = Decimal(1)
    elif rates is not None:
        rate = rates.get(currency)
    else:
        rate = (ExchangeRate.objects.filter(currency=currency)
                .values_list("rate_to_base", flat=True).first())
    if rate is None:  # from the batch's rates too (a sync batch with an unknown currency)
        raise ValidationError({"currency": _(
            "There is no exchange rate for %(currency)s; ask an administrator to add one."
        ) % {"currency": currency or "—"}})
    return (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount_in_base_currency(opportunity: Opportunity, *,
                            rates: dict[str, Decimal] | None = None) -> dict[str, list[str]]:
    """Spell the deal's currency in capitals and set its amount in the base currency;
    the errors by field (no exchange rate for the currency), none when it could. The
    services and the sync batch (with the batch's `rates`) ask this."""
    if opportunity.currency:
        opportunity.currency = opportunity.currency.upper()
    try:
        opportunity.amount_base = to_base_currency(opportunity.amount, opportunity.currency,
                                                   rates=rates)
    except ValidationError as e:
        return e.message_dict
    return {}


def count_close_date_push(opportunity: Opportunity, *, before, after) -> None:
    """Moving the expected close date later (`before` -> `after`) is a push, counted: a
    risk signal when it happens twice or more (opportunities.risks). The services and the
    sync batch ask this."""
    if before and after and after > before:
        opportunity.close_date_pushes += 1


def _save(opportunity: Opportunity) -> Opportunity:
    errors = amount_in_base_currency(opportunity)
    try:
        opportunity.full_clean(exclude=["stage", "amount_base"])
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    opportunity.save()
    return opportunity


def _set_related(opportunity: Opportunity, *, team=None, partners=None, competitors=None):
    if team is not None:
        users = [m["user"] for m in team]
        if len(set(users)) != len(users):
            raise ValidationError({"team": _("A colleague can be on the team only once.")})
        opportunity.team_members.all().delete()
        OpportunityTeamMember.objects.bulk_create(
            OpportunityTeamMember(opportunity=opportunity, user=m["user"], role=m["role"])
            for m in team
        )
    if partners is not None:
        keys = [(p["partner"], p["role"]) for p in partners]
        if len(set(keys)) != len(keys):
            raise ValidationError({"partners": _("The same partner is listed twice in the "
                                                 "same role.")})
        opportunity.deal_partners.all().delete()
        OpportunityPartner.objects.bulk_create(
            OpportunityPartner(opportunity=opportunity, partner=p["partner"], role=p["role"])
            for p in partners
        )
    if competitors is not None:
        names = sorted({c.strip() for c in competitors if c and c.strip()})
        objs = [Competitor.objects.get_or_create(name=n)[0] for n in names]
        opportunity.competitors.set(objs)


@transaction.atomic
def opportunity_create(*, user: User, team=None, partners=None, competitors=None,
                       **fields) -> Opportunity:
    """Create an opportunity as a lead. Who may: anyone who works on the account."""
    if "stage" in fields:
        raise ValidationError({"stage": STAGE_IS_NOT_A_FIELD})
    check_can_create(user, Opportunity)
    fields.setdefault("owner", user)
    fields.setdefault("currency", settings.OSP_BASE_CURRENCY)
    check_owner(user, fields["owner"])
    account = fields.get("account")
    if account is not None and not permissions.can_work_on(user, account):
        raise ValidationError({"account": _("You cannot open opportunities on this account.")})
    opportunity = Opportunity()
    apply_fields(opportunity, fields, allowed=OPPORTUNITY_FIELDS)
    _save(opportunity)
    _set_related(opportunity, team=team, partners=partners, competitors=competitors)
    return opportunity


def _check_edit(user: User, opportunity: Opportunity, fields: dict) -> None:
    """The opportunity's own rules for an edit, checked on the locked copy."""
    if "stage" in fields and fields["stage"] != opportunity.stage:
        raise ValidationError({"stage": STAGE_IS_NOT_A_FIELD})
    fields.pop("stage", None)
    moved = "account" in fields and fields["account"].pk != opportunity.account_id
    if moved and not permissions.can_work_on(user, fields["account"]):
        raise ValidationError({"account": _("You cannot move opportunities to this "
                                            "account.")})
    count_close_date_push(opportunity, before=opportunity.expected_close_date,
                          after=fields.get("expected_close_date"))


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, user: User, team=None, partners=None,
                       competitors=None, expected_version: int | None = None,
                       handover_reason: str = "", **fields) -> Opportunity:
    """Change what `fields` (and the team, partners, competitors lists) name, nothing
    else, on the row read under its lock; StaleRecord if `expected_version` is given and
    no longer the deal's. Handing the deal over is for its owner's management chain
    (osp.access.can_reassign)."""
    opportunity = record_update(opportunity, fields, allowed=OPPORTUNITY_FIELDS, user=user,
                                expected_version=expected_version, reason=handover_reason,
                                prepare=partial(_check_edit, user), save=_save)
    _set_related(opportunity, team=team, partners=partners, competitors=competitors)
    # Amounts, dates, partners and terms feed the gates and the approvals.
    opportunity_recheck(opportunity=opportunity,
                        cause=_("%(who)s edited the opportunity") % {"who": user})
    opportunity.refresh_from_db()
    return opportunity


@transaction.atomic
def activity_log(*, opportunity: Opportunity, user: User, subject: str, kind: str = "note",
                 notes: str = "", occurred_on=None) -> Activity:
    """Record a call, meeting, note... on an opportunity its team may change."""
    permissions.require_change(user, opportunity)
    activity = Activity(opportunity=opportunity, author=user, kind=kind, subject=subject,
                        notes=notes, occurred_on=occurred_on or timezone.localdate())
    activity.full_clean()
    activity.save()
    return activity


# --- The deal plan and the opportunity assessment (feed the stage-3 gate) -----------

@transaction.atomic
def opportunity_plan_save(*, opportunity, user, expected_version: int | None = None,
                          **sections) -> OpportunityPlan:
    """Save the plan as a new version when anything changed; sections not named keep the
    latest version's text. StaleRecord if `expected_version` (the version the writer
    read, 0 for none) is no longer the latest. A new version of an approved plan is a
    material change: the stage-3 approval no longer counts until it is approved again
    (the deal is moved back or flagged accordingly)."""
    permissions.require_change(user, opportunity)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValidationError({n: _("This field cannot be written here.") for n in unknown})
    # The deal's row lock orders writers of its plan, the first version's included.
    locked_copy(opportunity)
    latest = (OpportunityPlan.objects.filter(opportunity=opportunity)
              .order_by("-version").first())
    current = latest.version if latest else 0
    if expected_version is not None and expected_version != current and latest is not None:
        raise StaleRecord(latest, expected=expected_version, current=current)
    values = {name: (sections.get(name, getattr(latest, name, "") if latest else "") or "")
              .strip() for name in SECTIONS}
    if latest is not None and all(getattr(latest, n) == v for n, v in values.items()):
        return latest
    plan = OpportunityPlan(opportunity=opportunity, author=user,
                           version=(latest.version + 1) if latest else 1, **values)
    plan.record_rules_in_force()
    plan.save()
    opportunity_recheck(opportunity=opportunity,
                        cause=_("%(who)s saved version %(v)d of the plan") % {
                            "who": user, "v": plan.version})
    return plan


@transaction.atomic
def assessment_record(*, opportunity, user, answers: dict, competitor: str = "") -> Assessment:
    """Answer the assessment questions (code -> (answer, note)) for us, or as we judge the
    competitor named `competitor` (added to the competitors if new). Every question in use
    must be answered; a new record each time. Nothing is written, the competitor neither,
    unless the user may change the opportunity and every answer is valid."""
    permissions.require_change(user, opportunity)
    questions = {q.code: q for q in AssessmentQuestion.objects.filter(is_active=True)}
    errors = {}
    for code in questions:
        answer, note = answers.get(code) or ("", "")
        if answer not in Answer.values:
            errors[code] = _("Answer yes, no or unknown.")
        elif refused := null_character_errors({code: note}):
            errors.update(refused)
    unknown = sorted(set(answers) - set(questions))
    for code in unknown:
        errors[code] = _("Unknown question.")
    name = (competitor or "").strip()
    if name and (refused := Competitor.name_errors(name)):
        errors["competitor"] = refused
    if errors:
        raise ValidationError(errors)
    judged = Competitor.objects.get_or_create(name=name)[0] if name else None
    assessment = Assessment.objects.create(opportunity=opportunity, competitor=judged,
                                           stage=opportunity.stage, author=user)
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, question=questions[code],
                         answer=answers[code][0], note=(answers[code][1] or "")[:500])
        for code in questions)
    opportunity_recheck(opportunity=opportunity, cause=_("%(who)s recorded an assessment")
                        % {"who": user})
    return assessment
