"""Webhook signatures, both ways (pure: no database, no Django).

Out: ``Renown-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
with the subscription's secret. The timestamp is signed with the body, so a
receiver that refuses old timestamps (``verify(..., tolerance=300)``) cannot be
fed a captured delivery later.

In: Greenhouse's ``Signature: sha256 <hex HMAC-SHA256 of the raw body>`` with the
organisation's Greenhouse secret.

Every comparison is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Renown-Signature"
SCHEME = "v1"


class SignatureError(ValueError):
    """The signature is missing, malformed, wrong or too old; the message says which."""


def new_secret() -> str:
    """A new signing secret: 32 random bytes, URL-safe text prefixed ``whsec_``."""
    return "whsec_" + secrets.token_urlsafe(32)


def _digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The ``Renown-Signature`` header value for ``body`` at ``timestamp`` (default: now)."""
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


def greenhouse_signature(secret: str, body: bytes) -> str:
    """Greenhouse's ``Signature`` header value for ``body``: ``sha256 <hex>``."""
    return f"sha256 {_digest(secret, body)}"


def greenhouse_verify(secret: str, body: bytes, header: str | None) -> None:
    """Check Greenhouse's ``Signature: sha256 <hex>`` header; raise SignatureError if it fails.

    The HMAC covers the raw body exactly as received (Greenhouse escapes
    non-ASCII characters before signing, so the bytes must not be re-encoded).
    """
    if not header:
        raise SignatureError("no Signature header")
    algorithm, sep, given = header.strip().partition(" ")
    if not sep or algorithm.lower() != "sha256" or not given.strip():
        raise SignatureError("the Signature header is not 'sha256 <hex>'")
    if not hmac.compare_digest(_digest(secret, body), given.strip().lower()):
        raise SignatureError("the signature does not match")
