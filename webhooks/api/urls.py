from __future__ import annotations

from django.urls import path

from webhooks.api import views

app_name = "webhooks-api"

urlpatterns = [
    path(
        "ats/greenhouse/<slug:org_slug>/",
        views.GreenhouseWebhookApi.as_view(),
        name="greenhouse-webhook",
    ),
]
