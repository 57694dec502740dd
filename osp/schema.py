"""The OpenAPI schema documents the errors too, so that it tells a client the truth about
every answer it can get (issue #7; tests/api/test_schemathesis.py holds it to that).

drf-spectacular documents only the success of an operation. This AutoSchema adds the
errors an operation can answer — 400 for bad input, 401 without credentials, 403 for a
role that may not, 404 for what the caller may not see (and a page past the end), 413 for
a body over the size limit, 415 for a body in a media type it does not read, 429 over
the rate limit — unless the view documents that status itself (`@extend_schema`).
Views whose errors have another shape say so with `error_serializer` and
`error_media_type` (the sync API answers application/problem+json).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

ErrorSerializer = inline_serializer("Error", {"detail": serializers.CharField()})
VALIDATION_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": "Messages by field name (a list of texts, or the same shape again for "
                   "a nested field); `non_field_errors` for the input as a whole; `detail` "
                   "when the body could not be read at all.",
}
GateClosedSerializer = inline_serializer("GateClosed", {
    "detail": serializers.CharField(),
    "unmet": inline_serializer("UnmetCriterion", {
        "code": serializers.CharField(), "text": serializers.CharField(),
        "kind": serializers.CharField(), "stage": serializers.CharField()}, many=True),
})

ERRORS = {
    "400": "Invalid input: messages by field.",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Signed in, but this role or person may not do this.",
    "404": "No such record that you may see (or a page past the end).",
    "412": "If-Match names a version the record is no longer at: someone changed it since "
           "you read it. Nothing was written; read it again (its ETag) and retry.",
    "413": "The body is larger than this operation reads (2.5 MB; the sync addresses: "
           "OSP_SYNC_MAX_BODY_MB).",
    "415": "The body is in a media type this operation does not read.",
    "429": "Over the rate limit; Retry-After says when to come back.",
}


IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description='"<version>", the ETag of the record as you read it: write only if the '
                'record is still at this version, else 412 and nothing is written.')
StaleSerializer = inline_serializer("Stale", {"detail": serializers.CharField(),
                                              "current_version": serializers.IntegerField()})


class AutoSchema(SpectacularAutoSchema):
    def _conditional(self) -> bool:
        return (self.method in ("PUT", "PATCH")
                and getattr(self.view, "conditional_updates", False))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IF_MATCH] if self._conditional() else parameters

    def _get_parameters(self):
        # An empty filter, search, ordering or page is the same as none: say so, or a client
        # (and schemathesis) takes `?owner=` for an invalid request.
        return [{**p, "allowEmptyValue": True} if p["in"] == "query" and not p.get("required")
                else p for p in super()._get_parameters()]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        serializer = getattr(self.view, "error_serializer", ErrorSerializer)
        media_type = getattr(self.view, "error_media_type", "application/json")
        for code in self._error_codes():
            if code in responses:
                continue
            body = (VALIDATION_ERRORS if code == "400" and serializer is ErrorSerializer
                    else StaleSerializer if code == "412" else serializer)
            responses[code] = self._get_response_for_code(
                OpenApiResponse(body, description=ERRORS[code]), code, [media_type],
                direction)
        return responses

    def _error_codes(self):
        codes = []
        if self.method != "GET" or any(p["in"] == "query" for p in self._get_parameters()):
            codes.append("400")
        if not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if self._conditional():
            codes.append("412")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes
