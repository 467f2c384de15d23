"""Bulk refresh from the recruiter UI: the organisation's accounts, or one job's candidates.

The work is scoring's (``scoring.services.refresh_start`` opens a cycle and splits
the due accounts into batches; the Celery tasks fetch and rescore them); this
module checks the role, picks the accounts and audits the start.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from candidates.models import SocialAccount
from hiring.models import Job
from hiring.permissions import REFRESH_ROLES, require_role
from renown.models import Organization
from scoring import services as scoring_services
from scoring.models import RefreshCycle


def refresh_start_for(
    *, organization: Organization, actor: AbstractBaseUser, job: Job | None = None
) -> RefreshCycle:
    """Start refreshing every active account of the organisation, or of ``job``'s candidates.

    Returns the cycle, whose progress ``scoring.selectors.refresh_progress`` reads.
    The batches are queued once the cycle is committed; with no broker
    (``renown.queue``) they run in this process before this returns. Raises
    NotPermitted unless the actor is a recruiter or HR admin of the organisation;
    ValueError for another organisation's job.
    """
    require_role(
        user=actor, organization=organization, roles=REFRESH_ROLES, action="refresh scores"
    )
    if job is not None and job.organization_id != organization.pk:
        raise ValueError("The job belongs to another organisation.")
    ids = scoring_services.accounts_due(organization=organization)
    if job is not None:
        in_job = Q(candidate__applications__job=job) | Q(candidate__screenings__job=job)
        wanted = set(SocialAccount.objects.filter(in_job, pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in wanted]
    label = f"{'Job: ' + job.title if job else 'Organisation'} (by {actor.get_username()})"
    with transaction.atomic():
        cycle, batches = scoring_services.refresh_start(
            organization=organization,
            account_ids=ids,
            label=label[:100],
            actor=actor,
            after={"job": job.pk if job else None},
        )
        scoring_services.refresh_enqueue(cycle=cycle, batches=batches)
    return cycle
