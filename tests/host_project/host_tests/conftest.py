"""The host's database as `.ci/host-project` left it, and the token its commands printed.

The acceptance is about what a host gets from `manage.py migrate`, `create_organization` and
`create_api_token`, so these tests use that database (pytest-django's recipe for an existing
database) instead of a fresh test database; each test still runs in a transaction that is
rolled back.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

ORG_SLUG = os.environ.get("HOST_RENOWN_ORG", "acme")


@pytest.fixture(scope="session")
def django_db_setup() -> None:
    """The migrated host database as it is (see the module docstring)."""


@pytest.fixture
def api_token() -> str:
    token = os.environ.get("HOST_RENOWN_API_TOKEN", "")
    if not token:
        pytest.fail("HOST_RENOWN_API_TOKEN is unset: run these tests through .ci/host-project")
    return token


@pytest.fixture
def organization(db: None) -> Any:
    return apps.get_model("renown", "Organization").objects.get(slug=ORG_SLUG)


@pytest.fixture
def recruiter(organization: Any) -> Any:
    """A platform user who is a recruiter of the organisation (the admin's Membership form)."""
    user = get_user_model().objects.create_user(username="rita", password="unused-in-tests")
    apps.get_model("renown", "Membership").objects.create(
        user=user, organization=organization, role="recruiter"
    )
    return user


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_superuser(username="root", password="unused")
