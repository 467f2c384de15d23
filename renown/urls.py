"""The plugin's one URL include: ``path("renown/", include("renown.urls"))`` (docs/install.md).

The recruiter pages at the include's root, the API under ``api/v1/``, its schema at
``api/schema/`` and its docs at ``api/docs/``. The pages and the API are the top app's
(``hiring.urls``), named here by string: the base imports no app above it.
"""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("hiring.urls")),
]
