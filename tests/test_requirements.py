"""requirements.txt alone runs the app: every package the app imports is in it or under it."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "candidates", "hiring", "privacy", "renown_site", "scoring", "webhooks")


def runtime_imports(path: Path) -> Iterator[str]:
    """Top-level names a module imports at run time (not under `if TYPE_CHECKING:`)."""

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (name for stmt in child.orelse for name in walk(stmt))
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name.split(".")[0] for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.module.split(".")[0]
            yield from walk(child)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")))


def requirements_in(path: Path) -> list[Requirement]:
    """The requirements a requirements file names (its `-r`/`-c` lines left out)."""
    wanted: list[Requirement] = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            wanted.append(Requirement(line))
    return wanted


def distributions_under(requirements: list[Requirement]) -> set[str]:
    """The distributions installing these requirements installs: named ones and theirs."""
    wanted = list(requirements)
    found: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = normalise(requirement.name)
        extras = requirement.extras
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in found:
            continue
        found.update({key, name})
        for spec in metadata.requires(requirement.name) or []:
            dependency = Requirement(spec)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if dependency.marker is None or any(
                dependency.marker.evaluate(env) for env in environments
            ):
                wanted.append(dependency)
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_package_the_app_imports_comes_from_requirements_txt() -> None:
    installed = distributions_under(requirements_in(ROOT / "requirements.txt"))
    providers = metadata.packages_distributions()
    local = {path.name for path in ROOT.iterdir() if path.is_dir()} | {"manage"}
    missing: dict[str, set[str]] = {}
    for path in [ROOT / "manage.py", *(p for app in APPS for p in (ROOT / app).rglob("*.py"))]:
        for name in runtime_imports(path):
            if name in sys.stdlib_module_names or name in local or name == "__future__":
                continue
            dists = {normalise(d) for d in providers.get(name, [name])}
            if not dists & installed:
                missing.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert not missing, f"imported at run time but not installed by requirements.txt: {missing}"
