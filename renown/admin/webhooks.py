"""Webhook subscriptions and their delivery log, scoped to the user's organisations.

A new subscription's signing secret is shown once, in the body of the page that
answers the creation (and a rotated one in the page that answers the rotation:
``SecretShownOnceAdmin``, ``admin/secret_shown.html``), never in a message:
messages travel in a signed but readable cookie (or the session), where the
secret would outlive the page. The admin never shows it again (rotate it to get
a new one).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from renown.access import signed_in_user
from renown.admin.scoped import (
    OVERSIGHT_ROLES,
    OrganizationScopedAdmin,
    SecretShownOnceAdmin,
)
from renown.models import EventType, SignatureScheme, WebhookDelivery, WebhookSubscription
from renown.webhooks import services, signing


class WebhookSubscriptionForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "name", "url", "events", "active"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        try:
            services._check_url(url)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(SecretShownOnceAdmin, OrganizationScopedAdmin):
    """Where events go (never the signing secret): HR admins manage them, auditors read
    where candidates' data is sent; recruiters do not see them."""

    view_roles = OVERSIGHT_ROLES
    form = WebhookSubscriptionForm
    shown_columns = (
        ("Subscription", "name"),
        ("Organisation", "organization"),
        ("URL", "url"),
    )
    shown_usage = (
        "The receiver checks each delivery's signature with it: webhook-signature with the "
        "standardwebhooks library (Standard Webhooks), or Renown-Signature for a legacy "
        "subscription (docs/webhooks.md); Renown keeps it to sign deliveries."
    )
    list_display = [
        "name", "url", "organization", "active", "signature_scheme", "failing_since",
        "disabled_at",
    ]  # fmt: skip
    list_filter = ["active", "signature_scheme"]
    readonly_fields = [
        "signature_scheme", "consecutive_failures", "failing_since", "disabled_at",
        "disabled_reason", "created_by",
    ]  # fmt: skip
    actions = ["rotate_secret", "switch_to_standard", "enable"]

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookSubscription,
        form: forms.ModelForm[WebhookSubscription],
        change: bool,
    ) -> None:
        if not change:
            obj.secret = signing.new_secret()
            obj.created_by_id = signed_in_user(request).pk
            obj.events = sorted(set(obj.events))
            super().save_model(request, obj, form, change)
            self.keep_secret_for_page(obj, obj.secret)
            return
        if "active" in form.changed_data and obj.active:
            services.subscription_clear_failures(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description="Rotate the signing secret (shows the new one once)")
    def rotate_secret(
        self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]
    ) -> HttpResponse | None:
        shown = []
        for subscription in queryset.select_related("organization"):
            if not self.has_change_permission(request, subscription):
                continue
            shown.append(
                (
                    subscription,
                    services.subscription_rotate_secret(
                        subscription=subscription, actor=request.user
                    ),
                )
            )
        if not shown:
            messages.warning(request, "No subscription of yours was selected: nothing rotated.")
            return None
        return self.secrets_shown(
            request,
            shown,
            title="New signing secrets",
            note="Every delivery from now on, retries too, is signed with the new secret only: give each receiver its new one now.",
        )

    @admin.action(
        description="Switch to Standard Webhooks (rotates the secret, shows the new one once)"
    )
    def switch_to_standard(
        self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]
    ) -> HttpResponse | None:
        shown = []
        for subscription in queryset.select_related("organization"):
            if (
                not self.has_change_permission(request, subscription)
                or subscription.signature_scheme == SignatureScheme.STANDARD
            ):
                continue
            secret = services.subscription_switch_scheme(
                subscription=subscription, scheme=SignatureScheme.STANDARD, actor=request.user
            )
            shown.append((subscription, secret))
        if not shown:
            messages.warning(
                request,
                "No legacy subscription of yours was selected: nothing switched.",
            )
            return None
        return self.secrets_shown(
            request,
            shown,
            title="Switched to Standard Webhooks: new signing secrets",
            note="Every delivery from now on, retries too, carries webhook-id, "
            "webhook-timestamp and webhook-signature signed with the new secret, and no "
            "Renown-Signature: give each receiver its new secret and the standardwebhooks "
            "check now.",
        )

    @admin.action(description="Turn on again (clears the failing streak)")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            if self.has_change_permission(request, subscription):
                services.subscription_update(
                    subscription=subscription, active=True, actor=request.user
                )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedAdmin):
    """The delivery log, bodies included (candidates' data as sent, and where): HR admins,
    who run the integrations, and auditors, who check where data went; not recruiters."""

    view_roles = OVERSIGHT_ROLES
    list_display = [
        "event_type", "subscription", "status", "attempts", "response_status",
        "duration_ms", "created_at", "last_attempt_at",
    ]  # fmt: skip
    list_filter = ["status", "event_type"]
    list_select_related = ["subscription"]
    readonly_fields = [
        "subscription", "organization", "event_id", "event_type", "body", "status", "attempts",
        "response_status", "last_error", "duration_ms", "created_at", "claimed_at",
        "last_attempt_at", "next_attempt_at", "delivered_at", "manual_redeliveries",
        "round_attempts", "queued_at",
    ]  # fmt: skip
    exclude = ["candidate"]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # the log is read-only; redelivery is an action

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return OrganizationScopedAdmin.has_change_permission(self, request)

    @admin.action(description="Redeliver (same event, new signature)", permissions=["redeliver"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset:
            if not OrganizationScopedAdmin.has_change_permission(self, request, delivery):
                continue
            try:
                services.delivery_redeliver(delivery=delivery, actor=request.user)
            except ValidationError as exc:
                messages.error(request, f"{delivery}: {' '.join(exc.messages)}")
                continue
            done += 1
        if done:
            messages.success(request, f"{done} deliver{'y' if done == 1 else 'ies'} queued again.")
