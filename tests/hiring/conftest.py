"""Fixtures the hiring tests share: a job of organisation A and a second HR admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.fixture
def second_admin(org_a: Any) -> Any:
    user = factories.UserFactory(username="hanna-hr", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_a, role="hr_admin")
    return user


@pytest.fixture
def job(org_a: Any) -> Any:
    return factories.JobFactory(organization=org_a)
