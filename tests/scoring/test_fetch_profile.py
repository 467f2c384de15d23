"""`manage.py fetch_profile`: live fetches against loopback servers replaying each API.

Every provider answers through a server that replays the API's documented
responses; the command prints the right numbers, answers 3 for unknown people,
and refuses the loopback server with 6 unless private hosts are allowed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scoring import conf
from tests.scoring.providers.replay import load_replay, replay_networks, replay_server

ROOT = Path(__file__).resolve().parents[2]
ALL_NETWORKS = sorted(conf.DEFAULTS["RENOWN_PROVIDERS"])


def fetch(network: str, handle: str, *extra: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("fetch_profile", network, handle, *extra, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def pointed(settings: Any) -> Any:
    """Point a network's base URL at a replay server: ``with pointed(network) as replay: ...``."""
    settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
    settings.RENOWN_YOUTUBE_API_KEY = "test-key"

    class Pointer:
        def __call__(self, network: str, routes: list[dict[str, Any]] | None = None) -> Any:
            server = replay_server(network, routes)

            class Context:
                def __enter__(self) -> dict[str, Any]:
                    url = server.__enter__()
                    setattr(settings, f"RENOWN_PROVIDER_URL_{network.upper()}", url)
                    return load_replay(network)

                def __exit__(self, *exc: object) -> None:
                    server.__exit__(None, None, None)

            return Context()

    return Pointer()


def test_every_provider_has_a_replay() -> None:
    assert replay_networks() == ALL_NETWORKS


@pytest.mark.parametrize("network", replay_networks())
def test_prints_the_right_numbers_as_json(network: str, pointed: Any) -> None:
    with pointed(network) as replay:
        code, out, err = fetch(network, replay["found_handle"], "--json")
    assert code == 0, err
    printed = json.loads(out)
    assert printed["network"] == network
    assert printed["handle"] == replay["found_handle"]
    assert printed["metrics"] == replay["expected_metrics"]
    assert datetime.fromisoformat(printed["observed_at"]).utcoffset().total_seconds() == 0


@pytest.mark.parametrize("network", replay_networks())
def test_unknown_person_exits_3(network: str, pointed: Any) -> None:
    with pointed(network) as replay:
        code, _, err = fetch(network, replay["missing_handle"])
    assert code == 3
    assert err.startswith("Not found")


@pytest.mark.parametrize("network", replay_networks())
def test_loopback_server_is_refused_without_the_setting(
    network: str, pointed: Any, settings: Any
) -> None:
    with pointed(network) as replay:
        settings.RENOWN_ALLOW_PRIVATE_HOSTS = False
        code, _, err = fetch(network, replay["found_handle"])
    assert code == 6
    assert "Refused" in err


def test_disabled_provider_exits_6(settings: Any) -> None:
    settings.RENOWN_DISABLED_PROVIDERS = ["bluesky"]
    code, _, err = fetch("bluesky", "alice.test")
    assert code == 6
    assert "disabled" in err


def test_rate_limited_exits_4_and_other_errors_5(pointed: Any) -> None:
    limited = [
        {
            "path": "/xrpc/app.bsky.actor.getProfile",
            "status": 429,
            "headers": {"Retry-After": "30"},
            "body": '{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}',
        }
    ]
    with pointed("bluesky", limited):
        code, _, err = fetch("bluesky", "alice.test")
    assert (code, err.strip()) == (4, "Rate limited by bluesky: try again in 30 s.")
    broken = [
        {
            "path": "/xrpc/app.bsky.actor.getProfile",
            "status": 500,
            "body": '{"error":"InternalServerError","message":"Internal Server Error"}',
        }
    ]
    with pointed("bluesky", broken):
        code, _, err = fetch("bluesky", "alice.test")
    assert code == 5
    assert err.startswith("Provider error")


def test_bad_handle_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="not a mastodon identifier") as caught:
        call_command("fetch_profile", "mastodon", "no-instance")
    assert caught.value.returncode == 2


def test_exit_status_reaches_the_shell() -> None:
    # The contract is the process's exit status: check it once end to end.
    with replay_server("bluesky") as url:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "RENOWN_", "DATABASE_URL"))
        }
        env.update(
            {
                "DJANGO_DEBUG": "1",
                "RENOWN_ALLOW_PRIVATE_HOSTS": "1",
                "RENOWN_PROVIDER_URL_BLUESKY": url,
                "DJANGO_SETTINGS_MODULE": "renown_site.settings",
            }
        )
        found = subprocess.run(
            [sys.executable, "manage.py", "fetch_profile", "bluesky", "alice.test", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        missing = subprocess.run(
            [sys.executable, "manage.py", "fetch_profile", "bluesky", "nobody.test"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["metrics"]["followers"] == 1520
    assert missing.returncode == 3
