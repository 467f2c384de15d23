"""A host's adapter (RENOWN_HOST_CANDIDATE_ADAPTER) for the host-link tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.hostapp.models import Applicant


def applicant_to_renown(applicant: Applicant) -> dict[str, Any]:
    return {
        "name": applicant.full_name,
        "email": applicant.email,
        "country": applicant.country,
        "accounts": [{"network": "github", "handle": "octocat"}],
        "links": [applicant.portfolio] if applicant.portfolio else [],
        "notices": [{"kind": "gdpr_notice", "given_at": AGREED_AT, "lawful_basis": "consent"}],
    }


AGREED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
NOT_CALLABLE = "a string"
