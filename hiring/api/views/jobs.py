"""Jobs, applications, rules (HR admins), rule preview, screenings, decisions, bias audit.

Rules change only through ``hiring.services`` (versions, four eyes, audit trail);
decisions only through ``hiring.review.decisions.decision_record``; the bias audit is the live
bias audit (``hiring.fairness.live_bias_audit.job_audit``), shown only once
``candidates.selectors.self_identification_gate`` lets the caller see it (auditors,
aggregates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import django_filters
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.models import Candidate
from candidates.selectors import candidate_for, self_identification_gate
from hiring import selectors as hiring_selectors
from hiring import services
from hiring.api import selectors as api_selectors
from hiring.api import serializers as s
from hiring.fairness.alternatives import best_first, fairer_alternatives
from hiring.fairness.bias_audit import AuditInputError, audit_report
from hiring.fairness.live_bias_audit import job_audit
from hiring.fairness.preview import rule_preview, rules_with_draft
from hiring.fairness.warning import GroupedWarningDict
from hiring.models import (
    Application,
    Decision,
    ErasedCandidateTombstone,
    Job,
    Outcome,
    RuleGroup,
    Screening,
    ScreeningRule,
    Suggestion,
)
from hiring.review.decisions import decision_record
from hiring.screening import metrics
from hiring.tasks import screening_rerun_task, screening_run_task
from renown.api import access
from renown.api.incremental import IncrementalListMixin
from renown.api.problems import PROBLEM_CONTENT_TYPE
from renown.api.schema import ProblemSerializer, extend_schema
from renown.api.views import ApiViewSet
from renown.exceptions import ApplicationError
from renown.queue import enqueue
from renown.trail import audit_actor_label

JOB_PARAMETER = OpenApiParameter("job_id", int, OpenApiParameter.PATH)
# The answers of acknowledge and approve besides 200 (problem documents).
APPROVE_409 = OpenApiResponse(
    ProblemSerializer,
    description="refused: the version is not a draft, or you wrote it (a second HR admin "
    "of the organisation approves).",
)
ACKNOWLEDGE_409 = OpenApiResponse(
    ProblemSerializer,
    description="refused: the version is not a draft (nor a live one awaiting "
    "acknowledgement), or has no serious warning to acknowledge.",
)
STATEMENT_422 = OpenApiResponse(
    ProblemSerializer,
    description="statement-required: the statement is missing, empty or only whitespace; "
    "errors names the field and warnings lists the serious warnings it would answer.",
)
SCREENING_PARAMETER = OpenApiParameter("screening_id", int, OpenApiParameter.PATH)


def _person(principal: access.Principal) -> AbstractBaseUser:
    """The user behind a request the access map let through to a person-only action."""
    if principal.user is None:
        raise PermissionDenied("A person must do this, not a token.")
    return principal.user


class JobViewSet(
    ApiViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """The organisation's jobs (kept in step with the ATS)."""

    serializer_class = s.JobSerializer
    lookup_url_kwarg = "job_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["external_id", "influence_relevance"]
    ordering = ["title", "id"]
    ordering_fields = ["title", "created_at", "id"]
    http_method_names = ["get", "post", "patch"]
    access = {
        "list": access.READERS,
        "retrieve": access.READERS,
        "create": frozenset({access.HR_ADMIN, access.WRITE_TOKEN}),
        "partial_update": frozenset({access.HR_ADMIN, access.WRITE_TOKEN}),
        "bias_audit": access.AUDITORS,
    }

    def get_queryset(self) -> QuerySet[Job]:
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return hiring_selectors.job_list_for(self.principal)

    @extend_schema(request=s.JobWriteSerializer, responses={201: s.JobSerializer})
    def create(self, request: Request) -> Response:
        data = s.JobWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_create(
            organization=self.organization, actor=self.principal.audit_actor, **data.validated_data
        )
        return Response(s.JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.JobWriteSerializer(partial=True), responses={200: s.JobSerializer})
    def partial_update(self, request: Request, job_id: str) -> Response:
        job = self.get_object()
        data = s.JobWriteSerializer(job, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        job = services.job_update(
            job=job, actor=self.principal.audit_actor, changes=data.validated_data
        )
        return Response(s.JobSerializer(job).data)

    @extend_schema(
        responses={200: s.BiasAuditSerializer},
        description="Selection rates and impact ratios of the job's screening by sex, "
        "race/ethnicity and both (6 RCNY 5-301; four-fifths rule, 29 CFR 1607.4(D)): "
        "aggregates only, for the organisation's auditors. Selected: outcome 'meets'.",
    )
    @action(detail=True, methods=["get"], url_path="bias-audit")
    def bias_audit(self, request: Request, job_id: str) -> Response:
        job = self.get_object()
        screened = Screening.objects.filter(job=job)
        population = list(screened.values_list("candidate_id", flat=True))
        selected = list(
            screened.filter(outcome=Outcome.MEETS).values_list("candidate_id", flat=True)
        )
        # Self-identified data is for auditors, and never counted over a handful of people
        # (neither the screened nor the selected); the counting is the live bias audit's,
        # the same as the admin's job page.
        user = _person(self.principal)
        self_identification_gate(
            user=user, organization=self.organization, candidate_ids=population
        )
        if selected:
            self_identification_gate(
                user=user, organization=self.organization, candidate_ids=selected
            )
        try:
            report = audit_report(job_audit(job).result)
        except AuditInputError as exc:
            raise ApplicationError(f"No audit possible: {exc}") from None
        return Response({"job": job.pk, "screened": len(population), "report": report})


class JobChildViewSet(ApiViewSet):
    """Objects of one job of the caller's organisation."""

    def get_job(self) -> Job:
        if not hasattr(self, "_job"):
            self._job = hiring_selectors.job_for(self.principal, self.kwargs["job_id"])
        return self._job


@extend_schema_view(
    list=extend_schema(parameters=[JOB_PARAMETER]),
    create=extend_schema(parameters=[JOB_PARAMETER]),
)
class ApplicationViewSet(JobChildViewSet, mixins.ListModelMixin, mixins.CreateModelMixin):
    """Who is considered for the job: the population its rules screen."""

    serializer_class = s.ApplicationSerializer
    ordering = ["id"]
    ordering_fields = ["id", "created_at"]
    access = {"list": access.READERS, "create": access.WRITERS}

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return hiring_selectors.application_list_for(self.principal, job=self.get_job())

    def perform_create(self, serializer: serializers.BaseSerializer[Application]) -> None:
        job = self.get_job()
        try:
            candidate = candidate_for(
                self.principal, serializer.validated_data["candidate"]["public_id"]
            )
        except Http404:
            raise serializers.ValidationError({"candidate": "No such candidate."}) from None
        serializer.instance = services.application_add(
            job=job,
            candidate=candidate,
            external_id=serializer.validated_data.get("external_id", ""),
            actor=self.principal.audit_actor,
        )


def _group(job: Job, group_id: int | None) -> RuleGroup | None:
    if group_id is None:
        return None
    group = RuleGroup.objects.filter(job=job, pk=group_id).first()
    if group is None:
        raise serializers.ValidationError({"group": "No such group on this job."})
    return group


@extend_schema_view(
    list=extend_schema(parameters=[JOB_PARAMETER]),
    create=extend_schema(
        parameters=[JOB_PARAMETER],
        request=s.RuleWriteSerializer,
        responses={201: s.RuleSerializer},
        description="Version 1 of a rule (HR admins). Live at once unless it screens people "
        "out: then a second HR admin approves it.",
    ),
)
class JobRuleViewSet(JobChildViewSet, mixins.ListModelMixin):
    """A job's rules: every version; ``status=live`` for the ones in force."""

    serializer_class = s.RuleSerializer
    filterset_fields = ["status", "metric", "action"]
    ordering = ["id"]
    ordering_fields = ["id", "version"]
    access = {
        "list": access.READERS,
        "create": access.RULE_WRITERS,
        "preview": access.RULE_WRITERS,
    }

    def get_queryset(self) -> QuerySet[ScreeningRule]:
        if getattr(self, "swagger_fake_view", False):
            return ScreeningRule.objects.none()
        return hiring_selectors.rule_list_for(self.principal, job=self.get_job())

    def create(self, request: Request, job_id: str) -> Response:
        job = self.get_job()
        data = s.RuleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rule = services.rule_create(
            job=job,
            actor=_person(self.principal),
            group=_group(job, values.pop("group")),
            **values,
        )
        return Response(s.RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[JOB_PARAMETER],
        request=s.RulePreviewRequestSerializer,
        responses={200: s.RulePreviewSerializer},
        description="What the rule would do beside the job's live rules, saving nothing "
        "(HR admins): outcome counts on today's candidates, the fairness warnings "
        "grouped, one per code and table, serious first (groups of fewer than 5 people "
        "have no counts), and fairer alternatives "
        "(hiring.fairness.preview). With 'replaces', the rule is a new version of that rule.",
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request, job_id: str) -> Response:
        job = self.get_job()
        data = s.RulePreviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        group = _group(job, values.pop("group"))
        replaces_id = values.pop("replaces", None)
        rule = ScreeningRule(job=job, group=group, **values)
        if replaces_id is not None:
            replaced = ScreeningRule.objects.filter(job=job, pk=replaces_id).first()
            if replaced is None:
                raise serializers.ValidationError({"replaces": "No such rule on this job."})
            rule.lineage = replaced.lineage
        try:
            metrics.metric_source(rule.metric)
        except ValueError as exc:
            raise serializers.ValidationError({"metric": str(exc)}) from None
        rule.full_clean(exclude=["lineage", "job", "group"], validate_constraints=False)
        return Response(rule_preview_data(job=job, rule=rule))


class RulePreviewData(TypedDict):
    """The preview as the API answers it (``s.RulePreviewSerializer`` documents it)."""

    rule: str
    candidates: int
    outcomes: Mapping[str, int]
    suggestions: Mapping[str, int]
    warnings: list[GroupedWarningDict]  # one per code and table, serious first
    as_drafted: Mapping[str, object]
    alternatives: list[Mapping[str, object]]


def rule_preview_data(*, job: Job, rule: ScreeningRule) -> RulePreviewData:
    """The what-if preview of ``rule`` as a draft beside the job's live rules, and the
    fairer alternatives (``hiring.fairness.preview``, ``hiring.fairness.alternatives``):
    the same figures, in the same order, as the admin's rule form shows.
    """
    rules = rules_with_draft(job, rule)
    preview = rule_preview(job, rules, four_eyes_approved=None)
    base, alternatives = fairer_alternatives(job, rules)
    return {
        "rule": str(rule),
        "candidates": preview.total,
        "outcomes": preview.outcomes,
        "suggestions": preview.suggestions,
        "warnings": [w.grouped_dict() for w in preview.warnings if not w.restricted],
        "as_drafted": base.as_dict(),
        "alternatives": [a.as_dict() for a in best_first(alternatives)],
    }


class RuleViewSet(ApiViewSet, mixins.RetrieveModelMixin):
    """One rule version; changes write the next version through ``hiring.services``."""

    serializer_class = s.RuleSerializer
    lookup_url_kwarg = "rule_id"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch"]
    access = {
        "retrieve": access.READERS,
        "versions": access.READERS,
        "partial_update": access.RULE_WRITERS,
        "approve": access.RULE_WRITERS,
        "acknowledge": access.RULE_WRITERS,
        "activate": access.RULE_WRITERS,
        "deactivate": access.RULE_WRITERS,
        "rollback": access.RULE_WRITERS,
    }

    def get_queryset(self) -> QuerySet[ScreeningRule]:
        if getattr(self, "swagger_fake_view", False):
            return ScreeningRule.objects.none()
        return hiring_selectors.rule_list_for(self.principal).select_related(
            "job__organization", "group"
        )

    @extend_schema(
        request=s.RulePatchSerializer,
        responses={201: s.RuleSerializer},
        description="Write the rule's next version with these changes (the newest version only).",
    )
    def partial_update(self, request: Request, rule_id: str) -> Response:
        rule = self.get_object()
        data = s.RulePatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        options = {k: values.pop(k) for k in ("activate", "note", "acknowledgement") if k in values}
        if "group" in values:
            values["group"] = _group(rule.job, values["group"])
        if not values:
            raise serializers.ValidationError("Change at least one definition field.")
        new = services.rule_update(
            rule=rule, actor=_person(self.principal), changes=values, **options
        )
        return Response(s.RuleSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.RuleSerializer(many=True)}, description="Every version.")
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, rule_id: str) -> Response:
        rule = self.get_object()
        versions = hiring_selectors.rule_versions(rule=rule)
        return Response(s.RuleSerializer(versions, many=True).data)

    @extend_schema(
        request=s.RuleApproveSerializer,
        responses={
            200: s.RuleSerializer,
            (409, PROBLEM_CONTENT_TYPE): APPROVE_409,
            (422, PROBLEM_CONTENT_TYPE): STATEMENT_422,
        },
        description="A second HR admin approves a draft in words, and it goes live (four "
        'eyes): {"statement": "..."}. The statement is saved with the version '
        "(approval_statement) and on the audit trail (rule.approved), and acknowledges any "
        "serious warning that appeared since the author's acknowledgement. 422 when the "
        "statement is missing or empty, 409 when the version is not a draft or you wrote it.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, rule_id: str) -> Response:
        rule = self.get_object()
        data = s.RuleStatementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_approve(
            rule=rule, approver=_person(self.principal), statement=data.validated_data["statement"]
        )
        return Response(s.RuleSerializer(rule).data)

    @extend_schema(
        request=s.RuleAcknowledgeSerializer,
        responses={
            200: s.RuleSerializer,
            (409, PROBLEM_CONTENT_TYPE): ACKNOWLEDGE_409,
            (422, PROBLEM_CONTENT_TYPE): STATEMENT_422,
        },
        description="Acknowledge a draft's serious fairness warnings in words, as it stands "
        '(no new version): {"statement": "..."}, kept on the audit trail '
        "(warning.acknowledged) with the warnings it answers; then it can go live, or be "
        "approved. Also a live version that a change of its job left awaiting "
        "acknowledgement (acknowledgement_pending): a screen-out version then screens out "
        "again. 422 when the statement is missing or empty, 409 when the version is not a "
        "draft (nor live and awaiting acknowledgement) or has no serious warning.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, rule_id: str) -> Response:
        rule = self.get_object()
        data = s.RuleStatementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_acknowledge(
            rule=rule, actor=_person(self.principal), statement=data.validated_data["statement"]
        )
        return Response(s.RuleSerializer(rule).data)

    @extend_schema(request=s.RuleActivateSerializer, responses={200: s.RuleSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, rule_id: str) -> Response:
        data = s.RuleActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_activate(
            rule=self.get_object(), actor=_person(self.principal), **data.validated_data
        )
        return Response(s.RuleSerializer(rule).data)

    @extend_schema(request=s.RuleNoteSerializer, responses={200: s.RuleSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, rule_id: str) -> Response:
        data = s.RuleNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_deactivate(
            rule=self.get_object(), actor=_person(self.principal), note=data.validated_data["note"]
        )
        return Response(s.RuleSerializer(rule).data)

    @extend_schema(request=s.RuleRollbackSerializer, responses={201: s.RuleSerializer})
    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, rule_id: str) -> Response:
        data = s.RuleRollbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_rollback(
            rule=self.get_object(), actor=_person(self.principal), **data.validated_data
        )
        return Response(s.RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class ScreeningFilter(django_filters.FilterSet):  # type: ignore[misc]
    job = django_filters.NumberFilter(field_name="job_id")
    candidate = django_filters.UUIDFilter(field_name="candidate__public_id")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    suggestion = django_filters.ChoiceFilter(choices=Suggestion.choices)

    class Meta:
        model = Screening
        fields: list[str] = []


class ScreeningViewSet(
    IncrementalListMixin, ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """Screenings: each candidate's latest outcome per job, with a reason per rule.

    With ``updated_after`` (``renown.api.incremental``): the screenings evaluated at or
    after it (every run rewrites the screenings it evaluates, changed outcome or not),
    in (evaluated_at, id) order, and the organisation's erased candidates as tombstones
    (the candidate's id: delete their screenings), after the screenings of the same
    instant. Not indexed on evaluated_at: an index on it would end the HOT updates
    screening runs rely on (migration 0002); the read sorts the organisation's
    screenings at or after T.
    """

    serializer_class = s.ScreeningSerializer
    lookup_url_kwarg = "screening_id"
    lookup_value_regex = r"[0-9]+"
    filterset_class = ScreeningFilter
    ordering = ["-evaluated_at", "-id"]
    ordering_fields = ["evaluated_at", "id"]
    incremental_time_field = "evaluated_at"
    reports_erasures = True
    access = {"list": access.READERS, "retrieve": access.READERS, "run": access.WRITERS}

    def get_queryset(self) -> QuerySet[Screening]:
        if getattr(self, "swagger_fake_view", False):
            return Screening.objects.none()
        return hiring_selectors.screening_list_for(self.principal)

    def erasure_tombstones(self) -> QuerySet[ErasedCandidateTombstone]:
        return api_selectors.erasure_tombstones_for(self.principal)

    @extend_schema(
        request=s.ScreeningTriggerSerializer,
        responses={200: s.ScreeningSerializer, 202: s.ScreeningQueuedSerializer},
        description="Screen a job's candidates (job: 202, queued), a candidate for every job "
        "they are considered for (candidate: 202, queued), or one candidate for one job at "
        "once (both: 200 with the screening; 409 when the job has no live rule).",
    )
    @action(detail=False, methods=["post"])
    def run(self, request: Request) -> Response:
        data = s.ScreeningTriggerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job: Job | None = None
        candidate: Candidate | None = None
        if "job" in data.validated_data:
            try:
                job = hiring_selectors.job_for(self.principal, data.validated_data["job"])
            except Http404:
                raise serializers.ValidationError({"job": "No such job."}) from None
        if "candidate" in data.validated_data:
            try:
                candidate = candidate_for(self.principal, data.validated_data["candidate"])
            except Http404:
                raise serializers.ValidationError({"candidate": "No such candidate."}) from None
        reason = f"API: {self.principal.label}"[:100]
        # A label, not the user: it crosses to the worker with the task.
        actor = audit_actor_label(self.principal.audit_actor)
        if job is not None and candidate is not None:
            screening = services.screening_evaluate(
                candidate=candidate, job=job, actor=actor, reason=reason
            )
            if screening is None:
                raise ApplicationError("The job has no live rule: nothing to screen against.")
            return Response(s.ScreeningSerializer(screening).data)
        if job is not None:
            enqueue(screening_run_task, job.pk, reason, actor)
        elif candidate is not None:
            enqueue(screening_rerun_task, [candidate.pk], reason, actor)
        return Response(
            {
                "status": "queued",
                "job": job.pk if job else None,
                "candidate": str(candidate.public_id) if candidate else None,
            },
            status=status.HTTP_202_ACCEPTED,
        )


@extend_schema_view(
    list=extend_schema(parameters=[SCREENING_PARAMETER]),
    create=extend_schema(
        parameters=[SCREENING_PARAMETER],
        request=s.DecisionWriteSerializer,
        responses={201: s.DecisionSerializer},
        description="A recruiter's decision on the screening, with the reason. A rejection "
        "needs a below on an approved screen-out rule (409 otherwise), unless it is outside "
        "Renown (`outside_renown` with `attested`: the reviewer attests that Renown's data "
        "played no part; no FCRA adverse-action steps follow).",
    ),
)
class DecisionViewSet(ApiViewSet, mixins.ListModelMixin):
    """People's decisions on a screening, newest first."""

    serializer_class = s.DecisionSerializer
    ordering = ["-decided_at", "-id"]
    ordering_fields = ["decided_at", "id"]
    access = {"list": access.READERS, "create": access.REVIEWERS}

    def get_screening(self) -> Screening:
        return hiring_selectors.screening_for(self.principal, self.kwargs["screening_id"])

    def get_queryset(self) -> QuerySet[Decision]:
        if getattr(self, "swagger_fake_view", False):
            return Decision.objects.none()
        return hiring_selectors.decision_list_for(self.principal, screening=self.get_screening())

    def create(self, request: Request, screening_id: str) -> Response:
        screening = self.get_screening()
        data = s.DecisionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = decision_record(
            screening=screening, reviewer=_person(self.principal), **data.validated_data
        )
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
