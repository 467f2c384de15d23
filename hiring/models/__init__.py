"""Hiring's models, one module per idea; Django imports this package to find them all.

- ``jobs``: jobs and the applications to them;
- ``rules``: screening rules, their versions and ALL/ANY groups;
- ``screenings``: screening runs and the screenings they produce;
- ``review``: decisions, FCRA adverse actions, disputes and notices;
- ``audits``: bias audits as recorded.

``from hiring.models import X`` works for every name below.
"""

from __future__ import annotations

# Models of hiring's sub-packages, registered with the app (Django imports ``hiring.models``).
from hiring.ats.models import (
    Ats,
    AtsSecret,
    CandidateLink,
    InboundDelivery,
    LinkKind,
)
from hiring.models.audits import BiasAudit
from hiring.models.jobs import Application, InfluenceRelevance, Job, validate_jurisdictions
from hiring.models.review import (
    AdverseAction,
    AdverseActionNotice,
    AdverseActionStatus,
    Decision,
    DecisionKind,
    Dispute,
    NoticeKind,
    ReviewAssignment,
)
from hiring.models.rules import (
    RULE_DEFINITION_FIELDS,
    Aggregation,
    Combinator,
    MissingDataPolicy,
    NearBandSource,
    Operator,
    RuleAction,
    RuleGroup,
    RuleStatus,
    ScreeningRule,
)
from hiring.models.screenings import Outcome, Screening, ScreeningRun, Suggestion
from hiring.portal.models import (
    ConfirmationKind,
    PortalAction,
    PortalActionKind,
    PortalConfirmation,
    PortalDispute,
    PortalLink,
)
from hiring.privacy.models import ErasedCandidateTombstone, RetentionHold

__all__ = [
    "RULE_DEFINITION_FIELDS",
    "AdverseAction",
    "AdverseActionNotice",
    "AdverseActionStatus",
    "Aggregation",
    "Application",
    "Ats",
    "AtsSecret",
    "BiasAudit",
    "CandidateLink",
    "Combinator",
    "ConfirmationKind",
    "Decision",
    "DecisionKind",
    "Dispute",
    "ErasedCandidateTombstone",
    "InboundDelivery",
    "InfluenceRelevance",
    "Job",
    "LinkKind",
    "MissingDataPolicy",
    "NearBandSource",
    "NoticeKind",
    "Operator",
    "Outcome",
    "PortalAction",
    "PortalActionKind",
    "PortalConfirmation",
    "PortalDispute",
    "PortalLink",
    "RetentionHold",
    "ReviewAssignment",
    "RuleAction",
    "RuleGroup",
    "RuleStatus",
    "Screening",
    "ScreeningRule",
    "ScreeningRun",
    "Suggestion",
    "validate_jurisdictions",
]
