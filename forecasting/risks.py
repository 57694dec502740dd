"""Risk flags from the methodology's common problems, computed from the records and
explained in words. Each rule is an entry in RULES (a code, its words, a default threshold
and a query that finds the deals it flags); an administrator switches rules on and off and
sets thresholds (RiskRuleSetting). Adding a rule is adding an entry. All rules together
cost one query, whatever the number of deals."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import BuyingRole, Contact
from forecasting.models import Category, RiskRuleSetting, StageCategory
from opportunities.models import Activity, Attestation, Opportunity, WinLossAnalysis

FROM_5 = ["5", "6", "7", "8", "9", "9.5", "10"]
FROM_3 = ["3", "4", "5", "6", "7", "8"]
OPEN = ["lead", "2", "3", "4", "5", "6", "7", "8"]


@dataclass(frozen=True)
class RiskRule:
    code: str
    text: str
    days: int | None
    flags: Callable  # (queryset, days, today) -> queryset of flagged opportunities


def _commit_without_sponsor(qs, days, today):
    commit = [s for s, (c, _p) in StageCategory.mapping().items() if c == Category.COMMIT]
    sponsor = Contact.objects.filter(account_id=OuterRef("account_id"),
                                     buying_role=BuyingRole.BUSINESS_LEAD)
    return qs.filter(stage__in=commit).exclude(Exists(sponsor))


def _single_contact(qs, days, today):
    from django.db.models import Count

    engaged = (Attestation.objects.filter(opportunity_id=OuterRef("pk"), action="attest")
               .exclude(contact_name="").values("opportunity_id")
               .annotate(n=Count("contact_name", distinct=True)).values("n"))
    return qs.filter(stage__in=FROM_5).annotate(engaged=Subquery(engaged)).filter(
        Q(engaged__lte=1) | Q(engaged__isnull=True))


def _no_competitor(qs, days, today):
    return qs.filter(stage__in=FROM_5, competitors__isnull=True)


def _quote_before_5(qs, days, today):
    return qs.filter(stage__in=["lead", "2", "3", "4"], quoted_amount__isnull=False)


def _close_date_pushed(qs, days, today):
    return qs.filter(stage__in=OPEN, close_date_pushes__gte=2)


def _stale_plan(qs, days, today):
    from plans.models import OpportunityPlan

    cutoff = timezone.now() - datetime.timedelta(days=days)
    last_plan = (OpportunityPlan.objects.filter(opportunity_id=OuterRef("pk"))
                 .values("opportunity_id").annotate(at=Max("created_at")).values("at"))
    return qs.filter(stage__in=FROM_3).annotate(plan_at=Subquery(last_plan)).filter(
        Q(plan_at__lt=cutoff) | Q(plan_at__isnull=True))


def _no_activity(qs, days, today):
    cutoff = today - datetime.timedelta(days=days)
    recent = Activity.objects.filter(opportunity_id=OuterRef("pk"), occurred_on__gte=cutoff)
    return qs.filter(stage__in=OPEN).exclude(Exists(recent))


def _no_win_loss(qs, days, today):
    cutoff = timezone.now() - datetime.timedelta(days=days)
    analysis = WinLossAnalysis.objects.filter(opportunity_id=OuterRef("pk"))
    return qs.filter(stage__in=["9", "9.5", "10", "lost"], stage_entered_at__lt=cutoff).exclude(
        Exists(analysis))


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
]


def active_rules():
    settings = {s.code: s for s in RiskRuleSetting.objects.all()}
    for rule in RULES:
        setting = settings.get(rule.code)
        if setting is not None and not setting.enabled:
            continue
        days = setting.days if setting is not None and setting.days else rule.days
        yield rule, days


def risk_flags(opportunities, today=None) -> dict[int, list[str]]:
    """opportunity id -> the risks it shows, in words, in the order of RULES. One query for
    all the rules (a UNION ALL of each rule's (id, rule) pairs), so a page with risk marks
    (the board) keeps to a fixed, small number of queries."""
    today = today or timezone.localdate()
    texts, flagged = [], []
    for index, (rule, days) in enumerate(active_rules()):
        texts.append(str(rule.text) % {"days": days} if days else str(rule.text))
        flagged.append(rule.flags(opportunities, days, today).order_by()
                       .annotate(rule=Value(index)).values_list("pk", "rule"))
    if not flagged:
        return {}
    hits: dict[int, set[int]] = {}
    for pk, index in flagged[0].union(*flagged[1:], all=True):
        hits.setdefault(pk, set()).add(index)
    return {pk: [texts[i] for i in sorted(indexes)] for pk, indexes in hits.items()}


def opportunity_risks(opportunity) -> list[str]:
    return risk_flags(Opportunity.objects.filter(pk=opportunity.pk)).get(opportunity.pk, [])
