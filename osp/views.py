"""The core's pages: notifications, when I am away, the language switch, the sign-in
lockout and the error page. (The home page, which reads every app, is the project's:
config.views.)"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from osp import services
from osp.forms import AwayForm
from osp.logs import request_id
from osp.models import User
from osp.pages import add_service_errors


@login_required
def away(request):
    """Say when I am away (or back): meanwhile my pending and new approvals go to the next
    manager up, and come back to me when I return."""
    user = request.user
    form = AwayForm(request.POST or None, initial={"away_from": user.away_from,
                                                   "away_until": user.away_until})
    if request.method == "POST":
        back = "back" in request.POST
        if back or form.is_valid():
            data = {} if back else form.cleaned_data
            try:
                services.user_away_set(actor=user, user=user,
                                       away_from=data.get("away_from"),
                                       away_until=data.get("away_until"))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("You are marked back.") if back or not data.get(
                    "away_from") else _("Saved. Your approvals go to %(manager)s while you "
                                        "are away.") % {"manager": user.manager or "—"})
                return redirect("away")
    return render(request, "away.html", {"form": form, "manager": user.manager})


@login_required
def notifications(request):
    """What OSP told me; opening the page marks them read."""
    items = list(request.user.notifications.select_related("opportunity")[:100])
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "notifications.html", {"items": items})


def set_language(request):
    """Django's language switch, remembered on the user so e-mails follow it."""
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
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong on our side; nothing was "
                                         "saved. Please try again."),
                             "request_id": request_id.get()}, status=500)
    return HttpResponseServerError(
        loader.get_template("500.html").render({"request_id": request_id.get()}))
