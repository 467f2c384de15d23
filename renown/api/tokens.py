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
from django.utils import timezone

from renown.models import ApiToken, Organization, TokenScope

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
) -> tuple[ApiToken, str]:
    """Create a token; returns it and its plaintext (shown once, never stored).

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
    token.save()
    return token, plaintext


def api_token_rotate(*, token: ApiToken) -> str:
    """Give the token a new secret; the old one stops working at once. Returns the plaintext."""
    if not token.is_active:
        raise ValidationError("A revoked token cannot be rotated; create a new one.")
    prefix, plaintext = _new_secret()
    token.prefix = prefix
    token.digest = _digest(plaintext)
    token.rotated_at = timezone.now()
    token.save(update_fields=["prefix", "digest", "rotated_at", "updated_at"])
    return plaintext


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token for good (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
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
