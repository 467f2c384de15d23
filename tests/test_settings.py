"""Settings come from the environment; production refuses to start unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.deprecation import RemovedInNextVersionWarning

from renown_site.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
# A Fernet key (Fernet.generate_key()), for the production checks.
FERNET_KEY = "bhuy-3EeQMG5aoB8fqY-jM1bVhD8ZqYnZjRXiJcLsQk="


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RENOWN_", "CELERY_"))
    }
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "renown_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_prints_no_warning_in_production() -> None:
    result = manage(
        "check",
        "--deploy",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3y-" + "x9Q2!vR7#mL4pZ8@wT1$" * 3,
            "DJANGO_ALLOWED_HOSTS": "renown.example",
            # Production has a broker (none is contacted by the checks); make check-deploy too.
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            # ... and keys of its own for the secrets it stores (renown.W030).
            "RENOWN_ENCRYPTION_KEY": FERNET_KEY,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_without_an_encryption_key_is_told_and_a_key_file_is_read(
    tmp_path: Path,
) -> None:
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k3y-" + "x9Q2!vR7#mL4pZ8@wT1$" * 3,
        "DJANGO_ALLOWED_HOSTS": "renown.example",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    told = manage("check", "--deploy", env=env)
    assert "renown.W030" in told.stderr
    key_file = tmp_path / "renown-key"
    key_file.write_text(FERNET_KEY + "\n")
    quiet = manage("check", "--deploy", env=env | {"RENOWN_ENCRYPTION_KEY_FILE": str(key_file)})
    assert quiet.returncode == 0, quiet.stderr
    assert "renown.W030" not in quiet.stderr
    bad = manage("check", env=env | {"RENOWN_ENCRYPTION_KEY": "not-a-key"})
    assert bad.returncode != 0
    assert "RENOWN_ENCRYPTION_KEYS" in bad.stderr


@pytest.mark.parametrize(
    ("debug", "broker", "warned", "silenced"),
    [
        ("1", "", False, 3),  # make run: no broker on purpose, no warning (W010, W040, W030)
        ("0", "", True, 0),  # a production site without a broker is told
        ("0", "redis://127.0.0.1:6379/0", False, 0),
    ],
)
def test_the_site_warns_of_in_process_tasks_outside_debug_only(
    debug: str, broker: str, warned: bool, silenced: int
) -> None:
    env = {
        "DJANGO_DEBUG": debug,
        "DJANGO_SECRET_KEY": "k3y-" + "x9Q2!vR7#mL4pZ8@wT1$" * 3,
        "CELERY_BROKER_URL": broker,
    }
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr
    assert ("renown.W010" in result.stderr) is warned
    assert f"({silenced} silenced)" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_sqlite_default_is_an_absolute_path_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "renown.sqlite3"
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; from django.conf import settings;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(settings.DATABASES['default']['NAME'])",
        env={"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}"},
    )
    assert result.returncode == 0, result.stderr
    mode, name = result.stdout.split()[-2:]
    assert (mode, name) == ("wal", str(db))
    default = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        env={"DJANGO_DEBUG": "1"},
    )
    assert default.stdout.split()[-1] == str(ROOT / "db.sqlite3")


def test_env_readers_are_strict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_LIST", "a.example, ,b.example")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "from-a-file"


def test_what_the_next_django_removes_fails_the_suite_on_5_2_and_6_0() -> None:
    # pyproject's filter names Django's alias, which exists on every version (a class
    # named for one version stopped the suite from starting on the next).
    with pytest.raises(RemovedInNextVersionWarning):
        warnings.warn("removed in the next Django", RemovedInNextVersionWarning, stacklevel=1)
