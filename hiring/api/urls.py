"""``/api/v1/``: one router; add a ``router.register`` line for a new endpoint.

Object URL parameters have names of their own (``candidate_id``, ``job_id``, ...):
``tests/test_tenancy.py`` fills each with another organisation's objects, and
``tests/api/test_role_matrix.py`` needs a row for every new operation.
"""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from hiring.api.views.candidate_data import (
    EvidenceViewSet,
    NoticeViewSet,
    ScoreViewSet,
    SocialAccountViewSet,
    VendorScoreViewSet,
)
from hiring.api.views.candidates import UUID_RE, CandidateViewSet
from hiring.api.views.export import CandidateExportViewSet
from hiring.api.views.jobs import (
    ApplicationViewSet,
    DecisionViewSet,
    JobRuleViewSet,
    JobViewSet,
    RuleViewSet,
    ScreeningViewSet,
)
from hiring.api.views.portal import PortalLinkViewSet
from hiring.api.views.refresh import RefreshCycleViewSet
from hiring.api.views.webhooks import (
    AtsWebhookApi,
    WebhookDeliveryViewSet,
    WebhookSubscriptionViewSet,
)
from renown.api.problems import not_found

app_name = "api"

CANDIDATE = rf"candidates/(?P<candidate_id>{UUID_RE})"
JOB = r"jobs/(?P<job_id>[0-9]+)"

router = SimpleRouter()
router.register("candidates", CandidateViewSet, basename="candidate")
router.register(f"{CANDIDATE}/accounts", SocialAccountViewSet, basename="candidate-account")
router.register(f"{CANDIDATE}/evidence", EvidenceViewSet, basename="candidate-evidence")
router.register(f"{CANDIDATE}/notices", NoticeViewSet, basename="candidate-notice")
router.register(f"{CANDIDATE}/scores", ScoreViewSet, basename="candidate-score")
router.register(f"{CANDIDATE}/vendor-scores", VendorScoreViewSet, basename="candidate-vendor-score")
router.register("jobs", JobViewSet, basename="job")
router.register(f"{JOB}/applications", ApplicationViewSet, basename="job-application")
router.register(f"{JOB}/rules", JobRuleViewSet, basename="job-rule")
router.register("rules", RuleViewSet, basename="rule")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register(
    r"screenings/(?P<screening_id>[0-9]+)/decisions", DecisionViewSet, basename="decision"
)
router.register("refresh-cycles", RefreshCycleViewSet, basename="refresh-cycle")
router.register(f"{CANDIDATE}/export", CandidateExportViewSet, basename="candidate-export")
router.register(
    "webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription"
)
router.register(
    r"webhook-subscriptions/(?P<subscription_id>[0-9]+)/deliveries",
    WebhookDeliveryViewSet,
    basename="webhook-delivery",
)

urlpatterns = [
    *router.urls,
    re_path(
        rf"^{CANDIDATE}/portal-link/$",
        PortalLinkViewSet.as_view({"post": "create", "delete": "revoke"}),
        name="candidate-portal-link",
    ),
    # Authenticated by each ATS's signature, not by a token (hiring.api.views.webhooks).
    path("ats/<slug:ats>/<slug:org_slug>/", AtsWebhookApi.as_view(), name="ats-webhook"),
    # Anything else under /api/v1/ is a problem+json 404, not an HTML page.
    re_path(r"^.*$", not_found),
]
