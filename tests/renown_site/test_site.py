"""The standalone site sits above the apps: it brands its admin, the apps stand without it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("renown", "candidates", "scoring", "hiring")


@pytest.mark.django_db
def test_the_site_brands_its_own_admin(client: Any) -> None:
    page = client.get("/admin/login/").content.decode()
    assert "Renown administration" in page
    assert "Django administration" not in page


def test_importing_the_apps_creates_no_celery_app_and_loads_no_site() -> None:
    """A host project keeps its own Celery app and settings: the apps bring neither."""
    script = (
        f"import json, sys\nimport {', '.join(APPS)}\nfrom celery import _state\n"
        "print(json.dumps({'celery_apps': len(_state._apps), "
        "'site': sorted(m for m in sys.modules if m.split('.')[0] == 'renown_site')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {"celery_apps": 0, "site": []}


@pytest.mark.django_db
def test_the_browsers_favicon_request_finds_renowns_icon(client: Any) -> None:
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302  # not 301: the file's name is hashed in production
    assert response["Location"] == "/static/renown/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    icon = finders.find("renown/favicon.svg")
    assert icon is not None
    assert Path(icon).read_text().startswith("<svg ")
    # Renown's own pages name it, so the browser never asks for /favicon.ico there.
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/renown/favicon.svg" type="image/svg+xml">' in page


@pytest.mark.django_db
def test_the_admin_names_models_as_people_say_them(admin_client: Any) -> None:
    """Acronyms in capitals ("API tokens", "ATS secret"), plurals spelled right: the admin
    index, the permissions and the audit trail all read these names."""
    import re

    from django.apps import apps

    names = {
        name
        for model in apps.get_models()
        if model._meta.app_label.startswith("renown")
        for name in (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
    }
    acronyms = re.compile(r"\b(api|ats|hr|url|nyc|fcra|gdpr|ll144|csv|id)\b", re.IGNORECASE)
    assert not [n for n in names if (m := acronyms.search(n)) and m[0] != m[0].upper()]
    assert not [n for n in names if re.search(r"[^aeiou]ys\b", n)]  # "deliverys"
    assert {"API tokens", "ATS secret", "inbound deliveries", "candidate page views"} <= names
    index = admin_client.get("/admin/").content.decode()
    assert "API tokens" in index
    assert "Candidate page views" in index
    assert "Api tokens" not in index
