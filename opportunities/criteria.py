"""The gate criteria of the selling cycle (METHODOLOGY.md §3): one catalogue, used by the
state machine's conditions, the checklists on the page, the API and the forecast.

A stage is *defined* by its criteria: an opportunity is at stage N only while every
criterion of every stage up to N holds. Each criterion has a stable code (`5.shortlisted`),
English and Chinese text, and a kind:
- derived: computed from the records;
- attested: a person confirms it, naming the customer contact, the date and evidence;
- approval: a still-valid manager approval;
- finance: recorded by finance.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import BuyingRole
from opportunities.models import (
    FINANCE_STAGES,
    LADDER,
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Assessment,
    AssessmentQuestion,
    Attestation,
    DealPartnerRole,
    FinanceRecord,
    OpportunityPlan,
    needs_assessment,
    required_depth,
    stage_rank,
)
from osp.fiscal import fiscal_quarter

DERIVED, ATTESTED, APPROVAL, FINANCE = "derived", "attested", "approval", "finance"
# An approved amount or quote may drift this much before the approval goes stale.
MATERIAL_CHANGE = Decimal("0.05")


@dataclass(frozen=True)
class Facts:
    """Everything the criteria read about one opportunity, loaded in a fixed number of
    queries (however long its history)."""

    opportunity: object
    contact_roles: frozenset
    partner_roles: frozenset
    attested: dict  # code -> the Attestation row in force (latest action is "attest")
    approvals: dict  # kind -> latest approved ApprovalRequest
    finance: dict  # kind -> latest FinanceRecord
    plan: object | None
    assessment_complete: bool
    today: object

    @classmethod
    def load(cls, opportunity) -> "Facts":
        latest = (Attestation.objects.filter(opportunity=opportunity)
                  .values("criterion").annotate(last=Max("pk")).values("last"))
        attestations = Attestation.objects.filter(pk__in=latest).select_related("by")
        approved = (ApprovalRequest.objects.filter(opportunity=opportunity,
                                                   status=ApprovalStatus.APPROVED)
                    .values("kind").annotate(last=Max("pk")).values("last"))
        finance = (FinanceRecord.objects.filter(opportunity=opportunity)
                   .values("kind").annotate(last=Max("pk")).values("last"))
        plan = OpportunityPlan.objects.filter(opportunity=opportunity).order_by("-version").first()
        return cls(
            opportunity=opportunity,
            contact_roles=frozenset(opportunity.account.contacts.exclude(buying_role="")
                                    .values_list("buying_role", flat=True)),
            partner_roles=frozenset(opportunity.deal_partners.values_list("role", flat=True)),
            attested={a.criterion: a for a in attestations if a.action == "attest"},
            approvals={a.kind: a for a in ApprovalRequest.objects.filter(pk__in=approved)
                       .select_related("approver")},
            finance={f.kind: f for f in FinanceRecord.objects.filter(pk__in=finance)},
            plan=plan,
            assessment_complete=_assessment_complete(opportunity, plan),
            today=timezone.localdate(),
        )


@dataclass(frozen=True)
class Criterion:
    code: str
    stage: str
    kind: str
    en: str
    zh: str
    check: Callable[[Facts], tuple[bool, str]] | None = None
    approval_kind: str = ""
    finance_kind: str = ""
    contact_role: str = ""  # whom an attestation normally names

    @property
    def text(self) -> str:
        return self.zh if (get_language() or "en").startswith("zh") else self.en


# --- Derived checks: (met, evidence in words) ----------------------------------------

def _has_contact(role):
    def check(f: Facts):
        return role in f.contact_roles, ""
    return check


def _budget(f: Facts):
    b = f.opportunity.budget
    return b is not None, (f"{b:,.0f} {f.opportunity.currency}" if b is not None else "")


def _procurement(f: Facts):
    return bool(f.opportunity.procurement_process.strip()), ""


def _assessment_complete(opportunity, plan) -> bool:
    """Our own latest assessment answers every question that was in use when the plan's
    latest version was written and still is: a question added since is asked from the
    next version on, and one taken out of use is no longer needed."""
    latest = (Assessment.objects.filter(opportunity=opportunity, competitor__isnull=True)
              .order_by("-pk").first())
    if latest is None:
        return False
    asked = AssessmentQuestion.objects.filter(is_active=True)
    if plan is not None and plan.assessment_questions is not None:
        asked = asked.filter(code__in=plan.assessment_questions)
    return set(asked.values_list("pk", flat=True)) <= set(
        latest.answers.values_list("question_id", flat=True))


def _plan_at_depth(f: Facts):
    if f.plan is None:
        return False, ""
    depth = required_depth(f.opportunity, f.plan.thresholds())
    missing = [str(m) for m in f.plan.missing_sections(depth)]
    if needs_assessment(depth) and not f.assessment_complete:
        missing.append("assessment")
    return not missing, f"v{f.plan.version}" + (f" ({', '.join(missing)})" if missing else "")


def _quote(f: Facts):
    q = f.opportunity.quoted_amount
    return q is not None, (f"{q:,.0f} {f.opportunity.currency}" if q is not None else "")


def _closes_this_quarter(f: Facts):
    quarter = fiscal_quarter(f.today)
    return f.opportunity.expected_close_date in quarter, str(quarter)


def _reseller(f: Facts):
    return DealPartnerRole.RESELLER in f.partner_roles, ""


def _po(f: Facts):
    o = f.opportunity
    met = bool(o.po_number.strip()) and o.po_date is not None and o.po_amount is not None
    return met, (f"{o.po_number} · {o.po_date}" if met else "")


def _c(code, kind, en, zh, **kw):
    return Criterion(code=code, stage=code.rsplit(".", 1)[0] if code.startswith("9.5")
                     else code.split(".")[0], kind=kind, en=en, zh=zh, **kw)


TECH, BIZ = BuyingRole.TECHNICAL_LEAD, BuyingRole.BUSINESS_LEAD

CATALOGUE: list[Criterion] = [
    # Stage 2: the technical lead confirms the project is initiated; budget and procurement.
    _c("2.technical_lead", DERIVED, "A technical lead is identified among the customer's "
       "contacts", "已在客户联系人中确定技术主管", check=_has_contact(TECH)),
    _c("2.project_initiated", ATTESTED, "The technical lead confirms the project is formally "
       "initiated", "客户技术主管确认项目已正式立项", contact_role=TECH),
    _c("2.budget", DERIVED, "The budget is recorded", "已明确并记录预算", check=_budget),
    _c("2.procurement", DERIVED, "The procurement process is recorded", "已明确并记录采购流程",
       check=_procurement),
    # Stage 3: the manager approves the plan to win.
    _c("3.plan", DERIVED, "The opportunity plan is written at the depth this deal requires",
       "已按商机规模要求的深度完成项目计划", check=_plan_at_depth),
    _c("3.plan_approved", APPROVAL, "The manager approved this version of the plan to win",
       "经理已批准当前版本的赢单计划", approval_kind=ApprovalKind.OPPORTUNITY_PLAN),
    # Stage 4: the business lead confirms project and funding, and supports our assessment.
    _c("4.business_lead", DERIVED, "A business lead (executive sponsor) is identified",
       "已确定客户业务主管(高层支持者)", check=_has_contact(BIZ)),
    _c("4.funding_confirmed", ATTESTED, "The business lead confirms the project and its "
       "funding are in place", "客户业务主管确认项目和经费已落实", contact_role=BIZ),
    _c("4.supports_assessment", ATTESTED, "The business lead commits to support our "
       "assessment of the project", "客户业务主管承诺支持我方就项目开展研讨", contact_role=BIZ),
    # Stage 5: the technical lead short-lists us and agrees with the solution approach.
    _c("5.shortlisted", ATTESTED, "The technical lead confirms we are short-listed",
       "客户技术主管确认我方入围", contact_role=TECH),
    _c("5.solution_approach", ATTESTED, "The technical lead agrees with our solution approach",
       "客户技术主管同意我方解决方案的思路", contact_role=TECH),
    # Stage 6: technical win, initial quote accepted, quoting strategy approved.
    _c("6.technical_win", ATTESTED, "The technical lead confirms we won technically",
       "客户技术主管确认我方在技术上胜出", contact_role=TECH),
    _c("6.quote_recorded", DERIVED, "The initial quote is recorded", "已记录初始报价",
       check=_quote),
    _c("6.quote_accepted", ATTESTED, "The technical lead accepts the initial quote",
       "客户技术主管同意初始报价", contact_role=TECH),
    _c("6.quoting_strategy_approved", APPROVAL, "The manager approved the quoting strategy",
       "经理同意报价策略", approval_kind=ApprovalKind.QUOTING_STRATEGY),
    # Stage 7: the business lead approves solution, quote, timing and commercial process.
    _c("7.solution_and_quote", ATTESTED, "The business lead approved our solution and quote",
       "客户业务主管同意我方的方案和报价", contact_role=BIZ),
    _c("7.purchase_this_quarter", ATTESTED, "The business lead confirmed the purchase this "
       "quarter", "客户业务主管确认将在本季度采购", contact_role=BIZ),
    _c("7.commercial_process", ATTESTED, "The business lead confirmed the commercial process",
       "客户业务主管确认了商务流程", contact_role=BIZ),
    _c("7.closes_this_quarter", DERIVED, "The expected close date is in the current fiscal "
       "quarter", "预计成交日期在本财季内", check=_closes_this_quarter),
    _c("7.price_terms_approved", APPROVAL, "The manager approved price, discount and "
       "commercial terms", "经理同意价格、折扣和有关商务条款",
       approval_kind=ApprovalKind.PRICE_TERMS),
    # Stage 8: a reseller negotiates with the customer.
    _c("8.reseller", DERIVED, "A reseller is on the deal", "已确定代理商", check=_reseller),
    _c("8.negotiation_started", ATTESTED, "The reseller and the customer have started "
       "commercial negotiation", "代理商与客户已开始商务谈判"),
    # Stage 9: purchase order received.
    _c("9.po_recorded", DERIVED, "The PO number, date and amount are recorded",
       "已记录订单(PO)编号、日期和金额", check=_po),
    # Finance only.
    _c("9.5.payment_received", FINANCE, "Finance recorded the reseller's payment",
       "财务已登记代理商的合同汇款", finance_kind=FinanceRecord.Kind.PAYMENT),
    _c("10.booked", FINANCE, "Finance booked it as sales achievement (reference and period)",
       "财务已计入销售业绩(登记编号和期间)", finance_kind=FinanceRecord.Kind.BOOKING),
]
BY_CODE = {c.code: c for c in CATALOGUE}
APPROVAL_STAGE = {c.approval_kind: c.stage for c in CATALOGUE if c.kind == APPROVAL}


def criteria_for_stage(stage: str) -> list[Criterion]:
    return [c for c in CATALOGUE if c.stage == stage]


def criteria_up_to(stage: str) -> list[Criterion]:
    rank = stage_rank(stage)
    return [c for c in CATALOGUE if stage_rank(c.stage) <= rank]


# --- Approvals: what they approve, and when that goes stale -------------------------

def approval_facts(kind: str, opportunity, plan=None) -> dict:
    """The facts an approval of `kind` approves, as stored on the request."""
    o = opportunity
    if kind == ApprovalKind.OPPORTUNITY_PLAN:
        return {"plan_version": plan.version if plan else None}
    if kind == ApprovalKind.QUOTING_STRATEGY:
        return {"quoted_amount": str(o.quoted_amount) if o.quoted_amount is not None else None,
                "amount_base": str(o.amount_base)}
    if kind == ApprovalKind.PRICE_TERMS:
        return {"amount_base": str(o.amount_base),
                "discount_percent": (str(o.discount_percent)
                                     if o.discount_percent is not None else None),
                "commercial_terms": o.commercial_terms.strip()}
    return {}


def _drifted(approved, current) -> bool:
    if approved is None or current is None:
        return approved != current
    approved, current = Decimal(approved), Decimal(current)
    if approved == 0:
        return current != 0
    return abs(current - approved) / approved > MATERIAL_CHANGE


def stale_reasons(approved: dict, current: dict) -> list[str]:
    """Which approved facts changed materially (amounts by more than 5%, anything else at
    all); empty when the approval still counts."""
    reasons = []
    for key, value in approved.items():
        now = current.get(key)
        changed = (_drifted(value, now) if key in ("quoted_amount", "amount_base")
                   else value != now)
        if changed:
            reasons.append(key)
    return reasons


# --- Evaluation ----------------------------------------------------------------------

@dataclass
class Result:
    criterion: Criterion
    met: bool
    evidence: str = ""
    attestation: object | None = None
    approval: object | None = None
    stale: list = field(default_factory=list)

    @property
    def code(self):
        return self.criterion.code

    def as_dict(self) -> dict:
        c = self.criterion
        a = self.attestation
        return {
            "code": c.code, "stage": c.stage, "kind": c.kind, "text": c.text,
            "text_en": c.en, "text_zh": c.zh, "met": self.met, "evidence": self.evidence,
            "attestation": None if a is None else {
                "id": a.pk, "note": a.note, "contact": a.contact_id,
                "contact_name": a.contact_name,
                "date": a.occurred_on.isoformat(), "by": str(a.by),
                "evidence_url": a.evidence_url,
                "has_file": bool(a.evidence_file),
            },
            "approval": None if self.approval is None else {
                "id": self.approval.pk, "approver": str(self.approval.approver),
                "stale": self.stale,
            },
        }


class Evaluation:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.results: dict[str, Result] = {}
        for c in CATALOGUE:
            self.results[c.code] = self._evaluate(c)

    def _evaluate(self, c: Criterion) -> Result:
        f = self.facts
        if c.kind == DERIVED:
            met, evidence = c.check(f)
            return Result(c, met, evidence)
        if c.kind == ATTESTED:
            a = f.attested.get(c.code)
            if a is None:
                return Result(c, False)
            who = f" ({a.contact_name})" if a.contact_name else ""
            return Result(c, True, f"{a.occurred_on}{who}: {a.note}", attestation=a)
        if c.kind == APPROVAL:
            approval = f.approvals.get(c.approval_kind)
            if approval is None:
                return Result(c, False)
            stale = stale_reasons(approval.approved_facts,
                                  approval_facts(c.approval_kind, f.opportunity, f.plan))
            return Result(c, not stale, str(approval.approver), approval=approval, stale=stale)
        record = f.finance.get(c.finance_kind)
        if record is None:
            return Result(c, False)
        return Result(c, True, " · ".join(x for x in (record.reference, record.period) if x))

    def unmet_up_to(self, stage: str, *, ignore: str = "") -> list[Result]:
        """What entering `stage` still needs: every criterion of stages 2…`stage`. Past
        the PO (9.5, 10) only finance's: the deal is won and its earlier criteria are
        history (METHODOLOGY.md §3), so a deal won last quarter, or imported won, can
        still be paid and booked."""
        needed = criteria_up_to(stage)
        if stage in FINANCE_STAGES:
            needed = [c for c in needed if c.stage in FINANCE_STAGES]
        return [self.results[c.code] for c in needed
                if not self.results[c.code].met and c.code != ignore]

    def met_codes(self) -> list[str]:
        return [code for code, r in self.results.items() if r.met]

    def highest_stage_held(self, floor: str = "3", ceiling: str = "10") -> str:
        """The highest stage between floor and ceiling whose criteria (and all below)
        hold; `floor` if none does."""
        best = floor
        for stage in LADDER[LADDER.index(floor):LADDER.index(ceiling) + 1]:
            if self.unmet_up_to(stage):
                break
            best = stage
        return best


def evaluate(opportunity, facts: Facts | None = None) -> Evaluation:
    return Evaluation(facts or Facts.load(opportunity))
