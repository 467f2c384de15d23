"""API token use cases: create, rotate, revoke, authenticate.

A token reads ``rnw_<prefix>_<secret>``. The prefix (12 characters, not secret)
finds the row; only the SHA-256 of the whole token is stored, and the plaintext
is returned once, by ``api_token_create`` or ``api_token_rotate``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renown.models import ApiToken, AuditEventType, Organization, TokenScope
from renown.trail import AuditActor, audit_record

TOKEN_PREFIX = "rnw_"  # noqa: S105 - the public marker of a Renown token
# last_used_at is written at most this often per token: one UPDATE a minute, not one a request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(
    *,
    organization: Organization,
    name: str,
    scope: str,
    created_by: AbstractBaseUser | None = None,
    actor: AuditActor = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns it and its plaintext (shown once, never stored).

    Records ``token.created`` (never the secret); ``actor`` defaults to ``created_by``.

    Raises ValidationError for an unknown scope, an empty name, or a name already
    used by an active token of the organisation.
    """
    name = name.strip()
    if scope not in TokenScope.values:
        raise ValidationError({"scope": f"Choose read or write, not {scope!r}."})
    if not name:
        raise ValidationError({"name": "Name the integration that uses the token."})
    if ApiToken.objects.filter(organization=organization, name=name, revoked_at=None).exists():
        raise ValidationError({"name": f"An active token named {name!r} exists; rotate it."})
    prefix, plaintext = _new_secret()
    token = ApiToken(
        organization=organization,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(plaintext),
        created_by_id=created_by.pk if created_by is not None else None,
    )
    token.full_clean(exclude=["prefix", "digest"])
    with transaction.atomic():
        token.save()
        audit_record(
            organization=organization,
            actor=actor if actor is not None else created_by,
            event_type=AuditEventType.TOKEN_CREATED,
            subject=token,
            after=_token_state(token),
        )
    return token, plaintext


def _token_state(token: ApiToken) -> dict[str, object]:
    return {"name": token.name, "scope": token.scope, "prefix": token.prefix}


def api_token_rotate(*, token: ApiToken, actor: AuditActor = None) -> str:
    """Give the token a new secret; the old one stops working at once. Returns the plaintext.

    Records ``token.rotated`` with the old and new public prefixes.
    """
    if not token.is_active:
        raise ValidationError("A revoked token cannot be rotated; create a new one.")
    before = _token_state(token)
    prefix, plaintext = _new_secret()
    token.prefix = prefix
    token.digest = _digest(plaintext)
    token.rotated_at = timezone.now()
    with transaction.atomic():
        token.save(update_fields=["prefix", "digest", "rotated_at", "updated_at"])
        audit_record(
            organization=token.organization,
            actor=actor,
            event_type=AuditEventType.TOKEN_ROTATED,
            subject=token,
            before=before,
            after=_token_state(token),
        )
    return plaintext


def api_token_revoke(*, token: ApiToken, actor: AuditActor = None) -> ApiToken:
    """Revoke the token for good (idempotent: ``token.revoked`` the first time only)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with transaction.atomic():
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                organization=token.organization,
                actor=actor,
                event_type=AuditEventType.TOKEN_REVOKED,
                subject=token,
                after={**_token_state(token), "revoked_at": token.revoked_at},
            )
    return token


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token ``plaintext`` names, or None; records the use (once a minute)."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, _ = plaintext.removeprefix(TOKEN_PREFIX).partition("_")
    if not sep or len(prefix) != 12:
        return None
    token = (
        ApiToken.objects.select_related("organization")
        .filter(prefix=prefix, revoked_at=None)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
