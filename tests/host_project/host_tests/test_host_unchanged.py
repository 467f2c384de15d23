"""Installing Renown changes nothing of the host's outside /renown/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import django
import pytest
import renown
from celery import current_app
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import Client
from django.urls import resolve
from rest_framework.settings import DEFAULTS, api_settings

from hostsite.celery import app as host_celery_app

RENOWN_APPS = ("renown", "candidates", "scoring", "hiring")
DJANGO_DIR = Path(django.__file__).parent
HOST_TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.django_db
def test_admin_keeps_djangos_header(client: Client, superuser: Any):
    assert admin.site.site_header == "Django administration"
    assert b"Django administration" in client.get("/admin/login/").content
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Django administration" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/postings/", "/admin/login/"])
def test_host_responses_carry_no_content_security_policy(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert "Content-Security-Policy-Report-Only" not in response.headers


@pytest.mark.django_db
def test_host_page_renders_the_hosts_own_base_html(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'data-base="acme-careers"' in response.content
    base = next(t for t in response.templates if t.name == "base.html")
    assert Path(base.origin.name) == HOST_TEMPLATES / "base.html"


@pytest.mark.parametrize(
    "name",
    [
        "admin/base_site.html",
        "admin/index.html",
        "admin/login.html",
        "registration/password_reset_form.html",
        "registration/logged_out.html",
    ],
)
def test_django_templates_are_not_overridden(name: str):
    origin = Path(get_template(name).origin.name)
    assert DJANGO_DIR in origin.parents, f"{name} comes from {origin}"


@pytest.mark.parametrize("app", RENOWN_APPS)
def test_renown_templates_and_static_files_live_under_renowns_names(app: str):
    package = Path(__import__(app).__file__ or "").parent
    label = "renown" if app == "renown" else f"renown_{app}"
    for folder, allowed in (
        ("templates", ("renown/", f"admin/{label}/")),
        ("static", ("renown/",)),
    ):
        for path in (package / folder).rglob("*"):
            name = path.relative_to(package / folder).as_posix()
            if path.is_file():
                assert name.startswith(allowed), f"{app} ships {folder}/{name}"


def test_renown_static_files_are_found_by_the_hosts_staticfiles():
    found = [
        path
        for finder in finders.get_finders()
        for path, _storage in finder.list([])
        if path.startswith("renown/")
    ]
    assert found


@pytest.mark.django_db
def test_host_api_keeps_drfs_default_pagination_and_permissions(client: Client):
    # DRF's defaults: anyone may create and read, and a list is a bare list (no pagination).
    created = client.post(
        "/api/postings/", {"title": "Backend engineer"}, content_type="application/json"
    )
    assert created.status_code == 201
    response = client.get("/api/postings/")
    assert response.status_code == 200
    assert json.loads(response.content) == [json.loads(created.content)]


@pytest.mark.django_db
def test_host_api_keeps_drfs_default_error_body(client: Client):
    response = client.get("/api/postings/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == {"detail"}


@pytest.mark.parametrize(
    "setting",
    [
        "DEFAULT_AUTHENTICATION_CLASSES",
        "DEFAULT_PERMISSION_CLASSES",
        "DEFAULT_PAGINATION_CLASS",
        "DEFAULT_SCHEMA_CLASS",
        "DEFAULT_PARSER_CLASSES",
        "DEFAULT_RENDERER_CLASSES",
        "DEFAULT_THROTTLE_CLASSES",
        "DEFAULT_FILTER_BACKENDS",
        "EXCEPTION_HANDLER",
        "PAGE_SIZE",
    ],
)
def test_host_drf_settings_are_drfs_defaults(setting: str):
    resolve("/renown/api/v1/candidates/")  # the URLconf, and so every Renown view, imported
    assert setting not in api_settings.user_settings
    value = getattr(api_settings, setting)
    default = DEFAULTS[setting]
    if isinstance(default, (list, tuple)):
        assert [f"{cls.__module__}.{cls.__name__}" for cls in value] == list(default)
    elif isinstance(default, str):
        assert f"{value.__module__}.{value.__name__}" == default
    else:
        assert value == default


def test_host_celery_app_is_the_hosts_and_runs_renowns_beat_schedule():
    assert current_app._get_current_object() is host_celery_app
    host_celery_app.loader.import_default_modules()  # autodiscover_tasks(): every app's tasks
    schedule = host_celery_app.conf.beat_schedule
    assert renown.RENOWN_BEAT_SCHEDULE
    for name, entry in renown.RENOWN_BEAT_SCHEDULE.items():
        assert schedule[name] == entry
        assert entry["task"] in host_celery_app.tasks, entry["task"]
