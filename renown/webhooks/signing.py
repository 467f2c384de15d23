"""Webhook signatures, both ways (pure: no database, no Django).

Out, two schemes; each subscription says which it uses (``signature_scheme``):

- ``standard``: the Standard Webhooks specification 1.0.0
  (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md),
  symmetric: ``webhook-id`` (the event id, the same on every attempt),
  ``webhook-timestamp`` (unix seconds of the attempt) and ``webhook-signature: v1,<base64
  HMAC-SHA256 of "<id>.<timestamp>.<raw body>">``, keyed with the secret's bytes (the secret
  is ``whsec_`` + base64 of 32 random bytes). Receivers verify it with the
  ``standardwebhooks`` library or Svix's. New subscriptions use it.
- ``renown-v1`` (legacy): ``Renown-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
  "<t>.<raw body>">`` keyed with the secret's text as it is. Subscriptions made before the
  Standard Webhooks scheme keep it until they are switched.

Either way the timestamp is signed with the body, so a receiver that refuses old
timestamps (five minutes) cannot be fed a captured delivery later.

In: each ATS's own scheme, checked by its connector (``hiring.ats``).

Every comparison is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Renown-Signature"
SCHEME = "v1"

# The schemes a subscription signs with (``renown.models.SignatureScheme`` names them).
STANDARD = "standard"
LEGACY = "renown-v1"
STANDARD_SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
STANDARD_SECRET_BYTES = 32  # the specification asks for 24 to 64


class SignatureError(ValueError):
    """The signature is missing, malformed, wrong or too old; the message says which."""


def new_secret() -> str:
    """A new signing secret: ``whsec_`` + base64 of 32 random bytes (Standard Webhooks' format).

    Both schemes take it: Standard Webhooks keys the HMAC with the decoded bytes, the
    legacy ``Renown-Signature`` with the text as it is.
    """
    return STANDARD_SECRET_PREFIX + base64.b64encode(
        secrets.token_bytes(STANDARD_SECRET_BYTES)
    ).decode("ascii")


def standard_key(secret: str) -> bytes:
    """The HMAC key a Standard Webhooks secret stands for; SignatureError if it has none.

    Decoded exactly as the ``standardwebhooks`` library decodes it (prefix removed,
    lenient base64), so that Renown and a receiver using the library derive the same key
    from the same text.
    """
    text = secret.removeprefix(STANDARD_SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "==")
    except (binascii.Error, ValueError):
        raise SignatureError("the secret is not base64 (whsec_<base64>)") from None
    if not key:
        raise SignatureError("the secret is empty")
    return key


def standard_sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``."""
    if "." in msg_id:  # the specification: the id must not be able to shift the fields
        raise SignatureError("a message id must not contain '.'")
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(standard_key(secret), content, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(
    scheme: str, secret: str, *, msg_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The headers that sign ``body`` under ``scheme`` at ``timestamp`` (default: now).

    ``standard``: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``;
    ``renown-v1``: ``Renown-Signature``. Raises SignatureError for an unknown scheme or a
    secret the scheme cannot use.
    """
    t = int(time.time()) if timestamp is None else int(timestamp)
    if scheme == STANDARD:
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(t),
            "webhook-signature": standard_sign(secret, msg_id, t, body),
        }
    if scheme == LEGACY:
        return {SIGNATURE_HEADER: sign(secret, body, timestamp=t)}
    raise SignatureError(f"unknown signature scheme {scheme!r}")


def _digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The legacy ``Renown-Signature`` header value for ``body`` at ``timestamp`` (default: now)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},{SCHEME}={_digest(secret, str(t).encode() + b'.' + body)}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> int:
    """Check a ``Renown-Signature`` header; return its timestamp, or raise SignatureError.

    ``body`` must be the raw bytes received (not re-serialised JSON). Several
    ``v1=`` entries are accepted (one per secret while a secret is being
    rotated); one matching is enough. A timestamp more than ``tolerance``
    seconds away from ``now`` is refused (a replay, or a badly wrong clock).
    """
    if not header:
        raise SignatureError("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("the timestamp is not a whole number") from None
        elif key == SCHEME:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("the header needs t=<unix seconds> and v1=<hex>")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("the timestamp is outside the tolerance window")
    expected = _digest(secret, str(timestamp).encode() + b"." + body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("the signature does not match")
    return timestamp
