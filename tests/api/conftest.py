"""API fixtures: tokens and clients for every persona of the role matrix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from renown.api.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """Throttle counts live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def token_client(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def write_token_a(org_a: Any) -> str:
    return api_token_create(organization=org_a, name="ats-write", scope="write")[1]


@pytest.fixture
def read_token_a(org_a: Any) -> str:
    return api_token_create(organization=org_a, name="ats-read", scope="read")[1]


@pytest.fixture
def write_client(write_token_a: str) -> APIClient:
    return token_client(write_token_a)


@pytest.fixture
def read_client(read_token_a: str) -> APIClient:
    return token_client(read_token_a)


@pytest.fixture
def user_client() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=None)
        client.force_login(user)
        return client

    return make
