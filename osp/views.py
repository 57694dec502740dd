"""The home page: what a rep or manager looks at first."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from opportunities import selectors
from opportunities.models import OPEN_STAGES, Activity, Stage
from osp import access
from osp.models import User

OVERDUE_CAP = 1000  # the home page counts deals past their close date up to this


@login_required
def home(request):
    visible = access.opportunities_visible_to(request.user)
    open_deals = visible.filter(stage__in=OPEN_STAGES)
    by_stage = selectors.stage_totals(request.user, OPEN_STAGES)
    funnel = [{"stage": s, "label": s.label, "n": by_stage.get(s.value, (0, 0))[0],
               "total": by_stage.get(s.value, (0, 0))[1]}
              for s in Stage if s.value in OPEN_STAGES]
    widest = max((row["total"] for row in funnel), default=0) or 1
    for row in funnel:
        row["width"] = round(100 * row["total"] / widest, 1)
    today = timezone.localdate()
    overdue = selectors.count_visible(
        request.user, Q(stage__in=OPEN_STAGES, expected_close_date__lt=today)
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


@login_required
def notifications(request):
    """What OSP told me; opening the page marks them read."""
    items = list(request.user.notifications.select_related("opportunity")[:100])
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "notifications.html", {"items": items})


def set_language(request):
    """Django's language switch, remembered on the user so e-mails follow it."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(
            settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a throttled sign-in: 429 and a page saying for how long."""
    return render(request, "registration/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }, status=429)


def server_error(request):
    """An unexpected error: never a stack trace; a reference people can quote instead.
    Rendered without the request's context processors, which may be what failed."""
    from django.http import HttpResponseServerError, JsonResponse
    from django.template import loader

    from osp.logs import request_id

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong on our side; nothing was "
                                         "saved. Please try again."),
                             "request_id": request_id.get()}, status=500)
    return HttpResponseServerError(
        loader.get_template("500.html").render({"request_id": request_id.get()}))
