"""How integration clients sign in (a bearer token per client) and how fast they may go.
Kept apart from the views because DRF imports these classes while loading its settings."""

import hmac

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from sync.models import TOKEN_PREFIX, IntegrationClient, hash_token


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer osp_<key>_<secret>`. The key finds the client; the secret is
    compared with the stored hash in constant time. request.user is the person the client
    acts as, request.auth the client."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send one token: Bearer <token>."))
        parts = header[1].split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise exceptions.AuthenticationFailed(_("This is not an OSP token."))
        client = (IntegrationClient.objects.select_related("user")
                  .filter(key=parts[1]).first())
        if client is None or not hmac.compare_digest(client.token_hash, hash_token(parts[2])):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not client.is_active:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("The user this client acts as is "
                                                    "inactive."))
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            IntegrationClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user, client

    def authenticate_header(self, request):
        return self.keyword


class ApiRateThrottle(throttling.SimpleRateThrottle):
    """Per integration client (its own requests per minute), else per signed-in user
    (settings OSP_API_RATE). DRF answers 429 with Retry-After."""

    scope = "api"

    def allow_request(self, request, view):
        client = request.auth if isinstance(request.auth, IntegrationClient) else None
        if client is not None:
            self.rate = f"{client.requests_per_minute}/min"
        else:
            self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return settings.OSP_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, IntegrationClient):
            ident = f"client:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationTokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "osp_<key>_<secret>",
                "description": "An integration client's token (admin or "
                               "`manage.py sync_client create`)."}
