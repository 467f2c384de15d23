"""Candidate list benchmark: the recruiter's list page over N candidates on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
        python -m benchmarks.candidate_list [--candidates 100000] [--days 90] [--runs 15] [--rebuild]

Reuses the screening benchmark's organisation (``benchmarks.screening.build``: N
candidates, D days of influence scores for 85 %, reputation for 35 %, Klout for
30 %, a few flags; one job every candidate applied to, screened by its rules), then
fills ``LatestScore`` from those scores as the scoring service keeps it.

Prints the server time of ``GET /`` (the view, its queries and the template,
through Django's test client) for the default page, a sort by influence (both
ways) and by Klout, filters (job + outcome, flags) and a search, as the median
and worst of --runs requests, against the 150 ms target; ``--json`` also prints
``{"candidates", "runs", "page_ms": {case: median}}`` last. Figures only: it never
fails on timing.
"""

# The SQL here is built from our own table names and integer ids, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json

from benchmarks.pages import measure
from benchmarks.screening import SLUG, build, execute, rules, setup_django


def latest_scores(org_id: int) -> None:
    """LatestScore rows for the organisation, from its score history and vendor scores."""
    from scoring.models import LatestScore

    expected = LatestScore.objects.filter(organization_id=org_id).count()
    candidates = f"SELECT id FROM renown_candidates_candidate WHERE organization_id = {int(org_id)}"
    execute(f"DELETE FROM renown_scoring_latestscore WHERE organization_id = {int(org_id)}")
    execute(
        "INSERT INTO renown_scoring_latestscore (candidate_id, organization_id, scorer, value, as_of) "
        "SELECT DISTINCT ON (candidate_id, scorer) candidate_id, %s, scorer, value, as_of "
        f"FROM renown_scoring_score WHERE candidate_id IN ({candidates}) "
        "ORDER BY candidate_id, scorer, as_of DESC, id DESC",
        [org_id],
    )
    # The normalised vendor scores (0-100) the scoring service computes from the imports.
    execute(
        "INSERT INTO renown_scoring_latestscore (candidate_id, organization_id, scorer, value, as_of) "
        "SELECT DISTINCT ON (candidate_id, vendor) candidate_id, %s, 'vendor.' || vendor, "
        "round((value - scale_min) * 100 / (scale_max - scale_min), 2), as_of::timestamptz "
        f"FROM renown_scoring_vendorscore WHERE candidate_id IN ({candidates}) "
        "ORDER BY candidate_id, vendor, as_of DESC, id DESC "
        "ON CONFLICT (candidate_id, scorer) DO NOTHING",
        [org_id],
    )
    for table in (
        "renown_scoring_latestscore",
        "renown_hiring_screening",
        "renown_hiring_application",
    ):
        execute(f"VACUUM ANALYZE {table}")
    found = LatestScore.objects.filter(organization_id=org_id).count()
    print(f"latest scores: {found:,} rows (were {expected:,})", flush=True)


def recruiter(org_id: int) -> object:
    from django.contrib.auth import get_user_model

    from renown.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench-recruiter")
    Membership.objects.get_or_create(
        user=user, organization_id=org_id, defaults={"role": "recruiter"}
    )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description="Candidate list benchmark (figures only).")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument(
        "--days",
        type=int,
        default=90,
        help="Days of score history (the screening benchmark's default, so its data is reused).",
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="Build the data again.")
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as one JSON object, last line."
    )
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from hiring.models import Job, Screening
    from renown.models import Organization

    if args.rebuild:
        Organization.objects.filter(slug=SLUG).update(name="rebuild")
    build(args.candidates, args.days)
    org = Organization.objects.get(slug=SLUG)
    job = Job.objects.filter(organization=org).first()
    if job is None or not Screening.objects.filter(job=job).exists():
        job = rules()  # type: ignore[assignment]
    latest_scores(org.pk)
    user = recruiter(org.pk)
    setup_test_environment()  # the test client's hosts, and query logging below
    settings.DEBUG = True
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    assert job is not None  # noqa: S101
    outcome = Screening.objects.filter(job=job).values_list("outcome", flat=True).first() or "below"
    print(f"candidate list over {args.candidates:,} candidates, {args.runs} runs each:", flush=True)
    cases: list[tuple[str, dict[str, str]]] = [
        ("default page (by name)", {}),
        ("page 900 (by name)", {"page": "900"}),
        ("sort: influence, highest first", {"sort": "-influence"}),
        ("sort: influence, lowest first", {"sort": "influence"}),
        ("sort: Klout (normalised), highest", {"sort": "-vendor.klout"}),
        ("filter: job + outcome", {"job": str(job.pk), "outcome": outcome}),
        ("filter: flags, sort by reputation", {"flags": "any", "sort": "-reputation"}),
        ("search: 'bench 4242'", {"q": "bench 4242"}),
        ("search + job + sort", {"q": "bench 1", "job": str(job.pk), "sort": "-influence"}),
    ]
    medians = {
        label: round(measure(client, label, "/", args.runs, params)[0], 1)
        for label, params in cases
    }
    if args.json:
        print(json.dumps({"candidates": args.candidates, "runs": args.runs, "page_ms": medians}))


if __name__ == "__main__":
    main()
