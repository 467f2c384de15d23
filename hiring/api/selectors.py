"""Reads for the API, tenant-scoped through the organisation of the caller."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from candidates.models import Candidate
from candidates.selectors import candidate_list_for
from hiring.models import ErasedCandidateTombstone, Screening
from renown.access import Principal, scoped
from renown.models import Organization
from scoring.models import LatestScore


def _latest_score(scorer: str) -> Subquery:
    # The row the scoring service keeps per (candidate, scorer): one unique-index probe,
    # never a walk of the score history.
    return Subquery(
        LatestScore.objects.filter(candidate_id=OuterRef("pk"), scorer=scorer).values("value")[:1]
    )


def _latest_screening(field: str) -> Subquery:
    return Subquery(
        Screening.objects.filter(candidate_id=OuterRef("pk"))
        .order_by("-evaluated_at", "-id")
        .values(field)[:1]
    )


def candidate_list_with_latest(principal: Principal | Organization) -> QuerySet[Candidate]:
    """The caller's candidates (``candidate_list_for``), each with its newest scores and
    screening outcome.

    One query per page whatever its size: the newest values come as subqueries, the
    scores from ``scoring.LatestScore`` (kept when scores are written), not the history.
    """
    return candidate_list_for(principal).annotate(
        latest_influence=_latest_score("influence"),
        latest_reputation=_latest_score("reputation"),
        latest_outcome=_latest_screening("outcome"),
        latest_suggestion=_latest_screening("suggestion"),
        latest_job_id=_latest_screening("job_id"),
        latest_evaluated_at=_latest_screening("evaluated_at"),
    )


def erasure_tombstones_for(
    principal: Principal | Organization, *, public_id: str | None = None
) -> QuerySet[ErasedCandidateTombstone]:
    """The organisation's erasures still reported to syncing clients (``updated_after``
    reads), or the one of the candidate that had ``public_id``.

    Each names only the public id the candidate had and when they were erased.
    """
    tombstones = scoped(ErasedCandidateTombstone.objects.all(), principal)
    if public_id is not None:
        tombstones = tombstones.filter(public_id=public_id)
    return tombstones
