"""A host's URLconf that mounts Renown under a prefix, as docs/install.md says."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("renown/", include("renown.urls")),
]
