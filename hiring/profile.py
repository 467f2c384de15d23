"""A candidate's profile as people read it: the recruiter's candidate page and the
candidate's own portal page show the same scores, "why", trajectory, vendor scores,
influence style, accounts, evidence and notices (``templates/renown/hiring/_profile_*.html``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import prefetch_related_objects

from candidates.models import Candidate
from hiring import charts
from scoring import conf as scoring_conf
from scoring import selectors as scoring_selectors
from scoring.models import FlagKind, Score

TRAJECTORY_DAYS = 180
# Normalised (0-100) readings further apart than this are called a disagreement.
DISAGREEMENT_POINTS = Decimal(25)


def _trajectory(candidate: Candidate, now: datetime) -> dict[str, object]:
    trend = scoring_selectors.score_trend(candidate_id=candidate.pk, now=now, days=TRAJECTORY_DAYS)
    flags = list(scoring_selectors.flag_list(candidate_id=candidate.pk))
    chart = None
    if trend is not None:
        chart = charts.trajectory_chart(
            [(p.at, p.value) for p in trend.points],
            start=now - timedelta(days=TRAJECTORY_DAYS),
            end=now,
            scale=(0.0, 100.0),
            median=trend.trend.median,
            episodes=[charts.EpisodeSpan(e.kind, e.start, e.end) for e in trend.episodes],
            flags=[(f.observed_on, f.get_kind_display()) for f in flags],
        )
    return {
        "trend": trend,
        "chart": chart,
        "flags": flags,
        "disagreement_flags": [f for f in flags if f.kind == FlagKind.DISAGREEMENT],
        "trajectory_days": TRAJECTORY_DAYS,
    }


def _disagreement(
    influence: Score | None, vendors: list[scoring_selectors.VendorComparison]
) -> tuple[Decimal, str, str] | None:
    readings = [(f"{v.vendor}", v.normalised) for v in vendors if v.normalised is not None]
    if influence is not None:
        readings.append(("Renown influence", influence.value))
    if len(readings) < 2:
        return None
    low = min(readings, key=lambda r: r[1])
    high = max(readings, key=lambda r: r[1])
    spread = Decimal(high[1]) - Decimal(low[1])
    return (spread, low[0], high[0]) if spread > DISAGREEMENT_POINTS else None


def profile_context(candidate: Candidate, now: datetime) -> dict[str, object]:
    """What the profile's parts show of the candidate, read as of ``now``."""
    latest = scoring_selectors.score_latest_for_candidate(candidate_id=candidate.pk)
    vendors = scoring_selectors.vendor_comparison(candidate_id=candidate.pk)
    influence = latest.get("influence")
    accounts = scoring_selectors.account_metrics(candidate_id=candidate.pk, now=now)
    # Each row names its account's proof (hiring.portal): one query for all of them.
    prefetch_related_objects([row.account for row in accounts], "proof")
    return {
        "candidate": candidate,
        "account_metrics": accounts,
        "evidence": candidate.evidence.select_related("verified_by"),
        "notices": candidate.notices.all(),
        "influence": influence,
        "reputation": latest.get("reputation"),
        "vendors": vendors,
        "disagreement": _disagreement(influence, vendors),
        "snapshot_max_age_days": scoring_conf.get("RENOWN_SNAPSHOT_MAX_AGE_DAYS"),
        # Descriptive only: never offered to rules (hiring.screening.metrics refuses it).
        "style": scoring_selectors.style_for_candidate(candidate_id=candidate.pk, now=now),
        **_trajectory(candidate, now),
    }
