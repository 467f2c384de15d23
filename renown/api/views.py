"""The base of every API view: authentication, access, throttling, idempotency, problems."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from renown.api.access import ApiAccess, Principal, resolve_principal
from renown.api.authentication import BearerTokenAuthentication
from renown.api.idempotency import (
    IdempotencyProblem,
    Replay,
    Reservation,
    idempotency_finish,
    idempotency_release,
    idempotency_reserve,
)
from renown.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from renown.api.throttling import PrincipalRateThrottle
from renown.models import Organization


class ApiViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Bearer tokens first (an anonymous call answers 401 with ``WWW-Authenticate``).

    Subclasses set ``access``: ``{action: personas}`` (``renown.api.access``).
    """

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [ApiAccess]
    throttle_classes = [PrincipalRateThrottle]
    access: dict[str, frozenset[str]] = {}
    # POSTs take an Idempotency-Key (renown.api.idempotency); the schema documents it.
    honours_idempotency_key = True

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
        # Last before the handler: only a request that may run reserves its key.
        reservation = idempotency_reserve(request, self.principal)
        if reservation is not None:
            request._renown_idempotency = reservation  # type: ignore[attr-defined]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except BaseException:
            # The view crashed (a 500 from the middleware): a retry with the key may run.
            reservation = self._reservation()
            if reservation is not None:
                idempotency_release(reservation)
            raise

    def _reservation(self) -> Reservation | None:
        request = getattr(self, "request", None)  # unset when initialize_request failed
        return getattr(request, "_renown_idempotency", None)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response  # type: ignore[return-value]
        if isinstance(exc, IdempotencyProblem):
            return Response(
                problem_body(
                    status_code=exc.status,
                    detail=exc.detail,
                    instance=self.request.path,
                    slug=exc.slug,
                ),
                status=exc.status,
                headers=exc.headers,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        return super().handle_exception(exc)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # A replay is a plain HttpResponse: DRF passes any HttpResponseBase through.
        response = super().finalize_response(request, response, *args, **kwargs)
        reservation = self._reservation()
        if reservation is not None and isinstance(response, Response):
            # Rendered here (not by the handler) so the kept body is the one sent.
            response.render()
            idempotency_finish(reservation, response)
        return response
