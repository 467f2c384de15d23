"""The Greenhouse inbound endpoint: authenticated by its HMAC signature, not by a token."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webhooks import greenhouse


def problem(
    status_code: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Response:
    """An RFC 9457 problem-details response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, content_type="application/problem+json")


class GreenhouseWebhookApi(APIView):
    """``POST /api/v1/ats/greenhouse/{org_slug}/``: a Greenhouse Harvest webhook delivery.

    No token: the ``Signature: sha256 <hex>`` header (HMAC-SHA256 of the raw
    body with the organisation's Greenhouse secret, set by ``manage.py
    ats_secret``) is the authentication. 401 when it is missing or wrong
    (nothing stored); 200 with what was done otherwise, including for a ping
    and for a replayed delivery (``"status": "duplicate"``, nothing changed).
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def post(self, request: Request, org_slug: str) -> Response:
        body = request.body  # the raw bytes the signature covers, before any parsing
        try:
            result = greenhouse.greenhouse_receive(
                org_slug=org_slug,
                body=body,
                signature=request.headers.get("Signature"),
                event_id=request.headers.get("Greenhouse-Event-ID", ""),
            )
        except greenhouse.Unauthenticated:
            response = problem(
                status.HTTP_401_UNAUTHORIZED,
                "Not authenticated",
                "The Signature header is missing or does not match this organisation's "
                "Greenhouse secret.",
            )
            response["WWW-Authenticate"] = 'Signature realm="greenhouse", algorithm="sha256"'
            return response
        except greenhouse.BadPayload as exc:
            return problem(
                status.HTTP_400_BAD_REQUEST,
                "Not a Greenhouse payload",
                "The body is signed but could not be read.",
                exc.errors,
            )
        return Response(result.as_json(), status=status.HTTP_200_OK)
