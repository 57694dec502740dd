from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.functional import SimpleLazyObject

from osp import permissions

_SOMEONE = -7919  # a user id nobody has: where the compiled statement takes the user's


@cache
def _badges_statement() -> tuple[str, list]:
    """The navigation's two badges as one statement, compiled once from the querysets that
    define them: the approvals inbox's (selling_cycle.approvals_waiting_for) and the
    unread notifications. Every page draws them; building two ORM counts a request cost
    more than answering them."""
    from opportunities.selling_cycle import approvals_waiting_for
    from osp.models import Notification, User

    counts, params = [], []
    for listed in (approvals_waiting_for(User(pk=_SOMEONE)),
                   Notification.objects.filter(recipient_id=_SOMEONE, read_at__isnull=True)):
        sql, part = listed.select_related(None).order_by().values("pk").query.sql_with_params()
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params += part
    return "SELECT " + ", ".join(counts), params


def _navigation_counts(user) -> tuple[int, int]:
    """(approvals waiting for the user, the user's unread notifications)."""
    sql, params = _badges_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if p == _SOMEONE else p for p in params])
        return cursor.fetchone()


def osp(request):
    user = getattr(request, "user", None)
    context = {"company_name": settings.OSP_COMPANY_NAME,
               "base_currency": settings.OSP_BASE_CURRENCY}
    if user is not None and user.is_authenticated:
        context["can_open_finance_inbox"] = permissions.can_open_finance_inbox(user)
        # Lazy: counted only when the navigation is drawn.
        counts = SimpleLazyObject(lambda: _navigation_counts(user))
        context["approvals_waiting"] = SimpleLazyObject(lambda: counts[0])
        context["unread_notifications"] = SimpleLazyObject(lambda: counts[1])
    return context
