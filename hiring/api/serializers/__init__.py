"""Serializers of the API: what goes in (strictly validated) and what comes out.

One module per resource (candidates, what is held on a candidate, jobs, rules,
screenings and decisions, bias audits); the views use ``from hiring.api import
serializers as s`` and every name is re-exported here.
"""

from __future__ import annotations

from hiring.api.serializers.audits import (
    AuditReportSerializer,
    AuditRowSerializer,
    AuditTablesSerializer,
    BiasAuditSerializer,
)
from hiring.api.serializers.candidate_data import (
    EvidenceSerializer,
    NoticeSerializer,
    NoticeWithdrawSerializer,
    ScoreComponentSerializer,
    ScoreSerializer,
    SocialAccountSerializer,
    SocialAccountWriteSerializer,
    VendorScoreData,
    VendorScoreSerializer,
)
from hiring.api.serializers.candidates import (
    MAX_BULK_ITEMS,
    BulkItemResultSerializer,
    BulkRequestSchemaSerializer,
    BulkRequestSerializer,
    BulkResultSerializer,
    CandidatePatchSerializer,
    CandidateSerializer,
    CandidateWriteSerializer,
    FieldErrorSerializer,
    LatestScoresSerializer,
    LatestScreeningSerializer,
)
from hiring.api.serializers.jobs import (
    JURISDICTIONS_HELP,
    ApplicationSerializer,
    JobSerializer,
    JobWriteSerializer,
)
from hiring.api.serializers.rules import (
    AlternativeSerializer,
    FairnessWarningSerializer,
    RuleAcknowledgeSerializer,
    RuleActivateSerializer,
    RuleApproveSerializer,
    RuleDefinitionSerializer,
    RuleNoteSerializer,
    RulePatchSerializer,
    RulePreviewRequestSerializer,
    RulePreviewSerializer,
    RuleRollbackSerializer,
    RuleSerializer,
    RuleStatementSerializer,
    RuleWriteSerializer,
)
from hiring.api.serializers.screenings import (
    DecisionSerializer,
    DecisionWriteSerializer,
    ScreeningQueuedSerializer,
    ScreeningSerializer,
    ScreeningTriggerSerializer,
)

__all__ = [
    "JURISDICTIONS_HELP",
    "MAX_BULK_ITEMS",
    "AlternativeSerializer",
    "ApplicationSerializer",
    "AuditReportSerializer",
    "AuditRowSerializer",
    "AuditTablesSerializer",
    "BiasAuditSerializer",
    "BulkItemResultSerializer",
    "BulkRequestSchemaSerializer",
    "BulkRequestSerializer",
    "BulkResultSerializer",
    "CandidatePatchSerializer",
    "CandidateSerializer",
    "CandidateWriteSerializer",
    "DecisionSerializer",
    "DecisionWriteSerializer",
    "EvidenceSerializer",
    "FairnessWarningSerializer",
    "FieldErrorSerializer",
    "JobSerializer",
    "JobWriteSerializer",
    "LatestScoresSerializer",
    "LatestScreeningSerializer",
    "NoticeSerializer",
    "NoticeWithdrawSerializer",
    "RuleAcknowledgeSerializer",
    "RuleActivateSerializer",
    "RuleApproveSerializer",
    "RuleDefinitionSerializer",
    "RuleNoteSerializer",
    "RulePatchSerializer",
    "RulePreviewRequestSerializer",
    "RulePreviewSerializer",
    "RuleRollbackSerializer",
    "RuleSerializer",
    "RuleStatementSerializer",
    "RuleWriteSerializer",
    "ScoreComponentSerializer",
    "ScoreSerializer",
    "ScreeningQueuedSerializer",
    "ScreeningSerializer",
    "ScreeningTriggerSerializer",
    "SocialAccountSerializer",
    "SocialAccountWriteSerializer",
    "VendorScoreData",
    "VendorScoreSerializer",
]
