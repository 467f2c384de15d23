"""What the candidate's own page shows: their profile, and how jobs used Renown's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from candidates.models import Candidate
from hiring.models import Decision, Screening

# The outcome of a job's rules, said to the person it is about. No figures of anyone else.
OUTCOME_WORDS = {
    "meets": "Your Renown data met the job's thresholds.",
    "below": "Your Renown data fell below a threshold the employer set.",
    "near_threshold": "Your Renown data were close to a threshold, within its measurement "
    "noise, so a person looks instead of the number deciding.",
    "insufficient_data": "Renown did not have enough recent data on you, so the rule did not "
    "judge you: a person looks, or the employer's missing-data policy applies.",
    "flagged": "Something in your data looked unusual (for example a sudden jump in "
    "followers), so a person looks before the number counts.",
}
DECISION_WORDS = {
    "advance": "A person decided to move your application forward.",
    "reject": "A person decided not to move your application forward.",
    "hold": "A person put your application on hold.",
}


@dataclass(frozen=True)
class JobUse:
    """One job for which the employer's rules read Renown's data about the candidate."""

    job_title: str
    screened_at: datetime
    outcome: str
    outcome_words: str
    rules: int
    decision_words: str
    decided_at: datetime | None


def portal_job_uses(candidate: Candidate) -> list[JobUse]:
    """Each job that screened the candidate with Renown's data: the outcome in words, and
    the latest decision a person recorded (their own outcome only)."""
    screenings = Screening.objects.filter(candidate=candidate).select_related("job")
    latest: dict[int, Decision] = {}
    for made in Decision.objects.filter(candidate=candidate).order_by("decided_at"):
        latest[made.job_id] = made
    uses = []
    for screening in sorted(screenings, key=lambda s: s.job.title):
        decision = latest.get(screening.job_id)
        uses.append(
            JobUse(
                job_title=screening.job.title,
                screened_at=screening.evaluated_at,
                outcome=screening.outcome,
                outcome_words=OUTCOME_WORDS.get(screening.outcome, ""),
                rules=len(screening.rule_versions),
                decision_words=DECISION_WORDS.get(decision.kind, "")
                if decision is not None
                else "",
                decided_at=decision.decided_at if decision is not None else None,
            )
        )
    return uses
