"""The distribution django-renown: what a host project installs with pip.

The wheel and the sdist are built here as `python -m build` makes them (the sdist, then the
wheel from the sdist), without an isolated build env, so no network is needed: build and
setuptools are pinned in requirements-dev.txt. The build runs in a copy of the checkout, so it
leaves nothing behind in it. `.ci/host-project` installs the same wheel in a fresh venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement

from tests.test_requirements import distributions_under, normalise, runtime_imports

ROOT = Path(__file__).resolve().parent.parent
# The plugin's apps: exactly what the wheel holds.
APPS = ("renown", "candidates", "scoring", "hiring")
# Never in the wheel: the standalone site, the suite, the benchmarks.
NOT_SHIPPED = ("renown_site", "tests", "benchmarks")
# What a checkout may hold that is not source: left out of the copy that is built.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "node_modules",
    "__pycache__",
    "*.py[cod]",
    "*.sqlite3*",
    "staticfiles",
    "test-artifacts",
    ".*_cache",
    ".hypothesis",
    ".schemathesis",
    "*.egg-info",
    "build",
    "dist",
)


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def kind_of(path: str) -> str:
    parts = PurePosixPath(path).parts
    for kind in ("templates", "static", "migrations"):
        if kind in parts:
            return kind
    return "modules" if path.endswith(".py") else "other files"


def app_source_files(app: str) -> set[str]:
    """Every file of one app in the checkout, as 'app/…' paths (bytecode left out)."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / app).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@dataclass(frozen=True)
class Built:
    wheel: set[str]
    sdist: set[str]  # paths inside the sdist's top folder, as in the checkout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    checkout = tmp_path_factory.mktemp("checkout") / "renown"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCE)
    out = checkout.parent / "dist"
    env = {**os.environ, "PIP_NO_INDEX": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(checkout)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (wheel_path,) = out.glob("django_renown-*.whl")
    (sdist_path,) = out.glob("django_renown-*.tar.gz")
    with zipfile.ZipFile(wheel_path) as wheel:
        wheel_names = {name for name in wheel.namelist() if not name.endswith("/")}
    with tarfile.open(sdist_path) as sdist:
        sdist_names = {
            member.name.split("/", 1)[1]
            for member in sdist.getmembers()
            if member.isfile() and "/" in member.name
        }
    return Built(wheel=wheel_names, sdist=sdist_names)


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("distribution", ["wheel", "sdist"])
def test_distribution_holds_every_file_of_the_app(built: Built, distribution: str, app: str):
    expected = app_source_files(app)
    assert f"{app}/__init__.py" in expected, f"{app} is not a package in the checkout"
    assert any(kind_of(path) == "migrations" for path in expected), f"{app} has no migrations"
    missing: dict[str, list[str]] = {}
    for path in sorted(expected - getattr(built, distribution)):
        missing.setdefault(kind_of(path), []).append(path)
    assert not missing, f"the {distribution} lacks files of {app}: {missing}"


def test_wheel_holds_the_four_apps_and_nothing_else(built: Built):
    top_level = {name.split("/", 1)[0] for name in built.wheel}
    dist_info = {name for name in top_level if name.endswith(".dist-info")}
    assert len(dist_info) == 1
    assert top_level - dist_info == set(APPS)
    assert not [name for name in built.wheel if "__pycache__" in name or name.endswith(".pyc")]


def test_sdist_leaves_out_the_site_tests_and_benchmarks(built: Built):
    top_level = {name.split("/", 1)[0] for name in built.sdist if "/" in name}
    assert top_level & {*NOT_SHIPPED, "templates", "static", "docs"} == set()
    assert top_level - {"django_renown.egg-info"} == set(APPS)


def test_every_package_the_apps_import_is_a_dependency_of_the_distribution():
    """A host installs the wheel alone: what the apps import must come with it."""
    project = pyproject()["project"]
    assert isinstance(project, dict)
    dependencies = [Requirement(spec) for spec in project["dependencies"]]
    installed = distributions_under(dependencies)
    providers = metadata.packages_distributions()
    missing: dict[str, set[str]] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for name in runtime_imports(path):
                if name in sys.stdlib_module_names or name in APPS or name == "__future__":
                    continue
                dists = {normalise(d) for d in providers.get(name, [name])}
                if not dists & installed:
                    missing.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert not missing, f"imported by the apps but not a dependency in pyproject.toml: {missing}"
