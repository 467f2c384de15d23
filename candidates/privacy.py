"""What the candidates app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``CandidatesConfig.ready()``. The candidate row itself is not a
section: the export opens with it, and the erasure pseudonymises or deletes it.
"""

from __future__ import annotations

from django.utils import timezone

from candidates.models import (
    CandidateNotice,
    CandidateView,
    HostLink,
    HostLinkErasure,
    ReputationEvidence,
    SelfIdentification,
    SocialAccount,
)
from renown import privacy


def _erase_host_link(candidate: privacy.DataSubject) -> None:
    """Forget the link, and remember that its host record must not be linked again."""
    for link in HostLink.objects.filter(candidate_id=candidate.pk):
        HostLinkErasure.objects.get_or_create(
            content_type_id=link.content_type_id,
            object_id=link.object_id,
            defaults={"erased_at": timezone.now()},
        )
        link.delete()


privacy.register(
    "renown_candidates",
    privacy.DataSection(
        name="notices",
        model=CandidateNotice,
        # They document the lawful basis of what was done: kept with the records a
        # retention hold keeps (never a reason for a hold on their own).
        erase="keep",
    ),
    privacy.DataSection(
        name="page_views",
        model=CandidateView,
        # Who looked at the candidate's page: an access log, kept with a hold as accountability.
        erase="keep",
    ),
    privacy.DataSection(
        name="accounts",
        model=SocialAccount,
        # A handle names the person as surely as a name: scrubbed from what a hold keeps.
        identifiers=lambda rows: rows.values_list("handle", flat=True),
    ),
    privacy.DataSection(
        name="evidence",
        model=ReputationEvidence,
    ),
    privacy.DataSection(
        name="host_link",
        model=HostLink,
        # Which host record the candidate is: it names the person, so it goes at once; the
        # record's key stays as a HostLinkErasure so that its next save builds no new profile.
        erase=_erase_host_link,
    ),
    privacy.DataSection(
        name="self_identification",
        model=SelfIdentification,
    ),
)
