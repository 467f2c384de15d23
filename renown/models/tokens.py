"""API tokens of the integrations, and the stored responses of idempotent POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renown.models.tenancy import Organization, TimeStampedModel


class TokenScope(models.TextChoices):
    READ = "read", "Read (safe methods only)"
    WRITE = "write", "Write (no rules, no demographic data)"


class ApiToken(TimeStampedModel):
    """One integration's credential in one organisation.

    Only a SHA-256 digest of the secret is stored; ``prefix`` (the first
    characters of the token, not secret) finds the row. The plaintext is shown
    once, when the token is created or rotated (``hiring.api.services``).
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
        verbose_name = "API token"
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


class IdempotencyState(models.TextChoices):
    RUNNING = "running", "Running (the key is reserved)"
    DONE = "done", "Done (the response is kept)"


class IdempotencyKey(models.Model):
    """A POST's ``Idempotency-Key``: reserved while its request runs, then its response.

    The row is inserted (``running``) before the view runs, so the unique
    constraint lets one request per key through; ``reservation`` names the
    request holding it, which alone may finish (``done``, with the response) or
    release it. A reservation past ``reserved_until`` belonged to a request that
    died and may be taken over (``renown.api.idempotency``).
    """

    owner = models.CharField(max_length=40, help_text="token:<id> or user:<id>.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    state = models.CharField(max_length=7, choices=IdempotencyState.choices)
    reservation = models.CharField(
        max_length=32, help_text="Random id of the request that reserved the key."
    )
    reserved_until = models.DateTimeField(
        help_text="After this, a running reservation is taken to have died with its request."
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_unique_owner_key"),
            models.CheckConstraint(
                condition=Q(state=IdempotencyState.RUNNING)
                | Q(state=IdempotencyState.DONE, status_code__isnull=False),
                name="idempotency_done_has_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.key}"
