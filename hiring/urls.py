from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.problems import not_found
from hiring import views
from scoring import views as scoring_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", not_found),
    path("audits/<slug:org_slug>/", views.audit_summary, name="audit-summary"),
    path(
        "admin/providers/",
        admin.site.admin_view(scoring_views.provider_list),
        name="admin-providers",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", views.candidate_list, name="candidate-list"),
    path("candidates/<uuid:public_id>/", views.candidate_detail, name="candidate-detail"),
    path("organization/switch/", views.organization_switch, name="organization-switch"),
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
