"""The recruiter pages and the API, under the ``renown`` namespace of ``renown.urls``."""

from __future__ import annotations

from django.urls import include, path, re_path

from hiring.api.schema import SchemaView
from hiring.pages import review as views
from renown.api.docs import ApiDocsView
from renown.api.problems import not_found
from renown.csp import renown_csp

urlpatterns = [
    path("api/v1/", include("hiring.api.urls")),
    path("api/schema/", renown_csp(SchemaView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        renown_csp(ApiDocsView.as_view(url_name="renown:api-schema")),
        name="api-docs",
    ),
    re_path(r"^api/", not_found),
    path("audits/<slug:org_slug>/", views.audit_summary, name="audit-summary"),
    path("", views.candidate_list, name="candidate-list"),
    path("candidates.csv", views.candidate_list_csv, name="candidate-list-csv"),
    path("candidates/<uuid:public_id>/", views.candidate_detail, name="candidate-detail"),
    path(
        "candidates/<uuid:public_id>/evidence/",
        views.evidence_create,
        name="evidence-create",
    ),
    path(
        "candidates/<uuid:public_id>/evidence/<int:evidence_id>/verify/",
        views.evidence_verify,
        name="evidence-verify",
    ),
    path(
        "candidates/<uuid:public_id>/accounts/",
        views.account_create,
        name="account-create",
    ),
    path(
        "candidates/<uuid:public_id>/accounts/<int:account_id>/verify/",
        views.account_verify,
        name="account-verify",
    ),
    path("organization/switch/", views.organization_switch, name="organization-switch"),
    path("refresh/", views.refresh, name="refresh"),
    path("refresh/<int:cycle_id>/", views.refresh_progress, name="refresh-progress"),
    path(
        "refresh/<int:cycle_id>/progress.json",
        views.refresh_progress_json,
        name="refresh-progress-json",
    ),
    path("audit/", views.bias_audit, name="bias-audit"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:job_id>/review/", views.review_queue, name="review-queue"),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/",
        views.candidate_review,
        name="candidate-review",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/decision/",
        views.decision_create,
        name="decision-create",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/pre-adverse-notice/",
        views.pre_adverse_notice_send,
        name="pre-adverse-notice-send",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/dispute/",
        views.dispute_create,
        name="dispute-create",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/dispute/resolve/",
        views.dispute_resolve,
        name="dispute-resolve",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/final-notice/",
        views.final_notice_send,
        name="final-notice-send",
    ),
]
