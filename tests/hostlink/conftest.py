"""The host's Applicant model linked to Renown (tests.hostapp), as docs/install.md shows."""

from __future__ import annotations

from typing import Any

import pytest

FIELDS = {"name": "full_name", "email": "email", "country": "country"}


@pytest.fixture
def linked(settings: Any, org_a: Any) -> Any:
    """RENOWN_HOST_CANDIDATE_* set for tests.hostapp.Applicant; candidates go to acme."""
    settings.RENOWN_HOST_CANDIDATE_MODEL = "hostapp.Applicant"
    settings.RENOWN_HOST_CANDIDATE_FIELDS = FIELDS
    settings.RENOWN_DEFAULT_ORGANIZATION = "acme"
    return org_a
