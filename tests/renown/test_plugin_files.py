"""Renown's templates and static files live under names no host uses.

Each app ships templates under ``templates/renown/`` (and admin overrides under
``templates/admin/renown*/``) and static files under ``static/renown/``; a Renown
``base.html``, ``registration/login.html`` or ``admin/index.html`` would replace the
host's (or be replaced by it). The site's own templates stay in the top-level
``templates/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("renown", "candidates", "scoring", "hiring")


def shipped(app: str, kind: str) -> list[Path]:
    base = ROOT / app / kind
    return [p.relative_to(base) for p in base.rglob("*") if p.is_file()] if base.is_dir() else []


@pytest.mark.parametrize("app", APPS)
def test_templates_are_under_renown_names(app: str) -> None:
    for name in shipped(app, "templates"):
        top = name.parts[0]
        assert top == "renown" or (top == "admin" and name.parts[1].startswith("renown")), (
            f"{app}/templates/{name} could shadow a host's template"
        )


@pytest.mark.parametrize("app", APPS)
def test_static_files_are_under_renown(app: str) -> None:
    for name in shipped(app, "static"):
        assert name.parts[0] == "renown", f"{app}/static/{name} could shadow a host's file"
