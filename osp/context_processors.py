from django.conf import settings
from django.utils.functional import SimpleLazyObject


def osp(request):
    user = getattr(request, "user", None)
    context = {"company_name": settings.OSP_COMPANY_NAME,
               "base_currency": settings.OSP_BASE_CURRENCY}
    if user is not None and user.is_authenticated:
        from opportunities.models import ApprovalRequest, ApprovalStatus

        # Lazy: counted only when the navigation is drawn.
        context["approvals_waiting"] = SimpleLazyObject(
            lambda: ApprovalRequest.objects.filter(approver=user,
                                                   status=ApprovalStatus.PENDING).count())
        context["unread_notifications"] = SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count())
    return context
