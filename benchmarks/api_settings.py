"""Settings of the API benchmark: the real ones, routed through ``benchmarks.api_urls``."""

from __future__ import annotations

from renown_site.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.api_urls"
