"""docs/install.md, the page a host project follows, names every setting Renown reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import renown

ROOT = Path(__file__).resolve().parent.parent
APPS = ("renown", "candidates", "scoring", "hiring")
INSTALL = ROOT / "docs" / "install.md"


def settings_read_by_the_apps() -> set[str]:
    """Every ``"RENOWN_…"`` string in the apps' code (not a prefix, not a name ``renown`` exports)."""
    names: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Constant) else None
                if isinstance(value, str) and re.fullmatch(r"RENOWN_[A-Z0-9_]*[A-Z0-9]", value):
                    names.add(value)
    return {name for name in names if not hasattr(renown, name)}


def settings_in_the_table() -> set[str]:
    rows = [
        line
        for line in INSTALL.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `RENOWN_")
    ]
    return {
        name for row in rows for name in re.findall(r"`(RENOWN_[A-Z0-9_]+)`", row.split(" | ")[0])
    }


def test_every_setting_is_in_the_install_page_and_no_other():
    read, documented = settings_read_by_the_apps(), settings_in_the_table()
    assert read, "no RENOWN_ setting found in the apps"
    assert sorted(read - documented) == [], "settings missing from docs/install.md"
    assert sorted(documented - read) == [], "docs/install.md names settings no app reads"


def test_install_page_shows_the_contract_as_the_host_project_uses_it():
    page = INSTALL.read_text(encoding="utf-8")
    host = ROOT / "tests" / "host_project" / "hostsite"
    for line in (
        "from renown import with_renown_apps",
        "INSTALLED_APPS = with_renown_apps(",
        'path("renown/", include("renown.urls"))',
        "from renown import RENOWN_BEAT_SCHEDULE",
        "app.conf.beat_schedule.update(RENOWN_BEAT_SCHEDULE)",
    ):
        assert line in page
        assert any(line in path.read_text(encoding="utf-8") for path in host.glob("*.py")), line
