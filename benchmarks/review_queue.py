"""Review queue benchmark: a job's queue of N waiting candidates on PostgreSQL (issue 19).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench_queue \\
        python -m benchmarks.review_queue [--candidates 10000] [--runs 15] [--json]

Builds the screening benchmark's organisation (``benchmarks.screening.build`` with 7
days of scores, its job and rules), screens it, then sets every screening waiting for
a person in the queue's states (10 % near the line, 20 % missing data, 10 % flagged,
20 % below a review rule, 40 % suggested rejections), 5 % of them on hold (a decision)
and 10 % assigned to the benchmark's recruiter.

Prints the server time of the queue page (the view, its queries and the template,
through Django's test client) for the first page, a later page, each filter and a
candidate's review page with its next and previous, as the median and worst of
--runs requests with the query count, against the 150 ms target; ``--json`` also
prints ``{"candidates", "waiting", "runs", "page_ms": {case: median},
"queries": {case: n}}`` last. Figures only: it never fails on timing.
"""

# The SQL here is built from our own table names and integer ids, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from benchmarks.pages import measure
from benchmarks.screening import SLUG, build, execute, rules, setup_django

DAYS = 7


def waiting(job_id: int, user_id: int) -> int:
    """Every screening of the job waits for a person, in the queue's states; some held,
    some assigned. Returns how many wait."""
    from django.db.models import F
    from django.db.models.functions import Mod

    from hiring.models import Decision, ReviewAssignment, Screening

    execute(
        "UPDATE renown_hiring_screening SET "
        "outcome = CASE WHEN id %% 10 = 0 THEN 'near_threshold' "
        "WHEN id %% 10 IN (1, 2) THEN 'insufficient_data' WHEN id %% 10 = 3 THEN 'flagged' "
        "ELSE 'below' END, "
        "suggestion = CASE WHEN id %% 10 >= 6 THEN 'reject' ELSE 'review' END "
        f"WHERE job_id = {int(job_id)}"
    )
    Decision.objects.filter(job_id=job_id).delete()
    ReviewAssignment.objects.filter(screening__job_id=job_id).delete()
    now = datetime.now(tz=UTC)
    screenings = Screening.objects.filter(job_id=job_id).annotate(
        by20=Mod(F("id"), 20), by10=Mod(F("id"), 10)
    )
    Decision.objects.bulk_create(
        Decision(
            screening=s,
            candidate_id=s.candidate_id,
            job_id=job_id,
            kind="hold",
            reason="bench: waiting for references",
            reviewer_id=user_id,
            reviewer_label="bench-recruiter",
            decided_at=now,
            machine_outcome=s.outcome,
            machine_suggestion=s.suggestion,
            follows_machine=False,
        )
        for s in screenings.filter(by20=7)
    )
    mine = screenings.filter(by10=4)
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(screening=s, assignee_id=user_id, assigned_by_id=user_id, assigned_at=now)
        for s in mine
    )
    for table in (
        "renown_hiring_screening",
        "renown_hiring_decision",
        "renown_hiring_reviewassignment",
    ):
        execute(f"VACUUM ANALYZE {table}")
    return Screening.objects.filter(job_id=job_id).count()


def recruiter(org_id: int) -> object:
    from django.contrib.auth import get_user_model

    from renown.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench-recruiter")
    Membership.objects.get_or_create(
        user=user, organization_id=org_id, defaults={"role": "recruiter"}
    )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description="Review queue benchmark (figures only).")
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as one JSON object, last line."
    )
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from hiring import selectors
    from hiring.models import Job, Screening
    from hiring.services import screening_run_for_job
    from renown.models import Organization

    build(args.candidates, DAYS)
    org = Organization.objects.get(slug=SLUG)
    job = Job.objects.filter(organization=org).first()
    if job is None or not Screening.objects.filter(job=job).exists():
        job = rules()  # type: ignore[assignment]
        screening_run_for_job(job=job)
    assert job is not None  # noqa: S101
    user = recruiter(org.pk)
    count = waiting(job.pk, user.pk)  # type: ignore[attr-defined]
    setup_test_environment()  # the test client's hosts, and query logging below
    settings.DEBUG = True
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    middle = selectors.review_queue(job=job)[count // 2]
    queue = f"/jobs/{job.pk}/review/"
    print(f"review queue of {count:,} waiting, {args.runs} runs each:", flush=True)
    cases = [
        ("first page", queue),
        ("page 100", f"{queue}?page=100"),
        ("state: below", f"{queue}?state=below"),
        ("why: on hold", f"{queue}?why=hold"),
        ("my queue", f"{queue}?assigned=me"),
        ("state + why + nobody assigned", f"{queue}?state=below&why=reject&assigned=none"),
        (
            "a candidate's page, next/previous",
            f"/jobs/{job.pk}/candidates/{middle.candidate.public_id}/?state=below",
        ),
    ]
    figures = {label: measure(client, label, path, args.runs, width=36) for label, path in cases}
    if args.json:
        print(
            json.dumps(
                {
                    "candidates": args.candidates,
                    "waiting": count,
                    "runs": args.runs,
                    "page_ms": {k: round(v[0], 1) for k, v in figures.items()},
                    "queries": {k: v[1] for k, v in figures.items()},
                }
            )
        )


if __name__ == "__main__":
    main()
