"""Shared argument handling for the commands: the organisation, the candidate through the gate."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from candidates.models import Candidate
from candidates.selectors import candidate_for
from renown.models import Organization


def organization_from_options(options: dict[str, object]) -> Organization:
    """The organisation ``--org`` names; CommandError when there is none."""
    slug = str(options["org"])
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(f"no organisation with slug {slug!r}")
    return organization


def add_candidate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--org", required=True, help="organisation slug")
    parser.add_argument("--candidate", required=True, help="the candidate's public id (UUID)")


def candidate_from_options(options: dict[str, object]) -> Candidate:
    """The candidate of ``--org`` by ``--candidate``, through the same getter as the API."""
    organization = Organization.objects.filter(slug=str(options["org"])).first()
    if organization is None:
        raise CommandError("no such candidate in that organisation")
    try:
        return candidate_for(organization, str(options["candidate"]))
    except Http404:
        raise CommandError("no such candidate in that organisation") from None
