"""DRF settings hooks (kept free of view imports: DRF loads them while importing its
own views): pagination and the error shape."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Services raise Django's ValidationError/PermissionDenied; answer them as 400/403
    with field-level messages. A closed stage gate is a 422 listing the unmet criteria; a
    stage that changed under the caller is a 409."""
    import django_fsm as fsm
    from rest_framework.response import Response

    from opportunities.selling_cycle import GateClosed

    if isinstance(exc, GateClosed):
        return Response({
            "detail": exc.message,
            "unmet": [{"code": r.code, "text": r.criterion.text, "kind": r.criterion.kind,
                       "stage": r.criterion.stage} for r in exc.unmet],
        }, status=422)
    if isinstance(exc, fsm.ConcurrentTransition):
        return Response({"detail": str(exc)}, status=409)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                      exc.messages}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        exc = ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
