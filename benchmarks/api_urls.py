"""The benchmark's URLs: the real ones plus ``/bench/bare/``, a bare JsonResponse view.

The bare view serves the same rows as ``GET /api/v1/candidates/`` (page of 50 with
the newest scores and screening outcome) with no authentication, no throttle, no
serializer: the yardstick the API's throughput is compared with. Only
``benchmarks.api_settings`` routes here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

BENCH_ORG_SLUG = "bench-api"


def bare_candidates(request: HttpRequest) -> JsonResponse:
    from hiring.api.selectors import candidate_list_with_latest
    from renown.models import Organization

    organization = Organization.objects.get(slug=BENCH_ORG_SLUG)
    rows = candidate_list_with_latest(organization).order_by("-id")[:50]  # the API's default order
    results: list[dict[str, Any]] = [
        {
            "id": str(c.public_id),
            "name": c.name,
            "email": c.email,
            "ats_source": c.ats_source,
            "external_id": c.external_id,
            "country": c.country,
            "region": c.region,
            "created_at": c.created_at.isoformat(),
            "updated_at": c.updated_at.isoformat(),
            "latest_scores": {
                "influence": None if c.latest_influence is None else f"{c.latest_influence:.2f}",
                "reputation": None if c.latest_reputation is None else f"{c.latest_reputation:.2f}",
            },
            "latest_screening": None
            if c.latest_outcome is None
            else {
                "job": c.latest_job_id,
                "outcome": c.latest_outcome,
                "suggestion": c.latest_suggestion,
                "evaluated_at": c.latest_evaluated_at.isoformat(),
            },
        }
        for c in rows
    ]
    return JsonResponse({"next": None, "previous": None, "results": results})


urlpatterns = [
    path("bench/bare/", bare_candidates),
    path("", include("renown_site.urls")),
]
