"""Shared argument handling for the privacy commands."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from candidates.models import Candidate


def add_candidate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--org", required=True, help="organisation slug")
    parser.add_argument("--candidate", required=True, help="the candidate's public id (UUID)")


def candidate_from_options(options: dict[str, object]) -> Candidate:
    candidate = (
        Candidate.objects.filter(
            organization__slug=options["org"], public_id=str(options["candidate"])
        ).first()
        if _is_uuid(str(options["candidate"]))
        else None
    )
    if candidate is None:
        raise CommandError("no such candidate in that organisation")
    return candidate


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
