"""``/api/v1/candidates/{candidate_id}/portal-link/``: the candidate's private link.

``POST`` makes one (``{"url", "expires_at"}``; the link is shown only in this answer),
``DELETE`` withdraws every open one. Both go through ``hiring.portal.links``, audited.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.selectors import candidate_for
from hiring.portal.links import portal_link_create, portal_links_revoke, portal_url
from renown.api import access
from renown.api.schema import extend_schema
from renown.api.views import ApiViewSet

CANDIDATE = OpenApiParameter("candidate_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class PortalLinkSerializer(serializers.Serializer[dict[str, object]]):
    url = serializers.URLField(
        help_text="The private link: send it to the candidate alone. It needs no login."
    )
    expires_at = serializers.DateTimeField()


class PortalLinkViewSet(ApiViewSet):
    """The candidate's private link to what Renown holds on them."""

    access = {"create": access.WRITERS, "revoke": access.WRITERS}
    pagination_class = None
    filter_backends = []
    serializer_class = PortalLinkSerializer

    @extend_schema(
        operation_id="candidates_portal_link_create",
        parameters=[CANDIDATE],
        request=None,
        responses={201: PortalLinkSerializer},
        description="A new private link to the candidate's own page: signed, expiring "
        "(`RENOWN_PORTAL_LINK_DAYS`), revocable. It is shown only in this answer. Earlier "
        "links stay open until they expire or are withdrawn.",
    )
    def create(self, request: Request, candidate_id: str) -> Response:
        candidate = candidate_for(self.principal, candidate_id)
        link, token = portal_link_create(candidate=candidate, actor=self.principal.audit_actor)
        body: dict[str, object] = {"url": portal_url(token, request), "expires_at": link.expires_at}
        return Response(PortalLinkSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="candidates_portal_link_revoke",
        parameters=[CANDIDATE],
        request=None,
        responses={204: None},
        description="Withdraw every open private link of the candidate: they show no data "
        "from now on.",
    )
    def revoke(self, request: Request, candidate_id: str) -> Response:
        candidate = candidate_for(self.principal, candidate_id)
        portal_links_revoke(candidate=candidate, actor=self.principal.audit_actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
