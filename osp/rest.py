"""DRF settings hooks (kept free of view imports: DRF loads them while importing its
own views): the JSON parser, pagination, search and ordering, and the error shape."""

import django_fsm as fsm
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext, gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import filters as drf_filters
from rest_framework import negotiation, pagination, parsers, renderers, status
from rest_framework.exceptions import (
    APIException,
    NotFound,
    ParseError,
    PermissionDenied,
    ValidationError,
)
from rest_framework.fields import BooleanField, IntegerField
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import json
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from osp.concurrency import StaleRecord, stale_message
from osp.errors import RuleRefused
from osp.keyset import InvalidCursor, keyset_page

# No request body of ours nests deeper than 3 levels ({"records": [{...}]}); anything past
# this is refused before code that walks the data (the type checks, DRF's nested fields,
# the idempotency fingerprint) could run out of stack on it.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self, limit: int | None):
        self.limit = limit
        super().__init__(gettext(
            "The body is larger than this address takes (at most %(max)s bytes). Nothing "
            "was written.") % {"max": limit})


class JSONParser(parsers.BaseParser):
    """DRF's JSON parser, bounded. The body may be at most the view's `max_body_bytes`
    (Django's DATA_UPLOAD_MAX_MEMORY_SIZE unless the view says more: the sync batches),
    else 413; JSON nested deeper than MAX_JSON_DEPTH is a 400, not a RecursionError.

    Not a subclass of DRF's JSONParser on purpose: DRF reads the body of those through
    `HttpRequest.body`, which applies Django's one limit to every address."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = (getattr(parser_context.get("view"), "max_body_bytes", None)
                 or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(limit)
        try:
            data = json.loads(raw.decode(parsers.get_encoding(parser_context)),
                              parse_constant=json.strict_constant if self.strict else None)
            too_deep = _too_deep(data)
        except RecursionError:  # deeper than the interpreter's stack, so too deep too
            too_deep = True
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if too_deep:
            raise ParseError(gettext("The JSON is nested more than %(n)d levels deep.")
                             % {"n": MAX_JSON_DEPTH})
        return data


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's browsable pages are a development aid, served only with DEBUG on: their
    templates carry inline styles and a <style> element, which the content security
    policy blocks. With DEBUG off a browser gets the JSON, like every other client."""

    def select_renderer(self, request, renderers_, format_suffix=None):
        if not settings.DEBUG:
            renderers_ = [r for r in renderers_
                          if not isinstance(r, renderers.BrowsableAPIRenderer)] or renderers_
        return super().select_renderer(request, renderers_, format_suffix)


def _too_deep(value) -> bool:
    """Whether `value` nests lists and objects deeper than MAX_JSON_DEPTH (walked with a
    stack of its own: recursion is what must not happen here)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


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


class SearchFilter(drf_filters.SearchFilter):
    """DRF's; a search it refuses (a NUL character) is named by its parameter, like every
    other bad input, instead of a bare list."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except ValidationError as e:
            raise ValidationError({self.search_param: e.detail}) from None


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's. Where a view names no `ordering_fields`, DRF offers every field of the
    serializer, computed ones too (a plan's `subject.__str__`), and ordering by one of those
    was a 500: offer only the ones that are columns, of the model or across its foreign
    keys."""

    def get_default_valid_fields(self, queryset, view, context=None):
        return [(name, label) for name, label in
                super().get_default_valid_fields(queryset, view, context)
                if _is_column(queryset.model, name)]


def _is_column(model, path: str) -> bool:
    *relations, last = path.split(LOOKUP_SEP)
    try:
        for name in relations:
            field = model._meta.get_field(name)
            if not (field.many_to_one or field.one_to_one):
                return False
            model = field.related_model
        field = model._meta.get_field(last)
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.many_to_many


def exception_handler(exc, context):
    """Services raise Django's ValidationError/PermissionDenied; answer them as 400/403
    with field-level messages. A rule that refuses (RuleRefused: a closed stage gate) is a
    422 listing what is unmet; a
    stage that changed under the caller is a 409; a write from a copy that is no longer
    current (a stale If-Match) is a 412."""
    if isinstance(exc, RuleRefused):
        return Response({"detail": exc.message, "unmet": exc.unmet_items()}, status=422)
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
    elif isinstance(exc, RequestDataTooBig):  # a form body over Django's limit
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return drf_exception_handler(exc, context)
