"""Risk flags from the methodology's common problems, computed from the records and
explained in words. Each rule is an entry in RULES (a code, its words, a default threshold
and the condition a deal it flags meets); an administrator switches rules on and off and
sets thresholds (RiskRuleSetting). Adding a rule is adding an entry.

All rules are checked in one pass over the deals, one query whatever their number: each
rule is a column of the same SELECT. (They were once a UNION of one scan per rule; over a
director's 40,000 open deals of a quarter that was eight scans and 1 s.)"""

import datetime
import heapq
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import BuyingRole, Contact
from opportunities.models import (
    SELLING_STAGES,
    WON_STAGES,
    Activity,
    Attestation,
    Category,
    Opportunity,
    OpportunityPlan,
    RiskRuleSetting,
    Stage,
    StageCategory,
    WinLossAnalysis,
    stages_from,
)
from osp.fiscal import fiscal_quarter

FROM_5 = stages_from("5")
FROM_3 = [s for s in SELLING_STAGES if s in stages_from("3")]  # 3 .. 8


@dataclass(frozen=True)
class RiskRule:
    code: str
    text: str
    days: int | None
    condition: Callable  # (days, today) -> Q that the deals it flags meet


def _commit_without_sponsor(days, today):
    commit = [s for s, (c, _p) in StageCategory.mapping().items() if c == Category.COMMIT]
    sponsor = Contact.objects.filter(account_id=OuterRef("account_id"),
                                     buying_role=BuyingRole.BUSINESS_LEAD)
    return Q(stage__in=commit) & ~Exists(sponsor)


def _single_contact(days, today):
    engaged = (Attestation.objects.filter(opportunity_id=OuterRef("pk"), action="attest")
               .exclude(contact_name="").values("opportunity_id")
               .annotate(n=Count("contact_name", distinct=True)).values("n"))
    return Q(stage__in=FROM_5) & Q(LessThanOrEqual(Coalesce(Subquery(engaged), Value(0)), 1))


def _no_competitor(days, today):
    named = Opportunity.competitors.through.objects.filter(opportunity_id=OuterRef("pk"))
    return Q(stage__in=FROM_5) & ~Exists(named)


def _quote_before_5(days, today):
    return Q(stage__in=["lead", "2", "3", "4"], quoted_amount__isnull=False)


def _close_date_pushed(days, today):
    return Q(stage__in=SELLING_STAGES, close_date_pushes__gte=2)


def _stale_plan(days, today):
    # "The latest plan is older than the cutoff, or there is none" is "no plan since".
    cutoff = timezone.now() - datetime.timedelta(days=days)
    recent = OpportunityPlan.objects.filter(opportunity_id=OuterRef("pk"),
                                            created_at__gte=cutoff)
    return Q(stage__in=FROM_3) & ~Exists(recent)


def _no_activity(days, today):
    cutoff = today - datetime.timedelta(days=days)
    recent = Activity.objects.filter(opportunity_id=OuterRef("pk"), occurred_on__gte=cutoff)
    return Q(stage__in=SELLING_STAGES) & ~Exists(recent)


def _no_win_loss(days, today):
    cutoff = timezone.now() - datetime.timedelta(days=days)
    analysis = WinLossAnalysis.objects.filter(opportunity_id=OuterRef("pk"))
    return Q(stage__in=[*WON_STAGES, Stage.LOST], stage_entered_at__lt=cutoff) & ~Exists(
        analysis)


def _negotiating_past_the_quarter(days, today):
    # Stage 8 is negotiation of a deal that closes this quarter (it passed 7): a close date
    # moved past the quarter's end is a slip the forecast must show.
    return Q(stage=Stage.S8, expected_close_date__gt=fiscal_quarter(today).end)


RULES = [
    RiskRule("commit_without_sponsor", gettext_lazy(
        "Commit deal with no executive sponsor (business lead) on the decision map"), None,
        _commit_without_sponsor),
    RiskRule("single_contact", gettext_lazy(
        "Stage 5 or later with only one customer contact engaged"), None, _single_contact),
    RiskRule("no_competitor", gettext_lazy("No competitor recorded from stage 5"), None,
             _no_competitor),
    RiskRule("quote_before_5", gettext_lazy("A quote was given before stage 5"), None,
             _quote_before_5),
    RiskRule("close_date_pushed", gettext_lazy("Close date pushed out twice or more"), None,
             _close_date_pushed),
    RiskRule("stale_plan", gettext_lazy("Opportunity plan not updated for %(days)d days"), 30,
             _stale_plan),
    RiskRule("no_activity", gettext_lazy("No activity for %(days)d days"), 30, _no_activity),
    RiskRule("no_win_loss", gettext_lazy(
        "Won or lost %(days)d days ago with no win/loss analysis"), 14, _no_win_loss),
    RiskRule("negotiating_past_the_quarter", gettext_lazy(
        "In negotiation (stage 8) but the close date is after this quarter"), None,
        _negotiating_past_the_quarter),
]


def active_rules():
    settings = {s.code: s for s in RiskRuleSetting.objects.all()}
    for rule in RULES:
        setting = settings.get(rule.code)
        if setting is not None and not setting.enabled:
            continue
        days = setting.days if setting is not None and setting.days else rule.days
        yield rule, days


def _rules_in_force(today=None) -> tuple[list[str], list[Q]]:
    """The active rules' words and conditions (one query, for the settings)."""
    today = today or timezone.localdate()
    texts, conditions = [], []
    for rule, days in active_rules():
        texts.append(str(rule.text) % {"days": days} if days else str(rule.text))
        conditions.append(rule.condition(days, today))
    return texts, conditions


def _flagged(opportunities, conditions):
    """The deals that show at least one risk."""
    return opportunities.filter(reduce(operator.or_, conditions))


def _with_verdicts(opportunities, conditions):
    """The deals that show a risk, each rule's verdict a column risk_0, risk_1, ..."""
    return _flagged(opportunities, conditions).annotate(**{
        f"risk_{i}": ExpressionWrapper(c, output_field=BooleanField())
        for i, c in enumerate(conditions)})


def risk_flags(opportunities, today=None) -> dict[int, list[str]]:
    """opportunity id -> the risks it shows, in words, in the order of RULES, for the deals
    that show any: one query (and one for the rule settings)."""
    texts, conditions = _rules_in_force(today)
    if not conditions:
        return {}
    columns = [f"risk_{i}" for i in range(len(texts))]
    rows = _with_verdicts(opportunities, conditions).order_by().values_list("pk", *columns)
    return {pk: [text for text, hit in zip(texts, hits, strict=True) if hit]
            for pk, *hits in rows}


def flagged_deals(opportunities, *, limit: int, today=None):
    """(how many of `opportunities` show a risk, the `limit` largest of those by amount,
    each as (opportunity with account and owner, its risks in words)).

    Two queries whatever the number of deals: the flagged deals' ids and amounts (the
    largest picked here: asked to sort and stop at `limit`, PostgreSQL walks the amount
    index through every deal), then those few with their verdicts."""
    texts, conditions = _rules_in_force(today)
    if not conditions:
        return 0, []
    flagged = list(_flagged(opportunities, conditions).order_by()
                   .values_list("amount_base", "pk"))
    largest = [pk for _amount, pk in heapq.nlargest(limit, flagged,
                                                     key=lambda row: (row[0], -row[1]))]
    rows = {row.pk: row for row in _with_verdicts(
        Opportunity.objects.filter(pk__in=largest).select_related("account", "owner"),
        conditions)}
    return len(flagged), [
        (rows[pk], [text for i, text in enumerate(texts) if getattr(rows[pk], f"risk_{i}")])
        for pk in largest if pk in rows]


def opportunity_risks(opportunity) -> list[str]:
    return risk_flags(Opportunity.objects.filter(pk=opportunity.pk)).get(opportunity.pk, [])
