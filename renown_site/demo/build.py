"""Build, keep or rebuild the demo organisation (what ``manage.py demo`` runs), its row
counts, and what a rebuild would delete."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateNotice,
    ReputationEvidence,
    SocialAccount,
)
from hiring.models import (
    AdverseAction,
    AdverseActionNotice,
    Application,
    BiasAudit,
    Decision,
    Job,
    Screening,
    ScreeningRule,
)
from renown.exceptions import ApplicationError
from renown.models import AuditEventType, Membership, Organization
from renown.tenancy import organization_create
from renown.trail import audit_record
from renown_site.demo.definition import (
    DEMO_SLUG,
    DEMO_USERS,
    demo_definition,
)
from renown_site.demo.population import _populate
from scoring.models import MetricSnapshot, RefreshCycle, Score, VendorScore


class DemoNotDemo(ApplicationError):
    """The organisation with the demo's slug holds real data: the demo never touches it."""


class DemoOutcome(StrEnum):
    BUILT = "built"  # there was no demo: built from this definition
    KEPT = "kept"  # built from this definition before: kept as it is
    OUTDATED = "outdated"  # built from another (or an unrecorded) definition: kept as it is
    REBUILT = "rebuilt"  # wiped and built again (``rebuild=True``)


@dataclass
class DemoResult:
    organization: Organization
    outcome: DemoOutcome
    password: str
    counts: dict[str, int]
    definition: str  # the definition this code builds
    built_from: str  # the definition the demo holds now ("" when unrecorded)

    @property
    def created(self) -> bool:
        return self.outcome in (DemoOutcome.BUILT, DemoOutcome.REBUILT)


@dataclass(frozen=True)
class DemoDeletion:
    """What a rebuild deletes of one kind: ``since_build`` of them were added (or, for
    rules, changed) after the demo was built, i.e. by people; None for what the machine
    derives (screenings, snapshots, scores) and when the demo was built before Renown
    recorded when."""

    kind: str
    total: int
    since_build: int | None


def _users(organization: Organization) -> str:
    password = os.environ.get("RENOWN_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    user_model = get_user_model()
    for username, role, staff in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        assert isinstance(user, AbstractUser)  # noqa: S101 - the demo needs the default user
        user.email = f"{username}@demo.example"
        user.is_staff = staff
        user.set_password(password)
        user.save()
        Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
    return password


def demo_counts(organization: Organization) -> dict[str, int]:
    """Row counts of the demo organisation, for the command's summary."""
    return {
        "candidates": Candidate.objects.filter(organization=organization).count(),
        "accounts": SocialAccount.objects.filter(candidate__organization=organization).count(),
        "snapshots": MetricSnapshot.objects.filter(
            account__candidate__organization=organization
        ).count(),
        "scores": Score.objects.filter(candidate__organization=organization).count(),
        "vendor scores": VendorScore.objects.filter(candidate__organization=organization).count(),
        "evidence": ReputationEvidence.objects.filter(candidate__organization=organization).count(),
        "jobs": Job.objects.filter(organization=organization).count(),
        "applications": Application.objects.filter(job__organization=organization).count(),
        "screenings": Screening.objects.filter(job__organization=organization).count(),
    }


def demo_organization_get() -> Organization | None:
    """The demo organisation, or None when there is none yet."""
    return Organization.objects.filter(slug=DEMO_SLUG).first()


def demo_deletion_summary(organization: Organization) -> list[DemoDeletion]:
    """What ``demo_build(rebuild=True)`` would delete, per kind, with what people made.

    A rebuild deletes the organisation's candidates, jobs, bias audits and refresh cycles
    and all that hangs off them; the organisation, its members, API tokens, webhook
    subscriptions and its audit trail stay.
    """
    since = organization.demo_built_at
    org = organization
    # Per kind, the times after which a row is someone's work (any of them).
    kinds: list[tuple[str, QuerySet[Model], tuple[str, ...]]] = [
        ("candidates", Candidate.objects.filter(organization=org), ("created_at",)),
        ("notices", CandidateNotice.objects.filter(candidate__organization=org), ("created_at",)),
        ("accounts", SocialAccount.objects.filter(candidate__organization=org), ("created_at",)),
        (
            "evidence",
            ReputationEvidence.objects.filter(candidate__organization=org),
            ("created_at",),
        ),
        ("jobs", Job.objects.filter(organization=org), ("created_at",)),
        # An approval or a deactivation changes a version in place.
        (
            "rule versions",
            ScreeningRule.objects.filter(job__organization=org),
            ("created_at", "status_changed_at"),
        ),
        ("applications", Application.objects.filter(job__organization=org), ("created_at",)),
        ("decisions", Decision.objects.filter(job__organization=org), ("decided_at",)),
        # Audits of the demo's synthetic screenings (its jobs'), published ones too.
        ("bias audits", BiasAudit.objects.filter(organization=org), ("recorded_at",)),
        (
            "adverse actions",
            AdverseAction.objects.filter(job__organization=org),
            ("created_at",),
        ),
        (
            "adverse-action notices",
            AdverseActionNotice.objects.filter(adverse_action__job__organization=org),
            ("sent_at",),
        ),
        # Derived by the machine (refreshes, screening runs): counted, not attributed.
        ("refresh cycles", RefreshCycle.objects.filter(organization=org), ()),
        ("screenings", Screening.objects.filter(job__organization=org), ()),
        ("snapshots", MetricSnapshot.objects.filter(account__candidate__organization=org), ()),
        ("scores", Score.objects.filter(candidate__organization=org), ()),
        (
            "vendor scores",
            VendorScore.objects.filter(candidate__organization=org),
            ("imported_at",),
        ),
    ]
    summary = []
    for kind, queryset, fields in kinds:
        since_build: int | None = None
        if since is not None and fields:
            changed = Q()
            for field in fields:
                changed |= Q(**{f"{field}__gt": since})
            since_build = queryset.filter(changed).count()
        summary.append(DemoDeletion(kind, queryset.count(), since_build))
    return summary


def demo_build(*, candidates: int = 500, rebuild: bool = False) -> DemoResult:
    """Build the demo organisation with ``candidates`` synthetic people, once.

    When there is no demo yet, builds it from the fixed seed and records the
    definition and the time on the organisation. When there is one, keeps it as it
    is, whatever people added, changed or decided in it since: its outcome says
    whether it was built from this definition (KEPT) or from another one or an
    unrecorded one (OUTDATED; only a rebuild gives the new one). ``rebuild=True``
    deletes everything in it (see ``demo_deletion_summary``; the caller confirms)
    and builds it again. Demo users are created where missing and their passwords
    (re)set every time, so the returned password works. All in one transaction.
    Raises DemoNotDemo when an organisation that is not a demo holds the slug.
    """
    definition = demo_definition(candidates)
    with transaction.atomic():
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
        if organization is None:
            organization = organization_create(
                slug=DEMO_SLUG, name="Demo Employer Inc.", actor="command:demo", is_demo=True
            )
        if not organization.is_demo:
            raise DemoNotDemo(
                f"The organisation '{DEMO_SLUG}' is not a demo organisation (is_demo is off): "
                "the demo never adds to it or deletes from it."
            )
        built_from = organization.demo_definition
        password = _users(organization)
        if rebuild:
            outcome = DemoOutcome.REBUILT
        elif built_from == definition:
            outcome = DemoOutcome.KEPT
        elif built_from or _holds_anything(organization):
            # Built from another definition, or before the definition was recorded: the
            # demo is someone's now; never delete it without being asked to.
            outcome = DemoOutcome.OUTDATED
        else:
            outcome = DemoOutcome.BUILT
        if outcome is DemoOutcome.REBUILT:
            # What was deleted stays on the organisation's trail (which a rebuild keeps).
            audit_record(
                organization=organization,
                actor="command:demo --rebuild",
                event_type=AuditEventType.DEMO_REBUILT,
                subject=organization,
                before={
                    "definition": built_from,
                    "deleted": {
                        d.kind: {"total": d.total, "since_build": d.since_build}
                        for d in demo_deletion_summary(organization)
                    },
                },
                after={"definition": definition},
            )
        if outcome in (DemoOutcome.BUILT, DemoOutcome.REBUILT):
            Candidate.objects.filter(organization=organization).delete()
            BiasAudit.objects.filter(organization=organization).delete()
            Job.objects.filter(organization=organization).delete()
            RefreshCycle.objects.filter(organization=organization).delete()
            _populate(organization, candidates)
            organization.demo_definition = definition
            organization.demo_built_at = timezone.now()
            organization.save(update_fields=["demo_definition", "demo_built_at", "updated_at"])
    return DemoResult(
        organization, outcome, password, demo_counts(organization), definition, built_from
    )


def _holds_anything(organization: Organization) -> bool:
    return (
        Candidate.objects.filter(organization=organization).exists()
        or Job.objects.filter(organization=organization).exists()
        or RefreshCycle.objects.filter(organization=organization).exists()
        or BiasAudit.objects.filter(organization=organization).exists()
    )
