"""The base of every API view: Renown's own DRF behaviour, then access, idempotency, problems.

A host project's ``REST_FRAMEWORK`` setting is its own business: every class DRF
would take from it (authentication, permissions, parsers, renderers, throttles,
pagination, filters, schema, exception handler...) is set here, on the views, so
Renown's API answers the same in any host, and needs no entry of the host's. What
DRF still reads from its global settings while a request runs is answered here too
(``API_SETTINGS``, ``ApiRequest``) or in Renown's serializer fields
(``renown.api.serializers``).

The body limit and crashes are the views' business as well, so they hold under any
URL prefix the host mounts Renown at: a body over ``RENOWN_API_MAX_BODY_BYTES`` is
413, an exception no handler knows is a 500; both as problem details. So are the
``RateLimit-*`` header fields (``renown.api.throttling``): every answer to a caller
the throttle counts carries them, errors and 429 included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponseBase
from django.utils.log import log_response
from rest_framework import generics, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotAuthenticated, ParseError
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import APISettings
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView, set_rollback

from renown import conf
from renown.api.access import ApiAccess, Principal, resolve_principal
from renown.api.authentication import BearerTokenAuthentication
from renown.api.filters import ApiFilterBackend, ApiOrderingFilter
from renown.api.idempotency import (
    IdempotencyProblem,
    Replay,
    Reservation,
    idempotency_finish,
    idempotency_release,
    idempotency_reserve,
)
from renown.api.pagination import ApiCursorPagination
from renown.api.parsers import JSONParser
from renown.api.problems import PROBLEM_CONTENT_TYPE, exception_handler, problem_body
from renown.api.renderers import ApiJSONRenderer
from renown.api.schema import ApiAutoSchema
from renown.api.throttling import PrincipalRateThrottle, rate_limit_headers
from renown.models import Organization

logger = logging.getLogger(__name__)


# DRF's settings as Renown's views read them (``APIView.settings``: the exception
# handler, view names in OPTIONS, the ``?format=`` parameter): DRF's defaults and
# Renown's handler, never the host's REST_FRAMEWORK (a non-empty ``user_settings``
# keeps APISettings from reading it).
API_SETTINGS = APISettings(
    user_settings={"EXCEPTION_HANDLER": "renown.api.problems.exception_handler"}
)


class ApiContentNegotiation(DefaultContentNegotiation):
    settings = API_SETTINGS  # type: ignore[assignment]


class ApiRequest(Request):
    """A request that no authenticator claimed is anonymous (not the host's UNAUTHENTICATED_USER)."""

    def _not_authenticated(self) -> None:
        self._authenticator = None
        self.user = AnonymousUser()
        self.auth = None


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def max_body_bytes() -> int:
    return int(conf.get("RENOWN_API_MAX_BODY_BYTES"))


class ApiView(APIView):
    """Every Renown API view: its DRF classes, the body limit, errors as problem details.

    Views that authenticate otherwise (a signed webhook) or render otherwise (the
    schema, its docs) override the classes they change, and keep the rest.
    """

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [ApiAccess]
    throttle_classes = [PrincipalRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [ApiJSONRenderer]
    content_negotiation_class = ApiContentNegotiation
    metadata_class = SimpleMetadata  # type: ignore[assignment]  # (the stubs say an instance)
    versioning_class = None  # the version is in the path (api/v1/)
    settings = API_SETTINGS
    schema = ApiAutoSchema()

    def initialize_request(self, request: HttpRequest, *args: object, **kwargs: object) -> Request:
        return ApiRequest(
            request,
            parsers=self.get_parsers(),
            authenticators=self.get_authenticators(),
            negotiator=self.get_content_negotiator(),
            parser_context=self.get_parser_context(request),
        )

    def get_exception_handler(self) -> Callable[[Exception, dict[str, object]], Response | None]:
        return exception_handler

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        # First, before authentication (session auth's CSRF check may read a form body).
        self.check_body_size(request)
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        # From here on the caller is known without authenticating again (RateLimit-*).
        self._authenticated = True

    def get_throttles(self) -> list[BaseThrottle]:
        # Kept: the answer reports what the throttles that decided on the request counted.
        self._consulted_throttles = super().get_throttles()
        return self._consulted_throttles

    def finalize_response(
        self, request: Request, response: Response, *args: object, **kwargs: object
    ) -> Response:
        # Any HttpResponseBase in fact (DRF passes them through): a replay is a plain one.
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in self.rate_limit_headers(request).items():
            response[name] = value
        return response

    def rate_limit_headers(self, request: Request) -> Mapping[str, str]:
        """``RateLimit-*`` for this answer: from the throttles that decided on the request,
        or (refused before throttling: its role, its body) their counts as they stand.

        Empty for a caller no throttle counts: an anonymous one (the API refuses it
        with 401 before anything is counted), or one refused before it was known.
        """
        consulted = getattr(self, "_consulted_throttles", None)
        if consulted is not None:
            return rate_limit_headers(consulted, request, self, consulted=True)
        if not getattr(self, "_authenticated", False) or not isinstance(request, Request):
            return {}
        throttles = [throttle() for throttle in self.throttle_classes]
        return rate_limit_headers(throttles, request, self, consulted=False)

    def check_body_size(self, request: Request) -> None:
        """413 for a declared body over ``RENOWN_API_MAX_BODY_BYTES``, before it is read.

        A body sent without Content-Length is read as empty by Django (WSGI and ASGI).
        """
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            raise ParseError("Content-Length is not a number.") from None
        limit = max_body_bytes()
        if length > limit:
            raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}.")

    def handle_exception(self, exc: Exception) -> Response:
        try:
            return super().handle_exception(exc)
        except Exception as crash:  # no handler knows it
            return self.crash_response(crash)

    def crash_response(self, exc: Exception) -> Response:
        """The 500 problem for a crash: logged with its traceback and signalled as Django
        does for an unhandled exception (error trackers listen), nothing of it in the body.
        """
        request = self.request._request
        set_rollback()  # as DRF does for the errors it answers (ATOMIC_REQUESTS)
        got_request_exception.send(sender=None, request=request)
        response = Response(
            problem_body(
                status_code=500,
                detail="Something went wrong on our side.",
                instance=request.path,
            ),
            status=500,
            content_type=PROBLEM_CONTENT_TYPE,
        )
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exc,
        )
        return response


class ApiGenericView(ApiView, generics.GenericAPIView):  # type: ignore[type-arg]
    pagination_class: type[BasePagination] | None = ApiCursorPagination
    filter_backends = [ApiFilterBackend, ApiOrderingFilter]


class ApiViewSet(viewsets.ViewSetMixin, ApiGenericView):
    """Bearer tokens first (an anonymous call answers 401 with ``WWW-Authenticate``).

    Subclasses set ``access``: ``{action: personas}`` (``renown.api.access``).
    """

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

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        # Last before the handler: only a request that may run reserves its key.
        reservation = idempotency_reserve(request, self.principal)
        if reservation is not None:
            request._renown_idempotency = reservation  # type: ignore[attr-defined]

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except BaseException:
            # Not even a 500 answer (an interrupted worker): a retry with the key may run.
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

    def get_success_headers(self, data: object) -> dict[str, str]:
        # CreateModelMixin's Location comes from the host's URL_FIELD_NAME: none here.
        return {}

    def finalize_response(
        self, request: Request, response: Response, *args: object, **kwargs: object
    ) -> Response:
        # A replay is a plain HttpResponse: DRF passes any HttpResponseBase through.
        response = super().finalize_response(request, response, *args, **kwargs)
        reservation = self._reservation()
        if reservation is not None and isinstance(response, Response):
            # Rendered here (not by the handler) so the kept body is the one sent.
            response.render()
            idempotency_finish(reservation, response)
        return response
