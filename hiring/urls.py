"""The recruiter pages and the API, under the ``renown`` namespace of ``renown.urls``."""

from __future__ import annotations

from django.urls import include, path, re_path

from hiring.api.schema import SchemaView
from hiring.pages import audits, candidates, organization, refresh, review
from hiring.portal import proof_views
from hiring.portal import views as portal
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
    path("audits/<slug:org_slug>/", audits.audit_summary, name="audit-summary"),
    path("", candidates.candidate_list, name="candidate-list"),
    path("candidates.csv", candidates.candidate_list_csv, name="candidate-list-csv"),
    path("candidates/<uuid:public_id>/", candidates.candidate_detail, name="candidate-detail"),
    path(
        "candidates/<uuid:public_id>/evidence/",
        candidates.evidence_create,
        name="evidence-create",
    ),
    path(
        "candidates/<uuid:public_id>/evidence/<int:evidence_id>/verify/",
        candidates.evidence_verify,
        name="evidence-verify",
    ),
    path(
        "candidates/<uuid:public_id>/accounts/",
        candidates.account_create,
        name="account-create",
    ),
    path(
        "candidates/<uuid:public_id>/accounts/<int:account_id>/verify/",
        candidates.account_verify,
        name="account-verify",
    ),
    path(
        "candidates/<uuid:public_id>/disputes/<int:dispute_id>/answer/",
        candidates.portal_dispute_answer,
        name="portal-dispute-answer",
    ),
    path(
        "candidates/<uuid:public_id>/portal-links/",
        candidates.portal_links,
        name="portal-links",
    ),
    # The candidate's own pages: no login, the signed link is the key (hiring.portal).
    path("portal/confirm/<str:token>/", portal.portal_confirm, name="portal-confirm"),
    path("portal/<str:token>/", portal.portal_page, name="portal"),
    path("portal/<str:token>/export.json", portal.portal_export, name="portal-export"),
    path("portal/<str:token>/erasure/", portal.portal_erasure, name="portal-erasure"),
    path("portal/<str:token>/disputes/", portal.portal_dispute, name="portal-dispute"),
    path(
        "portal/<str:token>/consent/withdraw/",
        portal.portal_consent_withdraw,
        name="portal-consent-withdraw",
    ),
    path("portal/<str:token>/evidence/", portal.portal_evidence, name="portal-evidence"),
    path(
        "portal/<str:token>/accounts/not-mine/",
        portal.portal_account_disown,
        name="portal-account-disown",
    ),
    path(
        "portal/<str:token>/accounts/",
        proof_views.portal_account_claim,
        name="portal-account-claim",
    ),
    path(
        "portal/<str:token>/proofs/", proof_views.portal_account_prove, name="portal-account-prove"
    ),
    path("proof/<str:code>/", proof_views.proof_page, name="proof-page"),
    path("organization/switch/", organization.organization_switch, name="organization-switch"),
    path("refresh/", refresh.refresh, name="refresh"),
    path("refresh/<int:cycle_id>/", refresh.refresh_progress, name="refresh-progress"),
    path(
        "refresh/<int:cycle_id>/progress.json",
        refresh.refresh_progress_json,
        name="refresh-progress-json",
    ),
    path("audit/", audits.bias_audit, name="bias-audit"),
    path("jobs/", review.job_list, name="job-list"),
    path("jobs/<int:job_id>/review/", review.review_queue, name="review-queue"),
    path("jobs/<int:job_id>/review/bulk/", review.review_queue_bulk, name="review-queue-bulk"),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/",
        review.candidate_review,
        name="candidate-review",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/decision/",
        review.decision_create,
        name="decision-create",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/pre-adverse-notice/",
        review.pre_adverse_notice_send,
        name="pre-adverse-notice-send",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/dispute/",
        review.dispute_create,
        name="dispute-create",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/dispute/resolve/",
        review.dispute_resolve,
        name="dispute-resolve",
    ),
    path(
        "jobs/<int:job_id>/candidates/<uuid:public_id>/final-notice/",
        review.final_notice_send,
        name="final-notice-send",
    ),
]
