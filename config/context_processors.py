from django.conf import settings
from django.db.models import F, Func, IntegerField, Subquery
from django.utils.functional import SimpleLazyObject

from opportunities.selling_cycle import approvals_waiting_for
from osp import permissions
from osp.models import Notification, User


def _number_of(queryset) -> Subquery:
    """`SELECT COUNT(*) FROM queryset`, as a value another query can select. (COUNT as a
    plain function, not Django's Count aggregate, so the subquery is not grouped.)"""
    counted = Func(F("pk"), function="COUNT", output_field=IntegerField())
    return Subquery(queryset.select_related(None).order_by().annotate(n=counted).values("n"),
                    output_field=IntegerField())


def navigation_badges(user) -> tuple[int, int]:
    """(approvals waiting for the user, the user's unread notifications): the counts in
    the navigation of every page, in one query."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return (User.objects.filter(pk=user.pk).order_by()
            .values_list(_number_of(approvals_waiting_for(user)), _number_of(unread))
            .get())


def osp(request):
    user = getattr(request, "user", None)
    context = {"company_name": settings.OSP_COMPANY_NAME,
               "base_currency": settings.OSP_BASE_CURRENCY}
    if user is not None and user.is_authenticated:
        context["can_open_finance_inbox"] = permissions.can_open_finance_inbox(user)
        # Lazy: counted only when the navigation is drawn.
        counts = SimpleLazyObject(lambda: navigation_badges(user))
        context["approvals_waiting"] = SimpleLazyObject(lambda: counts[0])
        context["unread_notifications"] = SimpleLazyObject(lambda: counts[1])
    return context
