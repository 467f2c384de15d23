"""The webhook events Renown sends, as types (docs/webhooks.md lists them).

Every delivery's body is one ``WebhookEvent``: the envelope (``id``, ``type``,
``created_at``, ``organization``) around the event's ``data``. The code that builds an
event's data (``scoring`` for ``score.updated``, ``hiring`` for the others) and the code
that wraps and sends it (``renown.webhooks.services``) share these shapes. Values are
as the code builds them (``datetime``, ``Decimal``); the body is written with Django's
JSON encoder, which turns them into ISO 8601 text and strings.

This module is part of the plugin's base (``renown``), which imports no other app: the
shapes name plain values, never another app's models.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypeAlias, TypedDict

from renown.json_types import JSONValue


class CandidateRef(TypedDict):
    """How events name a candidate: the public id and the ATS's own ids, never a name."""

    id: str
    ats_source: str
    external_id: str


class JobRef(TypedDict):
    """How events name a job."""

    id: int
    external_id: str
    title: str


class ScoreEntry(TypedDict):
    """One score of ``score.updated``."""

    scorer: str
    version: int
    value: Decimal
    scale_min: Decimal
    scale_max: Decimal
    as_of: datetime
    computed_at: datetime


class ScoreUpdatedData(TypedDict):
    """``score.updated``: new scores were computed for a candidate."""

    candidate: CandidateRef
    scores: list[ScoreEntry]


class ScreeningRunRef(TypedDict):
    """The run of ``screening.completed``."""

    id: int
    reason: str
    evaluated_at: datetime
    candidates: int
    counts: JSONValue  # {outcome: candidates}
    rule_versions: JSONValue  # {rule id: version}


class ScreeningEntry(TypedDict):
    """One candidate's screening in ``screening.completed``."""

    candidate: CandidateRef
    outcome: str
    suggestion: str
    evaluated_at: datetime


class ScreeningCompletedData(TypedDict):
    """``screening.completed``: a job's rules were evaluated (``part`` of ``parts``)."""

    job: JobRef
    run: ScreeningRunRef
    part: int
    parts: int
    screenings: list[ScreeningEntry]


class DecisionRef(TypedDict):
    """The decision of ``decision.recorded``."""

    id: int
    kind: str
    reason: str
    decided_at: datetime
    machine_outcome: str
    machine_suggestion: str
    follows_machine: bool | None
    adverse_action: bool
    outside_renown: bool  # a rejection for reasons outside Renown (attested): no FCRA steps


class DecisionRecordedData(TypedDict):
    """``decision.recorded``: a person decided on a screening."""

    decision: DecisionRef
    candidate: CandidateRef
    job: JobRef


class CandidateErasedData(TypedDict):
    """``candidate.erased``: a candidate was erased (``retention_hold_until``: None when nothing was kept)."""

    candidate: CandidateRef
    erased_at: datetime
    retention_hold_until: datetime | None


class PortalActionRef(TypedDict):
    """The action of ``candidate.portal_action``."""

    id: int
    kind: str  # evidence_added, ...
    summary: str
    subject: str  # what it made or changed ("renown_candidates.reputationevidence:12"), or ""
    occurred_at: datetime


class CandidatePortalActionData(TypedDict):
    """``candidate.portal_action``: the candidate did something through their private link."""

    candidate: CandidateRef
    action: PortalActionRef


# What ``event_emit`` takes as an event's data: one of the shapes above, so a payload
# built in scoring or hiring is checked against the shape docs/webhooks.md promises.
EventData: TypeAlias = (
    ScoreUpdatedData
    | ScreeningCompletedData
    | DecisionRecordedData
    | CandidateErasedData
    | CandidatePortalActionData
)


class WebhookEvent(TypedDict):
    """A delivery's body: the envelope around the event's ``data``."""

    id: str
    type: str
    created_at: datetime
    organization: str
    data: EventData


__all__ = [
    "CandidateErasedData",
    "CandidatePortalActionData",
    "CandidateRef",
    "DecisionRecordedData",
    "DecisionRef",
    "EventData",
    "JobRef",
    "PortalActionRef",
    "ScoreEntry",
    "ScoreUpdatedData",
    "ScreeningCompletedData",
    "ScreeningEntry",
    "ScreeningRunRef",
    "WebhookEvent",
]
