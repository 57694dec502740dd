from django.conf import settings
from django.db import connection
from django.utils.functional import SimpleLazyObject


def _navigation_counts(user) -> tuple[int, int]:
    """The navigation's two badges, approvals waiting for the user and unread
    notifications, in one statement. Every page draws them; as two ORM counts, or as one
    ORM query of two subqueries, building the queries cost more than answering them."""
    from opportunities.models import ApprovalRequest, ApprovalStatus
    from osp.models import Notification

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {quote(ApprovalRequest._meta.db_table)} "
            "WHERE approver_id = %s AND status = %s), "
            f"(SELECT COUNT(*) FROM {quote(Notification._meta.db_table)} "
            "WHERE recipient_id = %s AND read_at IS NULL)",
            [user.pk, ApprovalStatus.PENDING.value, user.pk])
        return cursor.fetchone()


def osp(request):
    user = getattr(request, "user", None)
    context = {"company_name": settings.OSP_COMPANY_NAME,
               "base_currency": settings.OSP_BASE_CURRENCY}
    if user is not None and user.is_authenticated:
        # Lazy: counted only when the navigation is drawn.
        counts = SimpleLazyObject(lambda: _navigation_counts(user))
        context["approvals_waiting"] = SimpleLazyObject(lambda: counts[0])
        context["unread_notifications"] = SimpleLazyObject(lambda: counts[1])
    return context
