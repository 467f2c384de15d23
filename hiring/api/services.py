"""The API's candidate deletion (erasure); every other candidate write is in ``candidates.services``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from renown.api.access import Principal
from candidates.models import Candidate


def candidate_delete(*, candidate: Candidate, actor: Principal) -> None:
    """Erase a candidate (the API's ``DELETE``): ``hiring.privacy.services.candidate_erase``.

    The profile data goes at once; the decision records the law makes the
    employer keep stay pseudonymised under a retention hold; ``candidate.erased``
    is emitted and the erasure is appended to the audit trail.
    """
    from hiring.privacy.services import candidate_erase

    candidate_erase(candidate=candidate, actor=actor.audit_actor)
