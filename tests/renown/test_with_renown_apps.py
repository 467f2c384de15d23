"""``with_renown_apps``: the one settings line of the plugin contract (docs/install.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from renown import RENOWN_APPS, REQUIRED_APPS, with_renown_apps

ROOT = Path(__file__).resolve().parents[2]
DJANGO_DEFAULT = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]


@pytest.mark.parametrize(
    ("host_apps", "expected_tail"),
    [
        # A new project: Django's defaults, then what Renown needs, then Renown.
        (DJANGO_DEFAULT, [*REQUIRED_APPS[6:], *RENOWN_APPS]),
        # A host with its own api app and DRF already: nothing moved, nothing doubled.
        (
            [*DJANGO_DEFAULT, "rest_framework", "api", "applicants"],
            ["rest_framework", "api", "applicants", *REQUIRED_APPS[7:], *RENOWN_APPS],
        ),
        # An app listed by its AppConfig path counts as present.
        (
            [*DJANGO_DEFAULT, "django_filters.apps.DjangoFiltersConfig"],
            [
                "django_filters.apps.DjangoFiltersConfig",
                "rest_framework",
                "drf_spectacular",
                "drf_spectacular_sidecar",
                *RENOWN_APPS,
            ],
        ),
        # Renown's apps already listed (a host that spelled them out): unchanged.
        (
            [*DJANGO_DEFAULT, *REQUIRED_APPS[6:], "hiring.apps.HiringConfig", *RENOWN_APPS[:3]],
            [*REQUIRED_APPS[6:], "hiring.apps.HiringConfig", *RENOWN_APPS[:3]],
        ),
    ],
)
def test_appends_what_is_missing_and_keeps_the_hosts_order(
    host_apps: list[str], expected_tail: list[str]
) -> None:
    result = with_renown_apps(host_apps)
    assert result[: len(host_apps)] == host_apps
    assert result[len(DJANGO_DEFAULT) :] == expected_tail
    assert len(result) == len({a.split(".apps.")[0] for a in result})


def test_a_tuple_is_accepted_and_the_hosts_list_is_not_changed() -> None:
    host = tuple(DJANGO_DEFAULT)
    assert with_renown_apps(host)[-len(RENOWN_APPS) :] == list(RENOWN_APPS)
    host_list = list(DJANGO_DEFAULT)
    with_renown_apps(host_list)
    assert host_list == DJANGO_DEFAULT


def test_importing_renown_imports_nothing_from_django() -> None:
    """A settings module imports it before Django is set up."""
    script = (
        "import json, sys\nimport renown\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == []
