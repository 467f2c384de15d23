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
