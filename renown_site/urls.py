"""The site's root URLconf: health check, admin, log-in and password reset, then the apps."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from renown_site import views
from renown_site.forms import ThrottledAuthenticationForm
from scoring import views as scoring_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Before the admin's own URLs, whose catch-all would answer 404 for it.
    path(
        "admin/providers/",
        admin.site.admin_view(scoring_views.provider_list),
        name="admin-providers",
    ),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    # Before Django's own: a completed reset also lifts the login lockout.
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Renown, as any host mounts it (docs/install.md), at the root: pages at /, API at /api/.
    path("", include("renown.urls")),
]
