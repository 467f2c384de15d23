"""The base of every API view: authentication, access, throttling, idempotency, problems."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.access import ApiAccess, Principal, resolve_principal
from api.authentication import BearerTokenAuthentication
from api.idempotency import KeyReused, Replay, idempotency_check, idempotency_store
from api.problems import PROBLEM_CONTENT_TYPE, problem_body
from api.throttling import PrincipalRateThrottle
from candidates.models import Organization


class ApiViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Bearer tokens first (an anonymous call answers 401 with ``WWW-Authenticate``).

    Subclasses set ``access``: ``{action: personas}`` (``api.access``).
    """

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [ApiAccess]
    throttle_classes = [PrincipalRateThrottle]
    access: dict[str, frozenset[str]] = {}

    @property
    def principal(self) -> Principal:
        principal = resolve_principal(self.request)
        if principal is None:  # ApiAccess lets no request without one through
            raise NotAuthenticated()
        return principal

    @property
    def organization(self) -> Organization:
        return self.principal.organization

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        checked = idempotency_check(request, self.principal)
        if checked is not None:
            request._renown_idempotency = checked  # type: ignore[attr-defined]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response  # type: ignore[return-value]
        if isinstance(exc, KeyReused):
            return Response(
                problem_body(
                    status_code=422,
                    detail=str(exc),
                    instance=self.request.path,
                    slug="idempotency-key-reused",
                ),
                status=422,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        return super().handle_exception(exc)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # A replay is a plain HttpResponse: DRF passes any HttpResponseBase through.
        response = super().finalize_response(request, response, *args, **kwargs)
        checked: tuple[str, str] | None = getattr(request, "_renown_idempotency", None)
        if checked is not None and isinstance(response, Response):
            response.render()
            idempotency_store(request, self.principal, checked[0], checked[1], response)
        return response
