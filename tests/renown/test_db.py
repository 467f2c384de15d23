"""``renown.db.fast_timestamps``: psycopg's own loader where it gives Django's values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import connection, connections

from renown.db import fast_timestamps

TIMES = (
    "SELECT * FROM (VALUES (timestamptz '2026-03-29 00:59:59.999999+00'), "
    "(timestamptz '2026-03-29 01:00:00+01'), (timestamptz '1970-01-01 00:00:00+00'), "
    "(timestamptz '2026-12-07 23:30:00-05:30'), (NULL::timestamptz)) t"
)


def _loader(cursor: Any) -> type:
    from psycopg.pq import Format

    loader: type = cursor.cursor.adapters.get_loader(1184, Format.TEXT)  # timestamptz's oid
    return loader


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_fast_loader_reads_what_djangos_reads() -> None:
    with connection.cursor() as cursor:
        cursor.execute(TIMES)
        djangos = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        djangos_loader = _loader(cursor)
        fast_timestamps(cursor)
        assert _loader(cursor) is not djangos_loader
        assert not _loader(cursor).__module__.startswith("django")
        cursor.execute(TIMES)
        fast = [row[0] for row in cursor.fetchall()]
    assert fast == djangos
    assert fast[-1] is None
    assert all(v.utcoffset() == timedelta(0) for v in fast if v is not None)
    assert fast[0] == datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC)
    # Only the cursor it was given: the next one loads as Django does.
    with connection.cursor() as cursor:
        assert _loader(cursor) is djangos_loader


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("use_tz", "django_zone"),
    [
        (False, UTC),  # naive datetimes wanted: Django's loader chops the zone
        (True, timezone(timedelta(hours=2))),  # a database TIME_ZONE other than UTC
    ],
)
def test_the_cursor_is_left_alone_where_the_values_could_differ(
    settings: Any, monkeypatch: pytest.MonkeyPatch, use_tz: bool, django_zone: Any
) -> None:
    settings.USE_TZ = use_tz
    # ``timezone`` is a cached property of the connection: set what it would hold.
    monkeypatch.setitem(connections["default"].__dict__, "timezone", django_zone)
    with connection.cursor() as cursor:
        before = _loader(cursor)
        fast_timestamps(cursor)
        assert _loader(cursor) is before


@pytest.mark.django_db
def test_any_database_and_driver_can_be_given_its_cursor() -> None:
    with connection.cursor() as cursor:
        fast_timestamps(cursor)  # SQLite, or PostgreSQL: nothing to fail
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
