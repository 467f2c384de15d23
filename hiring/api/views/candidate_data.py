"""What is held on a candidate: accounts, evidence, notices, scores, vendor scores.

Every URL starts ``/api/v1/candidates/{candidate_id}/``: the candidate is looked up
in the caller's organisation first (another organisation's is a 404).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from candidates import services as candidate_services
from candidates.models import Candidate, CandidateNotice, ReputationEvidence, SocialAccount
from candidates.selectors import candidate_for
from hiring.api import serializers as s
from hiring.api.selectors import erasure_tombstones_for
from hiring.models import ErasedCandidateTombstone
from renown.api import access, incremental
from renown.api.incremental import IncrementalListMixin
from renown.api.schema import extend_schema
from renown.api.views import ApiViewSet
from scoring.models import Score, VendorScore
from scoring.services import vendor_score_record

CANDIDATE_PARAMETER = OpenApiParameter(
    "candidate_id", str, OpenApiParameter.PATH, description="The candidate's id (a UUID)."
)


class CandidateChildViewSet(ApiViewSet):
    """Objects that belong to one candidate of the caller's organisation."""

    model: type[Model]
    ordering = ["-id"]
    ordering_fields = ["id", "created_at"]

    def get_candidate(self) -> Candidate:
        if not hasattr(self, "_candidate"):
            self._candidate = candidate_for(self.principal, self.kwargs["candidate_id"])
        return self._candidate

    def get_queryset(self) -> QuerySet[Model]:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.model._default_manager.filter(candidate=self.get_candidate())


@extend_schema_view(
    list=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    retrieve=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    destroy=extend_schema(parameters=[CANDIDATE_PARAMETER]),
)
class SocialAccountViewSet(
    CandidateChildViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
):
    """The candidate's accounts; a handle is normalised and checked for its network."""

    model = SocialAccount
    serializer_class = s.SocialAccountSerializer
    lookup_url_kwarg = "account_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["network", "status"]
    access = {
        "list": access.READERS,
        "retrieve": access.READERS,
        "create": access.WRITERS,
        "destroy": access.WRITERS,
    }

    @extend_schema(
        parameters=[CANDIDATE_PARAMETER],
        request=s.SocialAccountWriteSerializer,
        responses={201: s.SocialAccountSerializer},
    )
    def create(self, request: Request, candidate_id: str) -> Response:
        data = s.SocialAccountWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = candidate_services.account_attach(
            candidate=self.get_candidate(),
            actor=self.principal.audit_actor,
            network=data.validated_data["network"],
            handle=data.validated_data["handle"],
            verification=data.validated_data["verification"],
        )
        return Response(s.SocialAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: SocialAccount) -> None:
        candidate_services.account_remove(account=instance, actor=self.principal.audit_actor)


@extend_schema_view(
    list=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    retrieve=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    create=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    partial_update=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    destroy=extend_schema(parameters=[CANDIDATE_PARAMETER]),
)
class EvidenceViewSet(
    CandidateChildViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Offline reputation: talks, books, publications, awards..."""

    model = ReputationEvidence
    serializer_class = s.EvidenceSerializer
    lookup_url_kwarg = "evidence_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["kind", "verification"]
    http_method_names = ["get", "post", "patch", "delete"]
    access = {
        "list": access.READERS,
        "retrieve": access.READERS,
        "create": access.WRITERS,
        "partial_update": access.WRITERS,
        "destroy": access.WRITERS,
    }

    def perform_create(self, serializer: serializers.BaseSerializer[ReputationEvidence]) -> None:
        serializer.instance = candidate_services.evidence_record(
            candidate=self.get_candidate(),
            actor=self.principal.audit_actor,
            **serializer.validated_data,
        )

    def perform_update(self, serializer: serializers.BaseSerializer[ReputationEvidence]) -> None:
        # Changing what verified evidence says returns it to unverified (the service).
        evidence = serializer.instance
        assert isinstance(evidence, ReputationEvidence)  # noqa: S101 - set by get_object
        serializer.instance = candidate_services.evidence_update(
            evidence=evidence,
            changes=serializer.validated_data,
            actor=self.principal.audit_actor,
        )

    def perform_destroy(self, instance: ReputationEvidence) -> None:
        candidate_services.evidence_remove(evidence=instance, actor=self.principal.audit_actor)


@extend_schema_view(
    list=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    retrieve=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    create=extend_schema(parameters=[CANDIDATE_PARAMETER]),
)
class NoticeViewSet(
    CandidateChildViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Notices given and authorisations signed; a withdrawal is recorded, nothing is deleted."""

    model = CandidateNotice
    serializer_class = s.NoticeSerializer
    lookup_url_kwarg = "notice_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["kind"]
    ordering = ["-given_at", "-id"]
    ordering_fields = ["given_at", "id"]
    access = {
        "list": access.READERS,
        "retrieve": access.READERS,
        "create": access.WRITERS,
        "withdraw": access.WRITERS,
    }

    def perform_create(self, serializer: serializers.BaseSerializer[CandidateNotice]) -> None:
        serializer.instance = candidate_services.notice_record(
            candidate=self.get_candidate(),
            actor=self.principal.audit_actor,
            **serializer.validated_data,
        )

    @extend_schema(
        parameters=[CANDIDATE_PARAMETER],
        request=s.NoticeWithdrawSerializer,
        responses={200: s.NoticeSerializer},
        description="Record that the candidate withdrew this consent or authorisation.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, candidate_id: str, notice_id: str) -> Response:
        notice: CandidateNotice = self.get_object()
        data = s.NoticeWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = candidate_services.notice_withdraw(
            notice=notice,
            withdrawn_at=data.validated_data["withdrawn_at"],
            actor=self.principal.audit_actor,
        )
        return Response(s.NoticeSerializer(notice).data)


@extend_schema_view(
    list=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    retrieve=extend_schema(parameters=[CANDIDATE_PARAMETER]),
)
class ScoreViewSet(
    IncrementalListMixin,
    CandidateChildViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """The candidate's score history, newest first, each with its explanation.

    With ``updated_after`` (``renown.api.incremental``): the scores computed at or after
    it (a score never changes: new inputs make a new one), in (computed_at, id) order.
    For a candidate erased since, the list is their tombstone (erased at or after T)
    or empty, not 404: delete their scores.
    """

    model = Score
    serializer_class = s.ScoreSerializer
    lookup_url_kwarg = "score_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["scorer"]
    ordering = ["-as_of", "-id"]
    ordering_fields = ["as_of", "id"]
    incremental_time_field = "computed_at"
    reports_erasures = True
    access = {"list": access.READERS, "retrieve": access.READERS}
    _erasure: QuerySet[ErasedCandidateTombstone] | None = None

    def list_queryset(self) -> QuerySet[Model]:
        try:
            return self.get_queryset()
        except Http404:
            if not incremental.requested(self.request):
                raise
            erasure = erasure_tombstones_for(self.principal, public_id=self.kwargs["candidate_id"])
            if not erasure.exists():
                raise
        self._erasure = erasure
        return Score.objects.none()

    def erasure_tombstones(self) -> QuerySet[ErasedCandidateTombstone] | None:
        return self._erasure


@extend_schema_view(
    list=extend_schema(parameters=[CANDIDATE_PARAMETER]),
    create=extend_schema(
        parameters=[CANDIDATE_PARAMETER],
        responses={200: s.VendorScoreSerializer, 201: s.VendorScoreSerializer},
        description="Push a vendor's score: 201 when new, 200 when it replaces the value "
        "for the same vendor and date.",
    ),
)
class VendorScoreViewSet(CandidateChildViewSet, mixins.ListModelMixin):
    """Scores third-party vendors computed, on their native scales."""

    model = VendorScore
    serializer_class = s.VendorScoreSerializer
    filterset_fields = ["vendor"]
    ordering = ["-as_of", "-id"]
    ordering_fields = ["as_of", "id"]
    access = {"list": access.READERS, "create": access.WRITERS}

    def create(self, request: Request, candidate_id: str) -> Response:
        data = s.VendorScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: s.VendorScoreData = data.validated_data
        score, created = vendor_score_record(
            candidate=self.get_candidate(),
            vendor=values["vendor"],
            vendor_name=values.get("vendor_name", ""),
            as_of=values["as_of"],
            value=values["value"],
            scale_min=values["scale_min"],
            scale_max=values["scale_max"],
            source=self.principal.label,
            actor=self.principal.audit_actor,
        )
        return Response(
            s.VendorScoreSerializer(score).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
