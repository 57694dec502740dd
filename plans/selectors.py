"""Reads for plan pages: the figures and lists a plan pulls live from the records."""

import difflib

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.selectors import org_chart, territory_subtree_ids
from opportunities.models import UNPAID_STAGES, Opportunity, StageChange
from osp.fiscal import fiscal_quarter, fiscal_year_start
from plans.models import PLAN_SECTIONS, PlanKind


def _ytd(opportunities, today=None, quotas=None) -> dict:
    """Booked and won (PO received) in the fiscal year so far, in the base currency, and
    the attainment against the year's quota when there is one."""
    today = today or timezone.localdate()
    start = fiscal_year_start(today)

    def reached(stage):
        ids = StageChange.objects.filter(to_stage=stage, at__date__gte=start,
                                         opportunity__in=opportunities).values("opportunity")
        return (Opportunity.objects.filter(pk__in=ids).aggregate(s=Sum("amount_base"))["s"]
                or 0)
    booked, won = reached("10"), reached("9")
    quota = None
    if quotas is not None:
        quota = quotas.filter(fiscal_year=fiscal_quarter(today).year).aggregate(
            s=Sum("amount"))["s"]
    return {"fiscal_year_start": start, "booked": booked, "won": won, "quota": quota,
            "booked_pct": round(100 * booked / quota) if quota else None,
            "won_pct": round(100 * won / quota) if quota else None}


def plan_overview(plan) -> dict:
    """The live part of a plan: named accounts and key opportunities, the org chart, the
    pipeline, and year-to-date figures. (An account plan's pipeline, in the forecast
    sheet's format, is forecasting's section of the plan page: forecasting/sections.py.)"""
    if plan.kind == PlanKind.TERRITORY:
        accounts = Account.objects.filter(territory_id__in=territory_subtree_ids(plan.territory.pk))
        deals = Opportunity.objects.filter(account__in=accounts)
        return {
            "named_accounts": accounts.filter(is_named=True).select_related("owner"),
            "key_opportunities": deals.filter(stage__in=UNPAID_STAGES).select_related("account")
            .order_by("-amount_base")[:10],
            "ytd": _ytd(deals, quotas=plan.territory.quotas.all()),
        }
    if plan.kind == PlanKind.ACCOUNT:
        return {
            "org_chart": org_chart(list(plan.account.contacts.all())),
            "ytd": _ytd(plan.account.opportunities.all()),
        }
    deals = Opportunity.objects.filter(deal_partners__partner=plan.partner).distinct()
    return {
        "pipeline": deals.filter(stage__in=UNPAID_STAGES).select_related("account", "owner")
        .order_by("expected_close_date")[:50],
        "ytd": _ytd(deals),
    }


def compare_versions(a, b) -> list[dict]:
    """Section by section, old beside new, with the changed words marked."""
    rows = []
    names = list(dict.fromkeys([*a.content["sections"], *b.content["sections"]]))
    for name in names:
        old, new = a.content["sections"].get(name, ""), b.content["sections"].get(name, "")
        rows.append({"label": PLAN_SECTIONS.get(name, name), "old": old, "new": new,
                     "changed": old != new,
                     "ratio": round(difflib.SequenceMatcher(None, old, new).ratio() * 100)})
    target_a, target_b = a.content.get("fiscal_year_target"), b.content.get("fiscal_year_target")
    if target_a or target_b:
        rows.append({"label": _("Target for the fiscal year"), "old": target_a or "",
                     "new": target_b or "", "changed": target_a != target_b, "ratio": 0})
    return rows
