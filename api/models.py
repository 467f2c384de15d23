"""API tokens of the integrations, and the stored responses of idempotent POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from candidates.models import Organization, TimeStampedModel


class TokenScope(models.TextChoices):
    READ = "read", "Read (safe methods only)"
    WRITE = "write", "Write (no rules, no demographic data)"


class ApiToken(TimeStampedModel):
    """One integration's credential in one organisation.

    Only a SHA-256 digest of the secret is stored; ``prefix`` (the first
    characters of the token, not secret) finds the row. The plaintext is shown
    once, when the token is created or rotated (``api.services``).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="Which integration uses it.")
    scope = models.CharField(max_length=5, choices=TokenScope.choices)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values), name="apitoken_scope_valid"
            ),
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_unique_active_name_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope}, {self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """The first response to a POST with an ``Idempotency-Key``, replayed on a retry."""

    owner = models.CharField(max_length=40, help_text="token:<id> or user:<id>.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_unique_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.key}"
