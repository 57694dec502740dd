"""DRF settings hooks (kept free of view imports: DRF loads them while importing its
own views): pagination and the error shape."""

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import pagination
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.fields import BooleanField, IntegerField
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from osp.concurrency import StaleRecord, stale_message
from osp.keyset import InvalidCursor, keyset_page


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """DRF quietly ignores a page size that is not a positive number; refuse it (400),
        as every other bad input is. Above the maximum, the maximum."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        messages = IntegerField.default_error_messages
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationError({self.page_size_query_param: [messages["invalid"]]})
        if int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [
                messages["min_value"].format(min_value=1)]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class KeysetPagination(pagination.CursorPagination):
    """For lists that grow large (opportunities): `next` and `previous` links carry a
    `cursor` (osp.keyset) instead of a page number, and there is no `count`: at a million
    rows a count, and reaching page 400 by OFFSET, each read every visible row on every
    request. Ordering stays free (`?ordering=` over the view's ordering fields, ending
    with the id); `page_size` as on every list."""

    page_size = Pagination.page_size
    page_size_query_param = Pagination.page_size_query_param
    max_page_size = Pagination.max_page_size
    get_page_size = Pagination.get_page_size
    ordering = "pk"
    page_number_refused = gettext_lazy(
        "This list pages by cursor, not by page number: follow the next and previous links.")

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError({"page": [self.page_number_refused]})
        self.request = request
        self.base_url = request.build_absolute_uri()
        try:
            self.page = keyset_page(queryset, size=self.get_page_size(request),
                                    cursor=request.query_params.get(self.cursor_query_param))
        except InvalidCursor:
            raise NotFound(self.invalid_cursor_message) from None
        if self.template is not None:
            self.display_page_controls = True
        return self.page.rows

    def _link(self, cursor):
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self):
        return self._link(self.page.next_cursor)

    def get_previous_link(self):
        return self._link(self.page.previous_cursor)


class _StrictNullBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the value as sent, not mapped to "unknown"

    def to_python(self, value):
        result = super().to_python(value.lower() if isinstance(value, str) else value)
        if result is None and value not in (None, ""):
            raise forms.ValidationError(BooleanField.default_error_messages["invalid"],
                                        code="invalid")
        return result


class _BooleanFilter(filters.BooleanFilter):
    field_class = _StrictNullBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class _IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class FilterSet(filters.FilterSet):
    """django-filter's, except that a filter value it cannot read is a 400 rather than no
    filter at all (`?is_active=maybe`) or a near miss (`?quarter=0.5`)."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": _BooleanFilter},
        **{field: {"filter_class": _IntegerFilter} for field in (
            models.SmallIntegerField, models.IntegerField, models.BigIntegerField,
            models.PositiveSmallIntegerField, models.PositiveIntegerField,
            models.PositiveBigIntegerField)},
    }


_filtersets: dict = {}  # (view class, model) -> the FilterSet of its filterset_fields


class FilterBackend(filters.DjangoFilterBackend):
    filterset_base = FilterSet

    def get_filterset_class(self, view, queryset=None):
        """django-filter builds the FilterSet class of `filterset_fields` anew on every
        request (a few milliseconds); it depends only on the view and the model."""
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        if key not in _filtersets:
            _filtersets[key] = super().get_filterset_class(view, queryset)
        return _filtersets[key]

    def filter_queryset(self, request, queryset, view):
        # Without any of its parameters a FilterSet filters nothing, yet costs a deep copy
        # of every filter: skip it on the plain list, the most requested page.
        filterset_class = self.get_filterset_class(view, queryset)
        # (A prefix: range widgets read `<name>_min`, `<name>_after`...)
        if filterset_class is not None and not any(
                param.startswith(name) for param in request.query_params
                for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


def exception_handler(exc, context):
    """Services raise Django's ValidationError/PermissionDenied; answer them as 400/403
    with field-level messages. A closed stage gate is a 422 listing the unmet criteria; a
    stage that changed under the caller is a 409; a write from a copy that is no longer
    current (a stale If-Match) is a 412."""
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
    if isinstance(exc, StaleRecord):
        return Response({"detail": stale_message(exc), "current_version": exc.current},
                        status=412, headers={"ETag": f'"{exc.current}"'})
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "conflict":
        # Someone else got there first (e.g. an approval already decided).
        return Response({"detail": exc.messages[0]}, status=409)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                      exc.messages}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        exc = ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
