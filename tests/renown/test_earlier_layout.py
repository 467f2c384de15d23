"""A database made before the plugin layout is never touched: migrate stops and says what to do."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error
from django.db import connection

from renown.checks import EARLIER_MIGRATIONS, check_earlier_layout

ROOT = Path(__file__).resolve().parents[2]


def _earlier_database(path: Path) -> None:
    """What an earlier Renown left: its migration records and a table of someone's work."""
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE django_migrations (id integer primary key, app varchar(255), "
        "name varchar(255), applied datetime)"
    )
    db.executemany(
        "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-01')",
        [("candidates", "0001_initial"), ("hiring", "0011_auditevent_demo_rebuilt")],
    )
    db.execute("CREATE TABLE candidates_candidate (id integer primary key, name text)")
    db.execute("INSERT INTO candidates_candidate (name) VALUES ('Someone who matters')")
    db.commit()
    db.close()


def _dump(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return list(db.iterdump())
    finally:
        db.close()


def test_migrate_on_an_earlier_database_stops_says_what_to_do_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    _earlier_database(path)
    before = _dump(path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renown_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{path}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "renown.E001" in result.stderr
    assert "earlier version of Renown" in result.stderr
    assert "move the old one aside" in result.stderr
    # Every table and row as it was (the site's connection may switch the file to WAL).
    assert _dump(path) == before
    assert "Someone who matters" in "\n".join(before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "name", "flagged"),
    [
        ("hiring", "0011_auditevent_demo_rebuilt", True),
        ("api", "0002_idempotency_reservation", True),
        ("scoring", "0004_ui_latest_score", True),
        # A host's own app that happens to be labelled "candidates" or "api": other names.
        ("candidates", "0001_initial", False),
        ("api", "0001_initial", False),
        ("api", "0002_add_widget", False),
        ("renown_hiring", "0001_initial", False),
    ],
)
def test_only_an_earlier_renowns_migrations_are_taken_for_one(
    app: str, name: str, flagged: bool
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
            [app, name, "2026-11-01 00:00:00"],
        )
    errors = check_earlier_layout(databases=["default"])
    assert [e.id for e in errors if isinstance(e, Error)] == (["renown.E001"] if flagged else [])


@pytest.mark.django_db
def test_a_new_database_passes() -> None:
    assert check_earlier_layout(databases=["default"]) == []


def test_every_earlier_app_label_is_known() -> None:
    assert set(EARLIER_MIGRATIONS) == {"candidates", "hiring", "scoring", "api", "webhooks"}
