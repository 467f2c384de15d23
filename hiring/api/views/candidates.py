"""Candidates: CRUD, upsert by ATS key, bulk upsert."""

from __future__ import annotations

from collections.abc import Mapping

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.models import Candidate
from candidates.services import (
    CANDIDATE_FIELDS,
    candidate_bulk_upsert,
    candidate_create,
    candidate_update,
    candidate_upsert,
)
from hiring.api import fields, selectors
from hiring.api import serializers as s
from hiring.api.bulk import validate_candidate_item
from hiring.api.services import candidate_delete
from hiring.models import ErasedCandidateTombstone
from renown.api import access
from renown.api.incremental import IncrementalListMixin
from renown.api.schema import extend_schema
from renown.api.views import ApiViewSet
from renown.json_types import JSONValue

UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class CandidateFilter(django_filters.FilterSet):  # type: ignore[misc]
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact", max_length=254)
    ats_source = django_filters.CharFilter(max_length=50)
    external_id = django_filters.CharFilter(max_length=100)
    country = django_filters.CharFilter(max_length=2)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Candidate
        fields: list[str] = []


class CandidateViewSet(IncrementalListMixin, ApiViewSet):
    """Candidates of the caller's organisation (never their self-identification).

    With ``updated_after`` (``renown.api.incremental``): the candidates whose own fields
    changed (``updated_at``: created, or name, e-mail, ATS source and id, country or
    region changed), and the erased ones as tombstones, in (updated_at, id) order.
    ``latest_scores`` and ``latest_screening`` are read as the answer is made: their
    changes are the score list's and the screening list's (and ``score.updated``).
    """

    serializer_class = s.CandidateSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "candidate_id"
    lookup_value_regex = UUID_RE
    filterset_class = CandidateFilter
    ordering_fields = ["id", "created_at", "updated_at", "name"]
    # Newest first by id: the (organisation) index walks it without sorting the tenant.
    ordering = ["-id"]
    incremental_key_field = "public_id"
    reports_erasures = True
    access = {
        "list": access.READERS,
        "retrieve": access.READERS,
        "create": access.WRITERS,
        "partial_update": access.WRITERS,
        "destroy": access.ERASERS,
        "upsert": access.WRITERS,
        "bulk": access.WRITERS,
    }

    def get_queryset(self) -> QuerySet[Candidate]:
        if getattr(self, "swagger_fake_view", False):
            return Candidate.objects.none()
        return selectors.candidate_list_with_latest(self.principal)

    def _show(self, candidate: Candidate, status_code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(s.CandidateSerializer(fresh).data, status=status_code)

    @extend_schema(request=s.CandidateWriteSerializer, responses={201: s.CandidateSerializer})
    def create(self, request: Request) -> Response:
        data = s.CandidateWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = candidate_create(
            organization=self.organization, actor=self.principal.audit_actor, **data.validated_data
        )
        return self._show(candidate, status.HTTP_201_CREATED)

    def list_queryset(self) -> QuerySet[Candidate]:
        # A page shows nothing of the organisation (the caller's own): no join to it.
        return self.get_queryset().select_related(None)

    def erasure_tombstones(self) -> QuerySet[ErasedCandidateTombstone]:
        return selectors.erasure_tombstones_for(self.principal)

    def retrieve(self, request: Request, candidate_id: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.CandidatePatchSerializer, responses={200: s.CandidateSerializer})
    def partial_update(self, request: Request, candidate_id: str) -> Response:
        candidate = self.get_object()
        data = s.CandidatePatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        merged = {f: changes.get(f, getattr(candidate, f)) for f in CANDIDATE_FIELDS}
        s.CandidateWriteSerializer().validate(merged)  # region in country, source with id
        candidate_update(candidate=candidate, changes=changes, actor=self.principal.audit_actor)
        return self._show(candidate)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, candidate_id: str) -> Response:
        candidate = self.get_object()
        candidate_delete(candidate=candidate, actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.CandidateWriteSerializer,
        responses={200: s.CandidateSerializer, 201: s.CandidateSerializer},
        parameters=[
            OpenApiParameter(
                "source", str, OpenApiParameter.PATH, pattern=r"^[a-z0-9][a-z0-9_.-]{0,49}$"
            ),
            OpenApiParameter("external_id", str, OpenApiParameter.PATH, pattern=r"^[!-~]{1,100}$"),
        ],
        description="Create or update the candidate the ATS knows by this source and id: "
        "201 when created, 200 when updated. The URL's source and id win over the body's.",
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"by-external-id/(?P<source>[^/]+)/(?P<external_id>[^/]+)",
    )
    def upsert(self, request: Request, source: str, external_id: str) -> Response:
        try:
            source = fields.validate_source(source)
            external_id = fields.validate_external_id(external_id)
        except drf_serializers.ValidationError as exc:
            raise drf_serializers.ValidationError({"url": exc.detail}) from None
        if not source or not external_id:
            raise drf_serializers.ValidationError({"url": ["Give the source and the id."]})
        body: object = request.data
        if isinstance(body, dict):
            body = {**body, "ats_source": source, "external_id": external_id}
        data = s.CandidateWriteSerializer(data=body)
        data.is_valid(raise_exception=True)
        candidate, created = candidate_upsert(
            organization=self.organization,
            ats_source=source,
            external_id=external_id,
            data=data.validated_data,
            actor=self.principal.audit_actor,
        )
        return self._show(candidate, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=s.BulkRequestSchemaSerializer,
        responses={200: s.BulkResultSerializer},
        description="Upsert up to 1,000 candidates. Always 200 with one result per item "
        "(created, updated or error with its field errors): a bad item does not stop the others.",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        envelope = s.BulkRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        raw_items: list[JSONValue] = envelope.validated_data["items"]
        valid: list[dict[str, str] | None] = []
        errors: dict[int, list[dict[str, str]]] = {}
        for index, raw in enumerate(raw_items):
            values, problems = validate_candidate_item(raw)
            valid.append(values)
            if problems:
                errors[index] = problems
        results = candidate_bulk_upsert(
            organization=self.organization, items=valid, actor=self.principal.audit_actor
        )
        out: list[Mapping[str, object]] = []
        for index in range(len(raw_items)):
            if index in errors:
                out.append({"index": index, "status": "error", "errors": errors[index]})
            else:
                out.append(dict(results[index]))
        return Response({"results": out})
