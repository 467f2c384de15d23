"""Renown's system checks: RENOWN_* settings (renown.E020, W020) and the broker (W010, W011)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import Error, Warning
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from renown import conf
from renown.checks import check_broker, check_settings
from renown.webhooks.tasks import deliver_task

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_APPS = ("renown", "candidates", "scoring", "hiring")


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("RENOWN_FETCH_BATCH_SIZE", "200", "must be a whole number, not str"),
        ("RENOWN_FETCH_BATCH_SIZE", True, "must be a whole number, not bool"),
        ("RENOWN_FETCH_BATCH_SIZE", 2.5, "must be a whole number, not float"),
        ("RENOWN_FETCH_BATCH_SIZE", 0, "must be at least 1"),
        ("RENOWN_FETCH_MAX_RETRIES", -1, "must not be negative"),
        ("RENOWN_ALLOW_PRIVATE_HOSTS", "yes", "must be True or False, not str"),
        ("RENOWN_ALLOW_PRIVATE_HOSTS", 1, "must be True or False, not int"),
        ("RENOWN_HTTP_TIMEOUT_SECONDS", "10", "must be a number, not str"),
        ("RENOWN_HTTP_TIMEOUT_SECONDS", float("nan"), "must be a finite number"),
        ("RENOWN_HTTP_TIMEOUT_SECONDS", 0, "must be at least 0.001"),
        ("RENOWN_CONTACT_EMAIL", None, "must be a string, not NoneType"),
        ("RENOWN_DISABLED_PROVIDERS", "github", "must be a list, not str"),
        ("RENOWN_PROVIDERS", ["bluesky"], "must be a dict, not list"),
        ("RENOWN_PROVIDERS", {"bluesky": 3}, "has under 'bluesky' a value that must be a string"),
        ("RENOWN_PROVIDERS", {"x": "Bluesky"}, "has under 'x' a value that must be a dotted path"),
        ("RENOWN_PROVIDER_CONCURRENCY_PER_NETWORK", {"orcid": 0}, "must be at least 1"),
        ("RENOWN_PROVIDER_URL_FEDIVERSE", 80, "must be a string, not int"),  # a host's network
        ("RENOWN_SCORES_CHANGED", "rescore", "must be a dotted path"),
        ("RENOWN_FCRA_MODE", "eu", "must be one of 'us', 'all', 'off'"),
        ("RENOWN_AUTOMATION_BIAS_AGREEMENT", 95, "must be between 0 and 1"),
        ("RENOWN_SCREENING_WORK_MEM", "64 megs", "must be a PostgreSQL size"),
        ("RENOWN_SCREENING_SQL_THREADS", 0, "must be at least 1"),
        ("RENOWN_API_THROTTLE_RATE", "fast", "must be a rate such as '1200/min'"),
        ("RENOWN_API_MAX_BODY_BYTES", 0, "must be at least 1"),
        ("RENOWN_WEBHOOK_DISABLE_AFTER_DAYS", 0, "must be at least 1"),
        ("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", [5, 0], "each at least 1"),
        ("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", [5, "300"], "must be a whole number"),
        ("RENOWN_RETENTION_AI_LOG_DAYS", -183, "must not be negative"),
        ("RENOWN_SELF_IDENTIFICATION_MIN_POPULATION", 0, "must be at least 1"),
        ("RENOWN_LOGIN_MAX_FAILURES", "5", "must be a whole number, not str"),  # the site's
    ],
)
def test_a_setting_of_the_wrong_type_or_range_is_an_error_naming_it(
    name: str, value: Any, says: str
) -> None:
    with override_settings(**{name: value}):
        messages = check_settings()
    assert [m.id for m in messages] == ["renown.E020"]
    (error,) = messages
    assert isinstance(error, Error)
    assert error.msg.startswith(f"{name} = {value!r}: it ")
    assert says in error.msg
    assert "Its default is" in (error.hint or "")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RENOWN_WEBHOOK_TIMEOUT_SECONDS", 10),  # a whole number where a float is the default
        ("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", (5, 60)),  # a tuple for a list
        ("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", []),  # one attempt, no retry
        ("RENOWN_DISABLED_PROVIDERS", ("github",)),  # a tuple for a list
        ("RENOWN_DISABLED_PROVIDERS", []),
        ("RENOWN_SCORES_CHANGED", ""),  # none
        ("RENOWN_SCREENING_WORK_MEM", ""),  # the server's own
        ("RENOWN_SCREENING_WORK_MEM", "256MB"),
        ("RENOWN_FCRA_WAITING_BUSINESS_DAYS", 0),
        ("RENOWN_API_THROTTLE_RATE", "10/second"),
        ("RENOWN_PROVIDER_URL_FEDIVERSE", "https://fedi.example"),
        ("RENOWN_PROVIDERS", {"fediverse": "host.providers.Fediverse"}),
    ],
)
def test_a_good_value_is_no_error(name: str, value: Any) -> None:
    with override_settings(**{name: value}):
        assert check_settings() == []


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("RENOWN_FETCH_BATCHSIZE", "Did you mean RENOWN_FETCH_BATCH_SIZE?"),
        ("RENOWN_WEBHOOKS_TIMEOUT_SECONDS", "Did you mean RENOWN_WEBHOOK_TIMEOUT_SECONDS?"),
        ("RENOWN_ALLOW_PRIVATE_HOST", "Did you mean RENOWN_ALLOW_PRIVATE_HOSTS?"),
        ("RENOWN_XYZZY", "Check its spelling against the settings in docs/install.md."),
    ],
)
def test_an_unknown_setting_is_a_warning_with_the_closest_known_name(name: str, hint: str) -> None:
    with override_settings(**{name: 1}):
        messages = check_settings()
    assert [(type(m), m.id) for m in messages] == [(Warning, "renown.W020")]
    assert messages[0].msg.startswith(f"{name} is set, but Renown has no such setting")
    assert messages[0].hint == hint


def test_names_imported_from_renown_into_settings_are_not_settings() -> None:
    with override_settings(RENOWN_BEAT_SCHEDULE={}, RENOWN_APPS=()):
        assert check_settings() == []


def test_the_sites_settings_pass() -> None:
    # tests.settings is the site's settings with test overrides (RENOWN_ALLOW_PRIVATE_HOSTS...).
    assert check_settings() == []


def test_every_default_passes_its_own_check() -> None:
    known = conf.known_settings()
    assert {k.owner for k in known.values()} >= {
        "renown.conf",
        "renown.webhooks.conf",
        "candidates.conf",
        "scoring.conf",
        "hiring.conf",
        "hiring.privacy.conf",
        "renown_site.login_throttle",
    }
    assert {name: conf.problem(k, k.default) for name, k in known.items()} == dict.fromkeys(known)


def test_every_setting_the_apps_name_is_registered() -> None:
    """A RENOWN_* name in the plugin's code or docstrings that no conf module registers
    would be read with a default of its own, unchecked (or be a stale name)."""
    named = set()
    for app in PLUGIN_APPS:
        for path in (ROOT / app).rglob("*.py"):
            named |= set(re.findall(r"\bRENOWN_[A-Z0-9_]*[A-Z0-9]_?", path.read_text()))
    unknown = {
        n
        for n in named
        if conf.lookup(n) is None
        and conf.retired_setting(n) is None  # named to say it is ignored
        and n not in conf.NOT_SETTINGS
    }
    assert unknown == set()


def test_a_name_registered_by_two_apps_is_refused() -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r"registered by both scoring\.conf and elsewhere"
    ):
        conf.register_defaults("elsewhere", {"RENOWN_FETCH_BATCH_SIZE": 1})


# --- the broker -------------------------------------------------------------------------

APP = deliver_task.app


@contextmanager
def celery_conf(**values: Any) -> Iterator[None]:
    before = {key: APP.conf.get(key) for key in values}
    APP.conf.update(values)
    try:
        yield
    finally:
        APP.conf.update(before)


@pytest.mark.parametrize(
    ("app_broker", "django_setting", "ids"),
    [
        (None, "", ["renown.W010"]),
        (None, "redis://127.0.0.1:6379/0", ["renown.W011"]),  # the host's app never read it
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", []),
        ("amqp://guest@rabbit//", "", []),  # configured on the app directly
    ],
)
def test_the_broker_check_warns_when_tasks_would_run_inside_requests(
    app_broker: str | None, django_setting: str, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    with (
        celery_conf(broker_url=app_broker, broker_write_url=None),
        override_settings(CELERY_BROKER_URL=django_setting),
    ):
        messages = check_broker()
    assert [m.id for m in messages] == ids
    assert all(isinstance(m, Warning) for m in messages)
    if ids == ["renown.W010"]:
        assert "bulk refreshes run inside requests" in messages[0].msg
        assert messages[0].hint == "Set CELERY_BROKER_URL and run a worker (docs/install.md)."


def test_a_name_cannot_be_both_current_and_retired() -> None:
    with pytest.raises(ImproperlyConfigured, match="both current and retired"):
        conf.register_retired("elsewhere", {"RENOWN_FETCH_BATCH_SIZE": "gone"})
