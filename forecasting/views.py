"""The forecast page: totals per category against quota, the funnel, the commit/best-case
trend over the quarter's snapshots, drill-down, changes since last week, risk flags,
manager adjustments, and the spreadsheet export."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forecasting import selectors, services
from forecasting.changes import snapshot_changes
from forecasting.models import ForecastSnapshot, SnapshotLine
from opportunities.models import FINISHED_STAGES, LADDER, Category, Opportunity, Stage
from opportunities.risks import flagged_deals
from osp import access, permissions
from osp.fiscal import parse_period
from osp.models import User
from osp.pages import redirect_next

CHART_CATEGORIES = [Category.COMMIT, Category.BEST_CASE]
FLAGGED_SHOWN = 25  # the largest flagged deals; the heading gives how many there are


def _drill(node, period, stages) -> str:
    """The opportunity list showing exactly the deals behind a number."""
    params = [("period", period.label)] + [("stage", s) for s in stages]
    if node.kind == "user":
        params.append(("team", node.obj.pk))
    elif node.kind == "account":
        params.append(("account", node.obj.pk))
    return reverse("opportunity-list") + "?" + urlencode(params)


def _funnel(rollup, node, period) -> list[dict]:
    widest = max((c.amount for c in rollup.stages.values()), default=Decimal(0)) or 1
    rows = []
    for stage in LADDER:
        cell = rollup.stages.get(stage)
        amount = cell.amount if cell else Decimal(0)
        rows.append({"stage": stage, "label": Stage(stage).label, "amount": amount,
                     "count": cell.count if cell else 0,
                     "width": float(amount / widest * 100),
                     "url": _drill(node, period, [stage])})
    return rows


def _trend(node, period) -> list[dict]:
    """Commit and best case at each snapshot taken in the period (one query)."""
    snapshots = list(ForecastSnapshot.objects.filter(
        taken_at__date__range=(period.start, period.end)).order_by("taken_at")[:26])
    if not snapshots or node.kind != "user":
        return []
    owners = access.scope_user_ids(node.obj)
    totals = {}
    for row in (SnapshotLine.objects.filter(snapshot__in=snapshots, owner_id_at__in=owners,
                                            category__in=CHART_CATEGORIES,
                                            expected_close_date__range=(period.start,
                                                                        period.end))
                .values("snapshot_id", "category").annotate(total=Sum("amount_base"))):
        totals[(row["snapshot_id"], row["category"])] = row["total"] or Decimal(0)
    top = max(totals.values(), default=Decimal(0)) or 1
    points = []
    for i, snap in enumerate(snapshots):
        x = 40 + (i * 520 / max(len(snapshots) - 1, 1))
        point = {"x": round(x, 1), "date": snap.taken_at.date()}
        for cat in CHART_CATEGORIES:
            value = totals.get((snap.pk, cat), Decimal(0))
            point[cat] = value
            point[f"y_{cat}"] = round(180 - float(value / top) * 160, 1)
        points.append(point)
    return points


@login_required
def forecast_page(request):
    user = request.user
    node = selectors.parse_node(user, request.GET.get("node"))
    period = parse_period(request.GET.get("period"))
    rollup = selectors.forecast_rollup(user=user, node=node, period=period)
    opportunities = selectors.node_opportunities(user, node)
    # The risks of this forecast: its open deals closing in the period. (All of a
    # director's open deals, every quarter, were seconds of work on every view.)
    open_deals = opportunities.exclude(stage__in=FINISHED_STAGES).filter(
        expected_close_date__range=(period.start, period.end))
    flag_count, flagged = flagged_deals(open_deals, limit=FLAGGED_SHOWN)
    previous = ForecastSnapshot.objects.order_by("-taken_at").first()
    owners = access.scope_user_ids(node.obj) if node.kind == "user" else None
    changes = snapshot_changes(previous, None, owners=owners)[:100] if previous else []
    names = dict(Opportunity.objects.filter(pk__in=[c.opportunity_id for c in changes])
                 .values_list("pk", "name"))
    categories = [{"key": c, "label": Category(c).label, "cell": rollup.categories[c],
                   "url": _drill(node, period, [s for s, (cat, _p) in rollup.mapping.items()
                                                if cat == c])}
                  for c in selectors.FORECAST_CATEGORIES]
    trend = _trend(node, period)
    polyline = {cat: " ".join(f"{p['x']},{p[f'y_{cat}']}" for p in trend)
                for cat in CHART_CATEGORIES}
    manages = permissions.can_manage_forecast(user)
    return render(request, "forecasting/forecast.html", {
        "node": node, "period": period, "rollup": rollup, "categories": categories,
        "funnel": _funnel(rollup, node, period), "trend": trend,
        "polyline": polyline,
        "changes": [{"change": c, "name": names.get(c.opportunity_id, "")} for c in changes],
        "previous": previous,
        "flagged": [{"opportunity": o, "risks": risks} for o, risks in flagged],
        "flag_count": flag_count,
        "team": (User.objects.filter(pk__in=access.scope_user_ids(user)).exclude(pk=user.pk)
                 if manages else []),
        # Snapshots, and the adjust column on a person's forecast (each adjustment is then
        # permissions.can_adjust_forecast's, in forecasting.services).
        "can_adjust": node.kind == "user" and manages,
        "periods": _period_choices(period),
        "query": request.GET.urlencode(),
    })


def _period_choices(current):
    from osp.fiscal import fiscal_quarter

    q = fiscal_quarter(current.end)
    year = q.year
    return [f"FY{year} Q{i}" for i in range(1, 5)] + [f"FY{year}", f"FY{year + 1} Q1"]


@login_required
@require_POST
def adjust(request):
    subject = access.get_visible_or_404(request.user, User, request.POST.get("subject"))
    category = request.POST.get("category", "")
    # The number the page showed for that category (0: none): osp.concurrency's rule.
    seen = request.POST.get(f"seen_{category}", "")
    try:
        amount = Decimal(request.POST.get("amount", ""))
        services.forecast_adjust(manager=request.user, subject=subject,
                                 period=request.POST.get("period", ""),
                                 category=category, amount=amount,
                                 note=request.POST.get("note", ""),
                                 based_on=int(seen) if seen.isdigit() else None)
    except (InvalidOperation, ValidationError) as e:
        messages.error(request, _("An adjustment needs an amount and a note.")
                       if isinstance(e, InvalidOperation) else " ".join(e.messages))
    else:
        messages.success(request, _("Adjustment recorded."))
    return redirect_next(request, "forecast")


@login_required
@require_POST
def take_snapshot(request):
    if not permissions.can_manage_forecast(request.user):
        raise PermissionDenied(_("Managers take snapshots."))
    services.forecast_snapshot_take(user=request.user, label=_("on demand"))
    messages.success(request, _("Snapshot taken."))
    return redirect_next(request, "forecast")


@login_required
def export(request):
    from forecasting.export import export_response

    return export_response(request.user, request.GET)
