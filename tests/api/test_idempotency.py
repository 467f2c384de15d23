"""``Idempotency-Key``: a key is reserved before the view runs, so a duplicate never runs twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from rest_framework.exceptions import APIException

from candidates.models import Candidate
from hiring.api.schema import openapi_schema
from renown.api import idempotency
from renown.api.tokens import api_token_create
from renown.models import IdempotencyKey, IdempotencyState
from tests import factories
from tests.api.conftest import token_client

IN_PROGRESS = "urn:renown:problem:idempotency-key-in-progress"


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database the racing threads share as gunicorn's workers share the real one.

    PostgreSQL: the test database. SQLite: the test database lives in memory, where
    a concurrent writer is refused at once ("table is locked") instead of waiting
    on the busy timeout as with a file; so the race runs on a migrated file database.
    """
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield
        return
    in_memory = connection.connection  # kept open: closing it would drop the test database
    name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


def test_twenty_concurrent_posts_with_one_key_create_one_candidate(
    shared_database: None,
) -> None:
    organization = factories.OrganizationFactory(slug="racing")
    plaintext = api_token_create(organization=organization, name="ats", scope="write")[1]
    racers = 20
    start = threading.Barrier(racers)
    responses: list[Any] = []
    errors: list[BaseException] = []

    def post() -> None:
        client = token_client(plaintext)
        try:
            start.wait()
            responses.append(
                client.post(
                    "/api/v1/candidates/",
                    {"name": "Only Once"},
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="race-1",
                )
            )
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Candidate.objects.count() == 1
    created = [r for r in responses if r.status_code == 201]
    busy = [r for r in responses if r.status_code == 409]
    assert len(created) + len(busy) == racers, [(r.status_code, r.content) for r in responses]
    assert len({r.json()["id"] for r in created}) == 1
    assert sum(1 for r in created if r.get("Idempotent-Replayed") != "true") == 1
    for response in busy:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == IN_PROGRESS
        assert int(response["Retry-After"]) >= 1
    assert IdempotencyKey.objects.get().status_code == 201


# --- one request at a time ----------------------------------------------------------

URL = "/api/v1/candidates/"


def post(client: Any, name: str, key: str) -> Any:
    return client.post(URL, {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def running_reservation(client: Any, name: str, key: str, *, left: timedelta) -> IdempotencyKey:
    """A reservation as a request that is still running (or died) leaves it."""
    first = post(client, name, key)
    assert first.status_code == 201
    Candidate.objects.all().delete()
    IdempotencyKey.objects.update(
        state=IdempotencyState.RUNNING,
        status_code=None,
        body=b"",
        reservation="a-request-elsewhere",
        reserved_until=timezone.now() + left,
    )
    return IdempotencyKey.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("k" * idempotency.MAX_KEY_LENGTH, 201),
        ("k" * (idempotency.MAX_KEY_LENGTH + 1), 400),
        ("é" * 300, 400),
        ("   ", 201),  # blank: no key at all
    ],
)
def test_a_key_over_the_limit_is_its_own_validation_problem(
    write_client: Any, key: str, status: int
) -> None:
    response = post(write_client, "Long Key", key)
    assert response.status_code == status, response.content
    if status == 400:
        body = response.json()
        assert body["type"] == "urn:renown:problem:idempotency-key-invalid"
        assert str(idempotency.MAX_KEY_LENGTH) in body["detail"]
        assert not Candidate.objects.exists()
        assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_running_duplicate_is_409_and_never_runs(write_client: Any) -> None:
    running_reservation(write_client, "Busy", "busy-1", left=timedelta(seconds=30))
    response = post(write_client, "Busy", "busy-1")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:renown:problem:idempotency-key-in-progress"
    assert response["Retry-After"] == "1"
    assert not Candidate.objects.exists()
    # Another body with a running key is a misuse of the key, not a wait.
    other = post(write_client, "Someone Else", "busy-1")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:renown:problem:idempotency-key-reused"
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_a_reservation_whose_request_died_is_taken_over(write_client: Any) -> None:
    stale = running_reservation(write_client, "Retry", "died-1", left=-timedelta(seconds=1))
    response = post(write_client, "Retry", "died-1")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Candidate.objects.get().name == "Retry"
    kept = IdempotencyKey.objects.get()
    assert kept.pk == stale.pk
    assert kept.state == IdempotencyState.DONE
    assert kept.reservation != "a-request-elsewhere"
    assert post(write_client, "Retry", "died-1")["Idempotent-Replayed"] == "true"
    assert Candidate.objects.count() == 1


@pytest.mark.django_db
def test_a_request_that_outlived_its_reservation_keeps_nothing(
    write_client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hiring.api.views import candidates as views

    real = views.candidate_create

    def taken_over_meanwhile(**kwargs: Any) -> Any:
        IdempotencyKey.objects.update(reservation="the-request-that-took-over")
        return real(**kwargs)

    monkeypatch.setattr(views, "candidate_create", taken_over_meanwhile)
    with caplog.at_level(logging.WARNING, logger="renown.api.idempotency"):
        response = post(write_client, "Slow", "slow-1")
    assert response.status_code == 201
    row = IdempotencyKey.objects.get()
    assert row.state == IdempotencyState.RUNNING
    assert row.reservation == "the-request-that-took-over"
    assert "taken over" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["crash", "5xx answer"])
def test_a_failed_request_releases_its_key_for_a_retry(
    write_client: Any, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from hiring.api.views import candidates as views

    real = views.candidate_create

    def fails(**kwargs: Any) -> Any:
        if failure == "crash":
            raise RuntimeError("the database went away")
        raise APIException("upstream trouble")  # DRF answers 500 itself

    monkeypatch.setattr(views, "candidate_create", fails)
    write_client.raise_request_exception = False  # a crash is answered (and signalled)
    response = post(write_client, "Unlucky", "fail-1")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert not IdempotencyKey.objects.exists()
    monkeypatch.setattr(views, "candidate_create", real)
    retry = post(write_client, "Unlucky", "fail-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Candidate.objects.count() == 1


def test_the_schema_documents_the_key_where_it_is_honoured() -> None:
    paths = openapi_schema()["paths"]
    create = paths["/api/v1/candidates/"]["post"]
    (key,) = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["schema"]["maxLength"] == idempotency.MAX_KEY_LENGTH
    assert "idempotency-key-in-progress" in create["responses"]["409"]["description"]
    assert "Retry-After" in create["responses"]["409"]["headers"]
    assert "idempotency-key-invalid" in create["responses"]["400"]["description"]
    assert "idempotency-key-reused" in create["responses"]["422"]["description"]
    # Greenhouse's endpoint authenticates by signature and keeps no keys.
    greenhouse = paths["/api/v1/ats/{ats}/{org_slug}/"]["post"]
    assert "Idempotency-Key" not in {p["name"] for p in greenhouse.get("parameters", [])}
    assert "headers" not in greenhouse["responses"]["409"]
    # Only POSTs take a key.
    update = paths["/api/v1/candidates/{candidate_id}/"]["patch"]
    assert "Idempotency-Key" not in {p["name"] for p in update.get("parameters", [])}
