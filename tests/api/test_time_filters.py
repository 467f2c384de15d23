"""Time filters hand the database UTC: offsets PostgreSQL refuses, times past year 9999."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("8701-10-02T11:26:21-18:28", 200),  # Python's offset, beyond PostgreSQL's ±15:59
        ("2026-12-07T10:00:00+15:59", 200),
        ("2026-12-07T10:00:00Z", 200),
        ("2026-12-07", 200),
        ("9999-12-31T23:59:59-18:00", 400),  # UTC would be year 10000
        ("not a time", 400),
        ("2026-13-01T00:00:00Z", 400),
    ],
)
@pytest.mark.parametrize("name", ["created_after", "created_before"])
def test_a_time_filter_answers_200_or_400_never_500(
    write_token_a: str, name: str, value: str, status: int
) -> None:
    answer = token_client(write_token_a).get("/api/v1/candidates/", {name: value})
    assert answer.status_code == status, answer.content
