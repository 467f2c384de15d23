"""``GET /api/v1/candidates/{candidate_id}/export/``: the access request (GDPR Art. 15)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from candidates.selectors import candidate_for
from hiring.privacy import services
from renown.api import access
from renown.api.schema import extend_schema
from renown.api.views import ApiViewSet

# Those who answer a data subject's requests: HR admins, and the ATS that received it
# (the same personas that may erase).
EXPORTERS = access.ERASERS


class CandidateExportViewSet(ApiViewSet):
    """Every piece of data held on one candidate, section by section."""

    access = {"list": EXPORTERS}
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="candidates_export",
        parameters=[OpenApiParameter("candidate_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: OpenApiTypes.OBJECT},
        description="Everything Renown holds on the candidate: the profile, accounts, raw "
        "snapshots, scores, vendor scores, flags, evidence, notices, applications, "
        "screenings, decisions, adverse actions and their notices, links, webhook "
        "deliveries, retention hold, and the audit events about them. The voluntary "
        "self-identification is withheld here (no token and no recruiter ever sees one "
        "person's answers): its presence is stated, and the operator's "
        "`manage.py export_candidate` includes it.",
    )
    def list(self, request: Request, candidate_id: str) -> Response:
        candidate = candidate_for(self.principal, candidate_id)
        export = services.candidate_export(candidate)
        held = export.pop("self_identification")
        export["self_identification"] = {
            "withheld": True,
            "records": len(held) if isinstance(held, list) else 0,
            "reason": "Self-identification reaches no API client; the operator's "
            "export_candidate command includes it.",
        }
        return Response(export)
