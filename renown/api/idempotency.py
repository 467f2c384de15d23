"""``Idempotency-Key`` on POST: one request per key runs; the others get its response.

The key (per token or user, ``Principal.owner_key``) is *reserved* before the
view runs: a row in state ``running`` is inserted in its own short transaction,
so the unique constraint on (owner, key) lets exactly one of any number of
concurrent requests through. What the others get:

- the same request while the first still runs: 409 ``idempotency-key-in-progress``
  with ``Retry-After`` (they never wait for it, and never run);
- the same request once the first finished: its response, replayed
  (``Idempotent-Replayed: true``) for ``RENOWN_API_IDEMPOTENCY_TTL_HOURS`` (24);
- another body or endpoint with the key: 422 ``idempotency-key-reused``.

When the view answers below 500 the response is kept (validation errors too: the
same body fails the same way). When it crashes or answers 5xx the reservation is
released, so a retry with the key runs (Stripe does the same for errors it did
not finish processing). A reservation whose request died without releasing it (a
killed worker) is taken over after ``RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS``
(60, twice gunicorn's default 30-second worker timeout) by one conditional UPDATE;
a request that outlives its reservation then cannot store its response over the
one that took it over.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.request import Request

from renown import conf
from renown.api.access import Principal
from renown.models import IdempotencyKey, IdempotencyState

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# How soon a duplicate of a running request is told to ask again: most requests
# finish well within a second, and the retry then gets the replay.
IN_PROGRESS_RETRY_AFTER_SECONDS = 1


class IdempotencyProblem(Exception):
    """A request the key refuses: answered as a problem with ``status`` and ``slug``."""

    status = 400
    slug = ""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers: dict[str, str] = {}


class KeyInvalid(IdempotencyProblem):
    """The header is no usable key (over ``MAX_KEY_LENGTH`` characters)."""

    status = 400
    slug = "idempotency-key-invalid"


class KeyReused(IdempotencyProblem):
    """The key was used before with a different body or on another endpoint."""

    status = 422
    slug = "idempotency-key-reused"


class KeyInProgress(IdempotencyProblem):
    """The same request with this key is running now: ask again after ``Retry-After``."""

    status = 409
    slug = "idempotency-key-in-progress"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = str(retry_after)


class Replay(Exception):
    """Carries the stored response of an earlier request with the same key."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


@dataclass(frozen=True)
class Reservation:
    """The key this request holds: only its holder may finish or release it."""

    pk: int
    reservation: str


def _ttl() -> timedelta:
    return timedelta(hours=int(conf.get("RENOWN_API_IDEMPOTENCY_TTL_HOURS")))


def _reservation_timeout() -> timedelta:
    seconds = int(conf.get("RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS"))
    return timedelta(seconds=seconds)


def request_digest(request: Request) -> str:
    """SHA-256 over the method, the path and the raw body."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request._request.body)
    return digest.hexdigest()


class _ReservedFields(TypedDict):
    """The columns of an ``IdempotencyKey`` row as a reservation writes them."""

    method: str
    path: str
    request_digest: str
    state: IdempotencyState
    reservation: str
    reserved_until: datetime
    status_code: int | None
    body: bytes
    content_type: str
    created_at: datetime
    expires_at: datetime


def _reserved_fields(request: Request, digest: str, now: datetime) -> _ReservedFields:
    reserved_until = now + _reservation_timeout()
    return {
        "method": request.method or "",
        "path": request.path[:500],
        "request_digest": digest,
        "state": IdempotencyState.RUNNING,
        "reservation": secrets.token_hex(16),
        "reserved_until": reserved_until,
        "status_code": None,
        "body": b"",
        "content_type": "",
        "created_at": now,
        # Never forgotten while it may still be running.
        "expires_at": max(now + _ttl(), reserved_until),
    }


def idempotency_reserve(request: Request, principal: Principal) -> Reservation | None:
    """Reserve the key of a POST that carries one, before its view runs; None without a key.

    Raises KeyInvalid (the header is too long), KeyReused (the key went with another
    request), KeyInProgress (the same request is running now) or Replay (it finished:
    its response). Call before the body is parsed (the digest reads the raw body) and
    outside any transaction, so the reservation is committed at once.
    """
    key = request.headers.get(HEADER, "").strip()
    if request.method != "POST" or not key:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise KeyInvalid(
            f"An {HEADER} is at most {MAX_KEY_LENGTH} characters; this one has {len(key)}."
        )
    digest = request_digest(request)
    owner = principal.owner_key
    # Each pass either wins or learns the key's state; the state can change between
    # the failed insert and the read (released, taken over), hence a few passes.
    for _ in range(3):
        now = timezone.now()
        fields = _reserved_fields(request, digest, now)
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(owner=owner, key=key, **fields)
        except IntegrityError:
            pass
        else:
            return Reservation(row.pk, fields["reservation"])
        stored = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if stored is None:
            continue  # released (or purged) since the insert: try again
        running = stored.state == IdempotencyState.RUNNING
        forgotten = stored.expires_at <= now or (running and stored.reserved_until <= now)
        if forgotten:
            # Expired, or its request died: take it over, unless another request
            # (or the holder, finishing) changed the row first.
            taken = IdempotencyKey.objects.filter(
                pk=stored.pk, reservation=stored.reservation, state=stored.state
            ).update(**fields)
            if taken:
                return Reservation(stored.pk, fields["reservation"])
            continue
        if stored.request_digest != digest:
            raise KeyReused(
                f"This {HEADER} was used with a different request; use a new key for a new request."
            )
        if running:
            raise KeyInProgress(
                f"A request with this {HEADER} is still running; ask again with the same key "
                "to get its response.",
                retry_after=IN_PROGRESS_RETRY_AFTER_SECONDS,
            )
        response = HttpResponse(
            bytes(stored.body), status=stored.status_code, content_type=stored.content_type
        )
        response["Idempotent-Replayed"] = "true"
        raise Replay(response)
    raise KeyInProgress(
        f"Other requests with this {HEADER} are changing it; ask again.",
        retry_after=IN_PROGRESS_RETRY_AFTER_SECONDS,
    )


def idempotency_finish(reservation: Reservation, response: HttpResponse) -> None:
    """Keep the rendered response for the key; a 5xx releases the key instead.

    Nothing is kept when the reservation was taken over meanwhile (this request
    outlived ``RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS``): a warning is logged.
    """
    if response.status_code >= 500:
        idempotency_release(reservation)
        return
    now = timezone.now()
    # Expired keys go as new ones come (an indexed range delete): the table stays small.
    IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    kept = IdempotencyKey.objects.filter(
        pk=reservation.pk, reservation=reservation.reservation, state=IdempotencyState.RUNNING
    ).update(
        state=IdempotencyState.DONE,
        status_code=response.status_code,
        body=response.content,
        content_type=response.get("Content-Type", "application/json"),
        expires_at=now + _ttl(),
    )
    if not kept:
        logger.warning(
            "Idempotency key %s outlived its reservation and was taken over; "
            "its response was not kept",
            reservation.pk,
        )


def idempotency_release(reservation: Reservation) -> None:
    """Free the key (the request crashed or answered 5xx) so a retry with it runs.

    A database that cannot be reached now leaves the reservation to expire.
    """
    try:
        IdempotencyKey.objects.filter(
            pk=reservation.pk, reservation=reservation.reservation, state=IdempotencyState.RUNNING
        ).delete()
    except DatabaseError:
        logger.exception(
            "Idempotency key %s could not be released; it frees itself when its reservation ends",
            reservation.pk,
        )
