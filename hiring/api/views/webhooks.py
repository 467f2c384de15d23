"""Webhook subscriptions and deliveries (tokens, HR admins) and the ATS inbound endpoint."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from hiring.api import webhook_serializers as s
from hiring.ats import services as ats_services
from hiring.ats.base import BadPayload, Delivery, FetchFailed, Unauthenticated
from hiring.ats.connectors import CONNECTOR_CLASSES
from renown.api import access
from renown.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from renown.api.schema import extend_schema
from renown.api.views import ApiView, ApiViewSet
from renown.models import DeliveryStatus, EventType, WebhookDelivery, WebhookSubscription
from renown.webhooks import services

# Who manages an organisation's webhooks: its HR admins, and the integrations (write
# tokens; a token sees only the subscriptions it created).
MANAGERS = frozenset({access.HR_ADMIN, access.WRITE_TOKEN})

SUBSCRIPTION_PARAMETER = OpenApiParameter(
    "subscription_id", int, OpenApiParameter.PATH, description="The subscription's id."
)


class WebhookSubscriptionViewSet(ApiViewSet):
    """Where Renown POSTs signed events (Standard Webhooks; legacy subscriptions
    ``Renown-Signature`` until switched); the secret is shown once."""

    serializer_class = s.SubscriptionSerializer
    lookup_url_kwarg = "subscription_id"
    lookup_value_regex = r"[0-9]+"
    ordering = ["-id"]
    ordering_fields = ["id", "created_at"]
    filterset_fields = ["active"]
    access = {
        "list": MANAGERS,
        "retrieve": MANAGERS,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "destroy": MANAGERS,
        "rotate_secret": MANAGERS,
        "switch_scheme": MANAGERS,
    }

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        queryset = WebhookSubscription.objects.filter(
            organization=self.organization
        ).select_related("api_token")
        if self.principal.token is not None:
            queryset = queryset.filter(api_token=self.principal.token)
        return queryset

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, subscription_id: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=s.SubscriptionWriteSerializer,
        responses={201: s.SubscriptionCreatedSerializer},
        description="The URL must be public (the providers' SSRF guard). Deliveries are "
        "signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature). "
        "The answer holds the signing secret: the only time it is shown.",
    )
    def create(self, request: Request) -> Response:
        data = s.SubscriptionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        principal = self.principal
        subscription, _ = services.subscription_create(
            organization=self.organization,
            name=data.validated_data["name"],
            url=data.validated_data["url"],
            events=data.validated_data["events"],
            created_by=principal.user,
            api_token_id=principal.token.pk if principal.token is not None else None,
            active=data.validated_data.get("active", True),
            actor=principal.audit_actor,
        )
        body = s.SubscriptionCreatedSerializer(self.get_queryset().get(pk=subscription.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SubscriptionWriteSerializer(partial=True),
        responses={200: s.SubscriptionSerializer},
        description="Switching a subscription on again clears its failing streak.",
    )
    def partial_update(self, request: Request, subscription_id: str) -> Response:
        subscription = self.get_object()
        data = s.SubscriptionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.subscription_update(
            subscription=subscription, actor=self.principal.audit_actor, **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=subscription.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, subscription_id: str) -> Response:
        services.subscription_delete(
            subscription=self.get_object(), actor=self.principal.audit_actor
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: s.SubscriptionCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, subscription_id: str) -> Response:
        subscription = self.get_object()
        services.subscription_rotate_secret(
            subscription=subscription, actor=self.principal.audit_actor
        )
        return Response(s.SubscriptionCreatedSerializer(subscription).data)

    @extend_schema(
        request=s.SchemeSwitchSerializer,
        responses={200: s.SubscriptionCreatedSerializer},
        description='Sign with another scheme from now on: `{"signature_scheme": '
        '"standard"}` moves a legacy subscription (Renown-Signature) to Standard Webhooks. '
        "The secret is rotated in the same step (the answer shows the new one, once); every "
        "delivery from then on, retries too, is signed the new way with it. 409 when the "
        "subscription already uses that scheme (rotate-secret gives a new secret).",
    )
    @action(detail=True, methods=["post"], url_path="switch-scheme")
    def switch_scheme(self, request: Request, subscription_id: str) -> Response:
        subscription = self.get_object()
        data = s.SchemeSwitchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.subscription_switch_scheme(
            subscription=subscription,
            scheme=data.validated_data["signature_scheme"],
            actor=self.principal.audit_actor,
        )
        return Response(s.SubscriptionCreatedSerializer(subscription).data)


class DeliveryFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=EventType.choices)

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(parameters=[SUBSCRIPTION_PARAMETER]),
    retrieve=extend_schema(parameters=[SUBSCRIPTION_PARAMETER]),
)
class WebhookDeliveryViewSet(ApiViewSet):
    """The delivery log of one subscription: status, attempts, answer, last error, timing."""

    serializer_class = s.DeliverySerializer
    lookup_url_kwarg = "delivery_id"
    lookup_value_regex = r"[0-9]+"
    ordering = ["-id"]
    ordering_fields = ["id", "created_at"]
    filterset_class = DeliveryFilter
    access = {"list": MANAGERS, "retrieve": MANAGERS, "redeliver": MANAGERS}

    def get_subscription(self) -> WebhookSubscription:
        if not hasattr(self, "_subscription"):
            subscription = (
                WebhookSubscriptionViewSet(request=self.request, format_kwarg=None)
                .get_queryset()
                .filter(pk=self.kwargs["subscription_id"])
                .first()
            )
            if subscription is None:
                raise NotFound("No such subscription.")
            self._subscription = subscription
        return self._subscription

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return WebhookDelivery.objects.filter(subscription=self.get_subscription())

    def list(self, request: Request, subscription_id: str) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, subscription_id: str, delivery_id: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses={202: s.DeliverySerializer},
        parameters=[SUBSCRIPTION_PARAMETER],
        description="Send the same event again (same event id, new signature). 409 when "
        "the subscription is switched off.",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, subscription_id: str, delivery_id: str) -> Response:
        from django.core.exceptions import ValidationError

        delivery = self.get_object()
        try:
            delivery = services.delivery_redeliver(
                delivery=delivery, actor=self.principal.audit_actor
            )
        except ValidationError as exc:
            body = problem_body(
                status_code=409, detail=" ".join(exc.messages), instance=request.path
            )
            return Response(body, status=409, content_type=PROBLEM_CONTENT_TYPE)
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- ATS deliveries in ------------------------------------------------------------------


class AtsSignatureAuthentication(BaseAuthentication):
    """Marks the endpoint as signature-authenticated (schema and 401 challenge).

    The check itself needs the organisation's secrets and the raw body, so it runs in
    ``hiring.ats.services.ats_receive`` (each connector's ``verify``); this
    authenticates no user.
    """

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Signature realm="ats", algorithm="hmac-sha256"'


class SignatureCheckedInService(BasePermission):
    """Lets the request reach the view, where the service checks the signature first.

    Not AllowAny: the schema must not say the endpoint takes anonymous calls.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        return True


class AtsSignatureScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "hiring.api.views.webhooks.AtsSignatureAuthentication"
    name = "atsSignature"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Signature",
            "description": "Each ATS's own HMAC-SHA256 signature with the organisation's "
            "secret (python manage.py ats_secret --org SLUG --ats NAME): Greenhouse "
            "`Signature: sha256 <hex>` of the body; Ashby `Ashby-Signature: sha256=<hex>` "
            "of the body; Workable `X-Workable-Signature: <hex>` of the body; Lever the "
            "body's `signature` over `token` + `triggeredAt`. No token. See "
            "docs/integrations.md.",
        }


def _problem(
    request: Request,
    code: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> Response:
    body = problem_body(
        status_code=code, detail=detail, instance=request.path, slug=slug, errors=errors
    )
    return Response(body, status=code, content_type=PROBLEM_CONTENT_TYPE)


class AtsWebhookApi(ApiView):
    """``POST /api/v1/ats/{ats}/{org_slug}/``: one webhook delivery from an ATS.

    Authenticated by the ATS's signature, not by a token: 401 when it is missing or
    wrong, or the organisation or ATS is unknown (nothing stored); 503 with
    ``Retry-After`` when what the delivery lacks could not be read from the ATS's API
    (nothing stored: the ATS sends it again); 200 with what was done otherwise,
    including a test delivery and a replayed one (``duplicate``).
    """

    authentication_classes = [AtsSignatureAuthentication]
    permission_classes = [SignatureCheckedInService]
    throttle_classes: list[type[BaseThrottle]] = []

    @extend_schema(
        operation_id="ats_webhook",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: s.AtsDeliveryResultSerializer},
        parameters=[
            OpenApiParameter("ats", str, OpenApiParameter.PATH, enum=list(CONNECTOR_CLASSES)),
            OpenApiParameter("org_slug", str, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$"),
            OpenApiParameter(
                "Greenhouse-Event-ID",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Greenhouse's id of the delivery; a replay of it changes nothing.",
            ),
        ],
        description="A candidate or application webhook from Greenhouse, Lever, Ashby or "
        "Workable: upserts the candidate, the job, the application, and the candidate's "
        "social-media and website addresses (networks Renown reads become claimed "
        "accounts, the rest links), reading what the delivery lacks from the ATS's API "
        "with the credentials given to `manage.py ats_connect`. docs/integrations.md says "
        "what each ATS sends and what Renown fetches.",
    )
    def post(self, request: Request, ats: str, org_slug: str) -> Response:
        delivery = Delivery(body=request.body, headers=request.headers)  # the raw bytes signed
        try:
            result = ats_services.ats_receive(ats=ats, org_slug=org_slug, delivery=delivery)
        except Unauthenticated:
            response = _problem(
                request,
                status.HTTP_401_UNAUTHORIZED,
                "The delivery's signature is missing or does not match this organisation's "
                "secret for this ATS.",
                slug="bad-signature",
            )
            response["WWW-Authenticate"] = AtsSignatureAuthentication().authenticate_header(request)
            return response
        except BadPayload as exc:
            return _problem(
                request,
                status.HTTP_400_BAD_REQUEST,
                "The body is signed but is not this ATS's payload.",
                errors=exc.errors,
            )
        except FetchFailed as exc:
            response = _problem(
                request,
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"What the delivery lacks could not be read from the ATS's API ({exc}); "
                "nothing was stored. Send it again later.",
                slug="ats-api-unavailable",
            )
            response["Retry-After"] = str(max(1, int(exc.retry_after or 60)))
            return response
        return Response(result.as_json(), status=status.HTTP_200_OK)
