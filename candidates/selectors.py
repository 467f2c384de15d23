"""Reads for candidates. Every candidate lookup passes through this tenant gate.

A user sees a candidate only through a membership in the candidate's
organisation. Another organisation's candidate is a 404, never a 403: its
existence is not ours to reveal.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypedDict, TypeVar
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import Http404

from candidates import conf
from candidates.models import Candidate, RaceEthnicity, SelfIdentification, Sex
from renown.access import Principal, scoped
from renown.models import Organization, Role
from renown.tenancy import membership_role

UserLike = AbstractBaseUser | AnonymousUser
_M = TypeVar("_M", bound=Model)


def without_erased(queryset: QuerySet[_M], path: str = "candidate") -> QuerySet[_M]:
    """Rows that point at a candidate (``path``), without those of erased candidates.

    The same NOT IN as ``CandidateQuerySet.not_erased``: an erased candidate's
    screenings, applications and decisions are records under a retention hold, in
    no list and through no getter.
    """
    return queryset.exclude(**{f"{path}__in": Candidate.objects.erased_ids()})


def candidate_list_for(principal: Principal | Organization) -> QuerySet[Candidate]:
    """The principal's organisation's candidates (never an erased one).

    An ``Organization`` stands for a caller already resolved to it (``scoped``).
    """
    return scoped(Candidate.objects.not_erased(), principal).select_related("organization")


def candidate_for(principal: Principal | Organization, public_id: UUID | str) -> Candidate:
    """One candidate of the principal's organisation by public id; Http404 otherwise.

    Http404 too for an erased candidate and for a malformed id. An ``Organization``
    stands for a caller already resolved to it (a command given ``--org``).
    """
    try:
        UUID(str(public_id))
    except ValueError:
        raise Http404("No such candidate.") from None
    candidate = candidate_list_for(principal).filter(public_id=public_id).first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def candidate_list(*, user: UserLike, organization: Organization) -> QuerySet[Candidate]:
    """The organisation's candidates, if the user is a member of it; otherwise none.

    For a caller resolved to a ``Principal``, ``candidate_list_for`` says the same.
    """
    if not user.is_authenticated:
        return Candidate.objects.none()
    return (
        Candidate.objects.not_erased()
        .filter(organization=organization, organization__memberships__user_id=user.pk)
        .select_related("organization")
    )


def candidate_get(
    *, user: UserLike, organization: Organization, public_id: UUID | str
) -> Candidate:
    """One candidate of the organisation by public id; Http404 if the user may not see it."""
    candidate = (
        candidate_list(user=user, organization=organization).filter(public_id=public_id).first()
    )
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


class SelfIdentificationCount(TypedDict):
    sex: str  # a Sex value; "" is declined or unknown
    race_ethnicity: str  # a RaceEthnicity value; "" is declined or unknown
    count: int


class PopulationTooSmall(PermissionDenied):
    """So few candidates that counts would describe individuals."""


def _reads_self_identification(user: UserLike, organization: Organization) -> bool:
    if not (user.is_authenticated and getattr(user, "is_active", False)):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return membership_role(user=user, organization=organization) == Role.AUDITOR


def self_identification_gate(
    *, user: UserLike, organization: Organization, candidate_ids: Collection[int] | None = None
) -> tuple[QuerySet[Candidate], int]:
    """The population of a self-identification count and its size, once the user may
    see it.

    Raises what ``self_identification_counts`` raises (PermissionDenied unless the user
    is an auditor of the organisation or a superuser; PopulationTooSmall for a
    population of 1 to ``RENOWN_SELF_IDENTIFICATION_MIN_POPULATION - 1``): for callers
    that count self-identified categories elsewhere (the live bias audit of a job).
    """
    if not _reads_self_identification(user, organization):
        raise PermissionDenied(
            "Only the organisation's auditors see self-identification, and only in aggregate."
        )
    population = Candidate.objects.filter(organization=organization)
    if candidate_ids is not None:
        population = population.filter(pk__in=list(candidate_ids))
    size = population.count()
    minimum = int(conf.get("RENOWN_SELF_IDENTIFICATION_MIN_POPULATION"))
    if 0 < size < minimum:
        raise PopulationTooSmall(
            f"{size} candidates are too few to count in aggregate (at least {minimum})."
        )
    return population, size


def self_identification_counts(
    *, user: UserLike, organization: Organization, candidate_ids: Collection[int] | None = None
) -> list[SelfIdentificationCount]:
    """Counts of self-identified sex by race/ethnicity in the organisation, for bias audits.

    The population is the organisation's candidates (only those of
    ``candidate_ids`` if given; other organisations' ids are ignored);
    candidates who gave no answer count under ("", ""), the "unknown"
    category of NYC Local Law 144. No candidate id ever leaves this function.

    Raises PermissionDenied unless the user is an auditor of the organisation
    (or a superuser), and PopulationTooSmall (a PermissionDenied) when the
    population has fewer than ``RENOWN_SELF_IDENTIFICATION_MIN_POPULATION``
    (default 5) candidates but more than none: counts over two or three people
    are their answers.
    """
    population, size = self_identification_gate(
        user=user, organization=organization, candidate_ids=candidate_ids
    )
    rows = (
        SelfIdentification.objects.filter(candidate__in=population)
        .values_list("sex", "race_ethnicity")
        .annotate(count=Count("pk"))
        .order_by("sex", "race_ethnicity")
    )
    counts: dict[tuple[str, str], int] = {(sex, race): count for sex, race, count in rows}
    if unknown := size - sum(counts.values()):
        key = (Sex.DECLINED.value, RaceEthnicity.DECLINED.value)
        counts[key] = counts.get(key, 0) + unknown
    return [
        SelfIdentificationCount(sex=sex, race_ethnicity=race, count=count)
        for (sex, race), count in sorted(counts.items())
    ]
