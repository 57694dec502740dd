"""The home page: what a rep or manager looks at first, drawn from every app."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from opportunities import selectors
from opportunities.models import PIPELINE_STAGES, Activity, Opportunity, Stage
from osp import access

OVERDUE_CAP = 1000  # the home page counts deals past their close date up to this


@login_required
def home(request):
    visible = access.visible_to(request.user, Opportunity)
    open_deals = visible.filter(stage__in=PIPELINE_STAGES)
    by_stage = selectors.stage_totals(request.user, PIPELINE_STAGES)
    funnel = [{"stage": s, "label": s.label, "n": by_stage.get(s.value, (0, 0))[0],
               "total": by_stage.get(s.value, (0, 0))[1]}
              for s in Stage if s.value in PIPELINE_STAGES]
    widest = max((row["total"] for row in funnel), default=0) or 1
    for row in funnel:
        row["width"] = round(100 * row["total"] / widest, 1)
    today = timezone.localdate()
    overdue = selectors.count_visible(
        request.user, Q(stage__in=PIPELINE_STAGES, expected_close_date__lt=today)
        & ~Q(stage__in=[Stage.S9, Stage.S9_5, Stage.S10]), cap=OVERDUE_CAP)
    return render(request, "home.html", {
        "funnel": funnel,
        "open_total": sum(row["total"] for row in funnel),
        "open_count": sum(row["n"] for row in funnel),
        "closing_soon": open_deals.filter(expected_close_date__gte=today)
        .exclude(stage__in=[Stage.S9_5, Stage.S10]).select_related("account")
        .order_by("expected_close_date")[:8],
        "overdue": min(overdue, OVERDUE_CAP),
        "overdue_more": overdue > OVERDUE_CAP,
        "recent_activities": Activity.objects.filter(opportunity__in=visible.values("pk"))
        .select_related("opportunity", "author").order_by("-occurred_on", "-pk")[:8],
    })
