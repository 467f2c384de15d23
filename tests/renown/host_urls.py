"""A host project's URLconf: its own pages and log-in, Renown under ``/renown/``.

As docs/install.md tells a host to mount it. The host names no ``logout`` (Renown's
pages must not need one) and renders its own ``base.html`` and
``registration/login.html`` (``host_templates/``), which Renown must neither use nor
replace.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def host_home(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    path("", host_home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("admin/", admin.site.urls),
    path("renown/", include("renown.urls")),
]
