"""The benchmark's URLs: the real ones plus ``/bench/bare/``, a bare JsonResponse view.

The bare view serves the same rows as ``GET /api/v1/candidates/`` (page of 50 with
the newest scores and screening outcome) to the same caller: the yardstick the API's
throughput is compared with. What the API must do and a bare view serving these rows
to a client would do as well, it does too, so the ratio measures the API's own
overhead: it authenticates the bearer token (``api_token_authenticate``, the API's
lookup) and reads one row past the page to know whether there is a next one (as the
cursor pagination does; neither counts rows). No serializer, filters, throttle,
content negotiation or problem details. Only ``benchmarks.api_settings`` routes here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

BENCH_ORG_SLUG = "bench-api"
PAGE = 50


def bare_candidates(request: HttpRequest) -> HttpResponse:
    from hiring.api.selectors import candidate_list_with_latest
    from renown.api.tokens import api_token_authenticate

    keyword, _, plaintext = request.headers.get("Authorization", "").partition(" ")
    token = api_token_authenticate(plaintext) if keyword == "Bearer" else None
    if token is None:
        return HttpResponse(status=401)
    # The API's default order (-id); one row more tells whether a next page exists.
    # As the API's list: no join to the organisation, which the page does not show.
    page = candidate_list_with_latest(token.organization).select_related(None).order_by("-id")
    rows = list(page[: PAGE + 1])
    more = len(rows) > PAGE
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
        for c in rows[:PAGE]
    ]
    after = f"{request.path}?after={rows[PAGE - 1].pk}" if more else None
    return JsonResponse({"next": after, "previous": None, "results": results})


urlpatterns = [
    path("bench/bare/", bare_candidates),
    path("", include("renown_site.urls")),
]
