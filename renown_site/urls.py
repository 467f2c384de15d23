"""The site's root URLconf: health check, admin, log-in and password reset, then the apps."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from renown_site import views
from renown_site.forms import ThrottledAuthenticationForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The providers page moved into the admin (scoring.admin, so every host has it); its
    # earlier address still leads there. Before the admin's catch-all, which would 404.
    path(
        "admin/providers/",
        RedirectView.as_view(pattern_name="admin:renown_scoring_providers", permanent=True),
    ),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): Renown's own.
    path("favicon.ico", views.favicon, name="favicon"),
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
