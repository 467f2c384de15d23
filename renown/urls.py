"""The plugin's one URL include: ``path("renown/", include("renown.urls"))`` (docs/install.md).

The recruiter pages at the include's root, the API under ``api/v1/``, its schema at
``api/schema/`` and its docs at ``api/docs/``. The pages and the API are the top app's
(``hiring.urls``), named here by string: the base imports no app above it.

Every name lives in the ``renown`` namespace, so none meets a host's: the pages are
``renown:<name>`` (``renown:candidate-list``), the API ``renown:api:<name>``, its schema
and docs ``renown:api-schema`` and ``renown:api-docs``. Renown reverses only these, so
every link follows the prefix the host chose.
"""

from __future__ import annotations

from django.urls import include, path

app_name = "renown"

urlpatterns = [
    path("", include("hiring.urls")),
]
