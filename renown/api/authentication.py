"""``Authorization: Bearer <token>`` for integrations (session auth serves the web UI's users)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from renown.api.tokens import api_token_authenticate
from renown.models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    """An API token in the Authorization header; ``request.auth`` is the ApiToken.

    ``request.user`` stays anonymous: a token is an integration, not a person, and
    the services that need a person (rules, decisions) refuse it.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request | HttpRequest) -> tuple[AnonymousUser, ApiToken] | None:
        parts = get_authorization_header(request).split()  # type: ignore[arg-type]
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send exactly one token: Authorization: Bearer <token>."
            )
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = api_token_authenticate(plaintext)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, or was revoked.")
        return AnonymousUser(), token

    def authenticate_header(self, request: Request | HttpRequest) -> str:
        return f'{self.keyword} realm="api"'
