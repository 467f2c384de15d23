"""/healthz: database and broker state for load balancers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthy_embedded(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "embedded"}


@pytest.mark.django_db
def test_unreachable_broker_is_reported_but_still_200(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"


@pytest.mark.django_db
def test_database_down_is_503(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.backends.utils import CursorWrapper

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.broker
@pytest.mark.django_db
def test_reachable_broker_is_ok(client: Any, settings: Any) -> None:
    import os

    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok"}
