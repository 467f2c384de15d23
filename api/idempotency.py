"""``Idempotency-Key`` on POST: the same key and body replay the first response.

Keys are kept per token or user (``Principal.owner_key``) for
``RENOWN_API_IDEMPOTENCY_TTL_HOURS`` (24). The same key with a different body (or
on another endpoint) is refused with 422. Only responses below 500 are kept: a
crash may be retried.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.request import Request

from api.access import Principal
from api.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class Replay(Exception):
    """Carries the stored response of an earlier request with the same key."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


class KeyReused(Exception):
    """The key was used before with a different body or on another endpoint."""


def _ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "RENOWN_API_IDEMPOTENCY_TTL_HOURS", 24)))


def request_digest(request: Request) -> str:
    """SHA-256 over the method, the path and the raw body."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request._request.body)
    return digest.hexdigest()


def idempotency_check(request: Request, principal: Principal) -> tuple[str, str] | None:
    """(key, request digest) of a POST that carries a key; Replay or KeyReused for a used one.

    Call before the body is parsed (the digest reads the raw body).
    """
    key = request.headers.get(HEADER, "").strip()
    if request.method != "POST" or not key:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise KeyReused(f"An {HEADER} is at most {MAX_KEY_LENGTH} characters.")
    digest = request_digest(request)
    stored = IdempotencyKey.objects.filter(
        owner=principal.owner_key, key=key, expires_at__gt=timezone.now()
    ).first()
    if stored is None:
        return key, digest
    if stored.request_digest != digest:
        raise KeyReused(
            f"This {HEADER} was used with a different request; use a new key for a new request."
        )
    response = HttpResponse(
        bytes(stored.body), status=stored.status_code, content_type=stored.content_type
    )
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def idempotency_store(
    request: Request, principal: Principal, key: str, digest: str, response: HttpResponse
) -> None:
    """Keep the rendered response for the key (the first one wins a race)."""
    if response.status_code >= 500:
        return
    now = timezone.now()
    # Expired keys go as new ones come (an indexed range delete): the table stays small.
    IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                owner=principal.owner_key,
                key=key,
                method=request.method or "",
                path=request.path[:500],
                request_digest=digest,
                status_code=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", "application/json"),
                created_at=now,
                expires_at=now + _ttl(),
            )
    except IntegrityError:
        pass  # a concurrent request with the same key stored its response first
