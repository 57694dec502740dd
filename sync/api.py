"""The /api/v1/sync/ endpoints. Thin: parse, call sync.services, shape the answer. Every
error is application/problem+json (RFC 9457)."""

import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from osp.api import etag, if_match_version
from osp.rest import JSONParser, PayloadTooLarge
from osp.rest import exception_handler as osp_exception_handler
from osp.validators import null_character_errors
from sync import feed, siebel
from sync.models import IntegrationClient, StoredResponse
from sync.records import TYPES, to_wire
from sync.services import (
    MAX_BATCH,
    Code,
    sync_delete,
    sync_list,
    sync_record,
    sync_upsert,
)

PROBLEM = "application/problem+json"
MAX_FEED_PAGE = 1000
MAX_LIST_PAGE = 500


def problem_type(code: str) -> str:
    return "urn:osp:problem:" + code.lower().replace("_", "-")


def problem(status: int, code: str, title: str, detail: str = "", headers=None,
            **extra) -> Response:
    body = {"type": problem_type(code), "title": str(title), "status": status,
            "detail": str(detail), "code": code, **extra}
    return Response(body, status=status, content_type=PROBLEM, headers=headers)


class Problem(exceptions.APIException):
    """Raise to answer with a prepared problem response."""

    def __init__(self, response: Response):
        super().__init__()
        self.response = response


def problem_exception_handler(exc, context):
    if isinstance(exc, Problem):
        return exc.response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = osp_exception_handler(exc, context)
    if response is None:
        return None
    data, status = response.data, response.status_code
    code = getattr(exc, "default_code", "error")
    body = {"type": problem_type(str(code)), "title": response.status_text,
            "status": status, "code": str(code).upper()}
    if status == 400 and isinstance(data, dict) and "detail" not in data:
        body.update(code=Code.VALIDATION, type=problem_type(Code.VALIDATION),
                    detail=_("Some fields are not valid."), errors=data)
    elif isinstance(data, dict):
        body.update({k: v for k, v in data.items() if k != "detail"})
        body["detail"] = str(data.get("detail", ""))
    else:
        body["detail"] = " ".join(map(str, data)) if isinstance(data, list) else str(data)
    if isinstance(exc, exceptions.Throttled):
        body["retry_after"] = exc.wait and int(exc.wait + 0.999)
    if isinstance(exc, PayloadTooLarge):
        body["max_bytes"] = exc.limit
    response.data = body
    response.content_type = PROBLEM
    return response


# --- Shared pieces ---------------------------------------------------------------------

def _int_param(request, name: str, default: int, *, low: int = 0, high: int | None = None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        limit = f"{low}..{high}" if high is not None else f"≥ {low}"
        raise exceptions.ValidationError({name: [_("Enter a whole number in %(range)s.")
                                                 % {"range": limit}]})
    return value


def _caller(request) -> str:
    if isinstance(request.auth, IntegrationClient):
        return f"client:{request.auth.pk}"
    return f"user:{request.user.pk}"


class _NotStored(Exception):
    def __init__(self, response):
        self.response = response


def idempotent(request, compute) -> Response:
    """Run `compute` once per Idempotency-Key: a replay with the same body gets the stored
    answer and writes nothing; the same key with another body is refused. Only successful
    answers are kept (a refused request wrote nothing, so running it again is harmless)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return compute()
    if not 1 <= len(key) <= 200:
        raise exceptions.ValidationError({"Idempotency-Key": [_("Use 1 to 200 characters.")]})
    if refused := null_character_errors({"Idempotency-Key": key}):
        raise exceptions.ValidationError(refused)
    fingerprint = hashlib.sha256(
        f"{request.method} {request.path}\n".encode()
        + json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    caller = _caller(request)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    stored = StoredResponse.objects.create(caller=caller, key=key,
                                                           request_hash=fingerprint)
            except IntegrityError:
                # Used before (a concurrent first use waits above until it commits).
                previous = StoredResponse.objects.get(caller=caller, key=key)
                if previous.request_hash != fingerprint:
                    raise Problem(problem(
                        422, "IDEMPOTENCY_KEY_REUSED", _("Idempotency-Key reused"),
                        _("This Idempotency-Key was already used with a different "
                          "request. Use a new key for a new request."))) from None
                headers = {**previous.body["headers"], "Idempotent-Replayed": "true"}
                return Response(previous.body["data"], status=previous.status_code,
                                headers=headers)
            response = compute()
            if response.status_code >= 300:
                raise _NotStored(response)
            stored.status_code = response.status_code
            stored.body = {"data": response.data, "headers": {
                k: v for k, v in response.items() if k in ("ETag", "Location")}}
            stored.save(update_fields=["status_code", "body"])
            return response
    except _NotStored as e:
        return e.response


ROW_STATUS = {Code.VALIDATION: 400, Code.FIELD_NOT_WRITABLE: 400,
              Code.NOT_FOUND_OR_NO_ACCESS: 404, Code.REFERENCE_NOT_FOUND: 422,
              Code.STAGE_GATE: 422, Code.VERSION_CONFLICT: 409}
ROW_TITLE = {Code.VALIDATION: "Invalid record", Code.FIELD_NOT_WRITABLE: "Field not writable",
             Code.NOT_FOUND_OR_NO_ACCESS: "Not found", Code.REFERENCE_NOT_FOUND:
             "Reference not found", Code.STAGE_GATE: "Stage gate closed",
             Code.VERSION_CONFLICT: "Version conflict"}


def _row_problem(result, *, conditional: bool) -> Response:
    first = result.errors[0]
    code = first["code"]
    status = ROW_STATUS.get(code, 400)
    if code == Code.VERSION_CONFLICT and conditional:
        status = 412
    fields = {}
    for error in result.errors:
        fields.update(error.get("fields", {}))
    extra = {k: v for k, v in first.items() if k not in ("code", "message", "fields")}
    if fields:
        extra["errors"] = fields
    if len(result.errors) > 1:
        extra["row_errors"] = result.errors
    return problem(status, code, ROW_TITLE.get(code, code),
                   " ".join(e["message"] for e in result.errors), **extra)


# --- OpenAPI shapes ----------------------------------------------------------------------

TYPE_PARAM = OpenApiParameter("type", str, OpenApiParameter.PATH, enum=list(TYPES),
                              description=_("accounts, contacts, partners or opportunities"))
KEY_PARAMS = [
    TYPE_PARAM,
    OpenApiParameter("source", str, OpenApiParameter.PATH,
                     description="The client system, e.g. siebel-prod."),
    OpenApiParameter("external_id", str, OpenApiParameter.PATH,
                     description="The record's key in that system, e.g. a Siebel ROW_ID."),
]
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Replays with the same key and body return the stored answer and write "
                "nothing; the same key with another body gets 422.")
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description='"<version>": write only if the record is at this version, else 412.')
RECORD_DOC = (
    "A record: its fields by type, with references as `<name>` (the other record's "
    "external id in the same source) or `<name>_id` (its OSP id), and the owner as a "
    "username. Fields per type: " + "; ".join(
        f"{t.name}: {', '.join(sorted(t.writable_keys() - {'source', 'external_id'}))}"
        for t in TYPES.values())
    + ". Unknown fields are refused; read-only ones get FIELD_NOT_WRITABLE. A changed "
      "`stage` on an existing opportunity is a transition request through the same gates; "
      "a new opportunity above lead is an import (needs the import permission).")

ProblemSerializer = inline_serializer("Problem", {
    "type": serializers.CharField(), "title": serializers.CharField(),
    "status": serializers.IntegerField(), "detail": serializers.CharField(),
    "code": serializers.CharField(),
    "errors": serializers.DictField(child=serializers.ListField(
        child=serializers.CharField()), required=False),
    "unmet": serializers.ListField(child=serializers.DictField(), required=False),
    "current_version": serializers.IntegerField(required=False, allow_null=True),
})
ROW_RESULT_FIELDS = {
    "index": serializers.IntegerField(), "source": serializers.CharField(allow_null=True),
    "external_id": serializers.CharField(allow_null=True),
    "id": serializers.IntegerField(allow_null=True),
    "status": serializers.ChoiceField(["created", "updated", "unchanged", "error"]),
    "version": serializers.IntegerField(allow_null=True),
    "errors": serializers.ListField(child=serializers.DictField(), help_text=(
        "Each {code, message, ...}: VALIDATION (fields), VERSION_CONFLICT "
        "(current_version), NOT_FOUND_OR_NO_ACCESS, REFERENCE_NOT_FOUND (fields), "
        "FIELD_NOT_WRITABLE (fields), STAGE_GATE (unmet), ROLLED_BACK (all_or_none)."))}
PROBLEM_TEXTS = {
    400: "Invalid input (problem+json with `errors` by field).",
    401: "No or invalid token.", 404: "No such record that you may see.",
    409: "Version conflict (current_version).", 410: "Cursor older than the retention.",
    412: "If-Match does not match the current version.",
    413: "Too many records, or a body over OSP_SYNC_MAX_BODY_MB (max_bytes).",
    422: "Stage gate closed (unmet), reference not found, or Idempotency-Key reused.",
    429: "Rate limit (Retry-After).",
}


def problems(*codes: int) -> dict:
    """The problem answers an operation gives (osp.schema adds 401, 403, 429 and, where
    they can happen, 400 and 404)."""
    return {(code, PROBLEM): OpenApiResponse(ProblemSerializer, description=PROBLEM_TEXTS[code])
            for code in codes}


class SyncView(APIView):
    # Records are JSON objects: a form post would arrive as an empty record, "unchanged".
    parser_classes = [JSONParser]
    # Every error is a problem (osp.schema documents the ones a view does not list).
    error_serializer = ProblemSerializer
    error_media_type = PROBLEM

    def get_exception_handler(self):
        return problem_exception_handler

    @property
    def max_body_bytes(self) -> int:
        """Read by the JSON parser: a batch of 500 records needs more than the 2.5 MB
        Django allows other addresses."""
        return settings.OSP_SYNC_MAX_BODY_MB * 1024 * 1024

    def record_type(self):
        try:
            return TYPES[self.kwargs["type"]]
        except KeyError:
            raise Problem(problem(404, "UNKNOWN_TYPE", _("Unknown record type"),
                                  _("Use accounts, contacts, partners or opportunities."))
                          ) from None


class SyncRecordView(SyncView):
    """One record by its key in the client's system."""

    @extend_schema(operation_id="sync_record_read", parameters=KEY_PARAMS,
                   responses={200: OpenApiTypes.OBJECT, **problems(404)},
                   description=RECORD_DOC)
    def get(self, request, type, source, external_id):
        obj = sync_record(user=request.user, rtype=self.record_type(), source=source,
                          external_id=external_id)
        if obj is None:
            raise Http404
        return Response(to_wire(obj), headers={"ETag": etag(obj.version)})

    @extend_schema(operation_id="sync_record_upsert", parameters=[*KEY_PARAMS, IF_MATCH,
                                                                  IDEMPOTENCY],
                   request=OpenApiTypes.OBJECT, description=RECORD_DOC,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT,
                              **problems(400, 404, 409, 412, 413, 422)})
    def put(self, request, type, source, external_id):
        rtype = self.record_type()
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [
                _("Send the record as a JSON object.")]})
        if_match = if_match_version(request)

        def compute():
            data = dict(request.data)
            for name, value in (("source", source), ("external_id", external_id)):
                if data.setdefault(name, value) != value:
                    raise exceptions.ValidationError({name: [_(
                        "Must match the address (%(value)s).") % {"value": value}]})
            [result] = sync_upsert(user=request.user, rtype=rtype, records=[data],
                                   if_match=if_match)
            if result.failed:
                return _row_problem(result, conditional=if_match is not None)
            obj = sync_record(user=request.user, rtype=rtype, source=source,
                              external_id=external_id)
            body = {"status": result.status, **to_wire(obj)}
            status = 201 if result.status == "created" else 200
            return Response(body, status=status, headers={
                "ETag": etag(obj.version),
                **({"Location": request.build_absolute_uri()} if status == 201 else {})})

        return idempotent(request, compute)

    @extend_schema(operation_id="sync_record_delete", parameters=[*KEY_PARAMS, IF_MATCH],
                   responses={204: None, **problems(400, 404, 412)})
    def delete(self, request, type, source, external_id):
        result = sync_delete(user=request.user, rtype=self.record_type(), source=source,
                             external_id=external_id, if_match=if_match_version(request))
        if result.failed:
            return _row_problem(result, conditional=True)
        return Response(status=204)


class SyncBatchView(SyncView):
    """Up to 500 records of one type in one request, each created, updated or refused on
    its own (unless all_or_none)."""

    @extend_schema(
        operation_id="sync_batch", parameters=[TYPE_PARAM, IDEMPOTENCY],
        description=RECORD_DOC,
        request=inline_serializer("SyncBatch", {
            "records": serializers.ListField(child=serializers.DictField(),
                                             max_length=MAX_BATCH),
            "all_or_none": serializers.BooleanField(default=False)}),
        responses={200: inline_serializer("SyncBatchResult", {
            "results": inline_serializer("SyncRowResult", ROW_RESULT_FIELDS, many=True)}),
            **problems(400, 404, 413, 422)})
    def post(self, request, type):
        rtype = self.record_type()
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise exceptions.ValidationError({"records": [_("Send {\"records\": [...]}.")]})
        unknown = sorted(set(data) - {"records", "all_or_none"})
        if unknown:
            raise exceptions.ValidationError({n: [_("Unknown field.")] for n in unknown})
        if len(data["records"]) > MAX_BATCH:
            raise Problem(problem(413, "BATCH_TOO_LARGE", _("Batch too large"), _(
                "At most %(max)d records per batch; this one has %(n)d. Nothing was "
                "written.") % {"max": MAX_BATCH, "n": len(data["records"])},
                max_records=MAX_BATCH))
        all_or_none = data.get("all_or_none", False)
        if not isinstance(all_or_none, bool):
            raise exceptions.ValidationError({"all_or_none": [_("Must be true or false.")]})

        def compute():
            results = sync_upsert(user=request.user, rtype=rtype, records=data["records"],
                                  all_or_none=all_or_none)
            return Response({"results": [r.as_dict() for r in results]})

        return idempotent(request, compute)


class SyncListView(SyncView):
    """Every live record of a type you may see, in id order: the full read a client does
    when it starts, or when its feed cursor expired."""

    @extend_schema(operation_id="sync_list", parameters=[
        TYPE_PARAM,
        OpenApiParameter("after", int, description="Return records with an id above this."),
        OpenApiParameter("limit", int, description=f"1..{MAX_LIST_PAGE}, default 100."),
    ], responses={200: inline_serializer("SyncRecordPage", {
        "records": serializers.ListField(child=serializers.DictField()),
        "next_after": serializers.IntegerField(allow_null=True),
        "has_more": serializers.BooleanField()}), **problems(400, 404)})
    def get(self, request, type):
        after = _int_param(request, "after", 0)
        limit = _int_param(request, "limit", 100, low=1, high=MAX_LIST_PAGE)
        records = sync_list(user=request.user, rtype=self.record_type(), after=after,
                            limit=limit + 1)
        has_more = len(records) > limit
        records = records[:limit]
        return Response({"records": records,
                         "next_after": records[-1]["id"] if records else None,
                         "has_more": has_more})


class SyncChangesView(SyncView):
    """What changed after your cursor, in commit order, with tombstones for deletions."""

    @extend_schema(operation_id="sync_changes", parameters=[
        OpenApiParameter("cursor", int, description="The last seq you processed (0: from "
                                                    "the start)."),
        OpenApiParameter("limit", int, description=f"1..{MAX_FEED_PAGE}, default 100."),
        OpenApiParameter("types", str, description="Comma-separated record types; "
                                                   "default all."),
    ], responses={200: inline_serializer("SyncChangePage", {
        "changes": inline_serializer("SyncChange", {
            "seq": serializers.IntegerField(), "type": serializers.CharField(),
            "op": serializers.ChoiceField(["upsert", "delete"]),
            "id": serializers.IntegerField(), "source": serializers.CharField(),
            "external_id": serializers.CharField(), "version": serializers.IntegerField(),
            "changed_at": serializers.DateTimeField(),
            "data": serializers.DictField(allow_null=True)}, many=True),
        "next_cursor": serializers.IntegerField(), "has_more": serializers.BooleanField(),
        "retention_days": serializers.IntegerField()}), **problems(400, 410)})
    def get(self, request):
        cursor = _int_param(request, "cursor", 0)
        limit = _int_param(request, "limit", 100, low=1, high=MAX_FEED_PAGE)
        types = [t for t in request.query_params.get("types", "").split(",") if t]
        unknown = sorted(set(types) - set(TYPES))
        if unknown:
            raise exceptions.ValidationError({"types": [_("Unknown types: %(t)s.")
                                                        % {"t": ", ".join(unknown)}]})
        try:
            page = feed.changes_after(user=request.user, cursor=cursor, limit=limit,
                                      types=types or list(TYPES))
        except feed.CursorExpired as e:
            raise Problem(problem(410, "CURSOR_EXPIRED", _("Cursor expired"), _(
                "Changes after cursor %(cursor)d are no longer kept (retention: %(days)d "
                "days). Resync: read every record with GET /api/v1/sync/{type}/, then "
                "follow the feed from cursor %(head)d.") % {
                    "cursor": cursor, "days": settings.OSP_SYNC_RETENTION_DAYS,
                    "head": e.head}, oldest_cursor=e.oldest, head=e.head)) from None
        return Response({"changes": page.changes, "next_cursor": page.next_cursor,
                         "has_more": page.has_more,
                         "retention_days": settings.OSP_SYNC_RETENTION_DAYS})


class SyncMappingView(SyncView):
    """How Siebel's sales stages and field names translate to OSP's."""

    @extend_schema(operation_id="sync_mapping", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(siebel.mapping())
