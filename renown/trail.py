"""The audit trail: append events to an organisation's hash chain, verify and export it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router, transaction
from django.db.models import F, Model

from renown.json_types import JSONObject
from renown.models import (
    AUDIT_FORMAT_VERSION,
    AUDIT_GENESIS_HASH,
    ApiToken,
    AuditEvent,
    AuditEventType,
    Organization,
    audit_jsonable,
)

# --- Audit trail -------------------------------------------------------------------

# Namespace of the PostgreSQL advisory locks that serialise writers of one chain.
_AUDIT_LOCK_CLASS = 0x524E41  # "RNA": Renown audit

DEPLOYMENT_CHAIN = "deployment-wide"

AuditActor = AbstractBaseUser | AnonymousUser | ApiToken | str | None
AuditSubject = Model | tuple[str, str] | None


# The lists of the audit_watch blocks running in this thread or task.
_audit_watchers: ContextVar[tuple[list[AuditEvent], ...]] = ContextVar(
    "renown_audit_watchers", default=()
)


@contextmanager
def audit_watch() -> Iterator[list[AuditEvent]]:
    """Collect the events ``audit_record`` appends while the block runs (this thread or task).

    For an interface that calls services which may or may not record their own event
    (the admin): it records its generic event only when the service recorded none, so a
    change is recorded exactly once.
    """
    seen: list[AuditEvent] = []
    token = _audit_watchers.set((*_audit_watchers.get(), seen))
    try:
        yield seen
    finally:
        _audit_watchers.reset(token)


def _audit_actor(actor: AuditActor) -> tuple[AbstractBaseUser | None, str, str]:
    """(user for the foreign key, label, immutable reference) of ``actor``."""
    if actor is None:
        return None, "system", ""
    if isinstance(actor, str):
        if not actor.strip():
            raise ValueError("give the actor a label, e.g. 'ats:greenhouse'")
        return None, actor, ""
    if isinstance(actor, ApiToken):
        if actor.pk is None:
            raise ValueError("an audit event cannot name an unsaved token")
        return None, f"API token {actor.name} (#{actor.pk})", f"token:{actor.pk}"
    if isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return None, "anonymous", ""
    # The id keeps the label unambiguous after the username is reused.
    return actor, f"{actor.get_username()} (#{actor.pk})", f"user:{actor.pk}"


def audit_actor_label(actor: AuditActor) -> str:
    """How the audit trail names an actor: ``username (#id)``, a label, or ``system``."""
    return _audit_actor(actor)[1]


def _audit_subject(subject: AuditSubject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return str(subject[0]), str(subject[1])
    if subject.pk is None:
        raise ValueError("an audit event cannot concern an unsaved object")
    return subject._meta.label_lower, str(subject.pk)


def _audit_chain_lock(using: str, organization: Organization | None) -> None:
    # Two writers must not both read "last is #41" and both append #42. On
    # PostgreSQL a transaction-scoped advisory lock per chain makes the second
    # writer wait until the first commits; READ COMMITTED then shows it #42. An
    # advisory lock rather than SELECT ... FOR UPDATE: the deployment-wide chain has
    # no row to lock, an empty chain has no last event, and FOR UPDATE on the
    # organisation would also block every insert that references it (candidates,
    # jobs) for the rest of the caller's transaction. On SQLite the IMMEDIATE
    # transaction mode (settings) already serialises writers. Everywhere the unique
    # constraints (organization, sequence) and (hash) are the backstop: a writer that
    # raced would fail with IntegrityError, never fork the chain.
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    key = (organization.pk if organization is not None else 0) % 2**31
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", [_AUDIT_LOCK_CLASS, key]
        )


# Events about one person that are recorded one by one even inside a batch: a decision
# about a person is theirs alone (issue 15), as are their erasure, notices and disputes.
PER_PERSON_EVENT_TYPES = frozenset(
    {
        AuditEventType.DECISION_RECORDED,
        AuditEventType.CANDIDATE_ERASED,
        AuditEventType.NOTICE_SENT,
        AuditEventType.DISPUTE_OPENED,
        AuditEventType.DISPUTE_REINVESTIGATED,
        AuditEventType.DISPUTE_RESOLVED,
        AuditEventType.ADVERSE_ACTION_WITHDRAWN,
    }
)


@dataclass
class AuditBatch:
    """What the services called inside one bulk call changed, per organisation's chain.

    ``after`` is the caller's own summary (row counts, the file's name...); it is merged
    into each organisation's event.
    """

    actor: AuditActor
    event_type: AuditEventType
    subject: AuditSubject
    note: str = ""
    after: dict[str, object] = field(default_factory=dict)
    _folded: dict[int | None, tuple[Organization | None, Counter[str], list[str]]] = field(
        default_factory=dict
    )

    def fold(
        self, organization: Organization | None, event_type: str, subject: tuple[str, str]
    ) -> None:
        key = organization.pk if organization is not None else None
        _org, counts, subjects = self._folded.setdefault(key, (organization, Counter(), []))
        counts[event_type] += 1
        if subject != ("", ""):
            subjects.append(f"{subject[0]}:{subject[1]}")

    def events(self) -> Iterator[tuple[Organization | None, dict[str, object]]]:
        """Per chain: (organisation, the event's ``after``: counts and a digest of the ids)."""
        for organization, counts, subjects in self._folded.values():
            unique = sorted(set(subjects))
            digest = hashlib.sha256("\n".join(unique).encode()).hexdigest()
            yield (
                organization,
                {
                    **self.after,
                    "counts": dict(sorted(counts.items())),
                    "objects": len(unique),
                    "objects_sha256": digest,
                },
            )


_OPEN_BATCH: ContextVar[AuditBatch | None] = ContextVar("renown_audit_batch", default=None)


@contextmanager
def audit_batch(
    *,
    actor: AuditActor,
    event_type: AuditEventType | str,
    subject: AuditSubject = None,
    note: str = "",
) -> Iterator[AuditBatch]:
    """One audit event per bulk call instead of one per object (issue 15's rule).

    Inside the block, every ``audit_record`` call is folded into the batch, except the
    per-person events (``PER_PERSON_EVENT_TYPES``: decisions, erasures, notices,
    disputes), which are still recorded one by one. When the block ends without an
    exception, each organisation whose objects changed gets one ``event_type`` event
    whose ``after`` holds the counts per folded event type, the number of objects and a
    SHA-256 over their sorted ``type:id`` list (``after`` of the batch is merged in).
    The block is one transaction: the changes and their event commit together or not
    at all. A batch opened inside another joins it. Nothing changed: no event.
    """
    open_batch = _OPEN_BATCH.get()
    if open_batch is not None:
        yield open_batch
        return
    batch = AuditBatch(
        actor=actor, event_type=AuditEventType(event_type), subject=subject, note=note
    )
    with transaction.atomic():
        token = _OPEN_BATCH.set(batch)
        try:
            yield batch
        finally:
            _OPEN_BATCH.reset(token)
        for organization, after in batch.events():
            audit_record(
                organization=organization,
                actor=batch.actor,
                event_type=batch.event_type,
                subject=batch.subject,
                after=after,
                note=batch.note,
            )


def audit_record(
    *,
    organization: Organization | None,
    actor: AuditActor,
    event_type: AuditEventType | str,
    subject: AuditSubject,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    note: str = "",
) -> AuditEvent | None:
    """Append an event to the organisation's audit chain (``None``: the deployment-wide one).

    Call it inside the transaction that makes the change, so that the event
    commits or rolls back with it (a rolled-back event leaves no gap). On
    PostgreSQL the chain stays locked until that transaction ends: record the
    event near its end. ``actor`` is a user, an ``ApiToken`` (a call made with it),
    a label for a non-user actor (``"ats:greenhouse"``) or None for the system; the
    event hashes its label and its immutable reference (``user:<id>``,
    ``token:<id>``). ``subject`` is a saved model instance or ``(type, id)``.
    ``before``/``after`` are stored as plain JSON (Decimals and floats as strings,
    datetimes ISO 8601 UTC). Inside ``audit_batch`` the event is folded into the batch's
    one event and None is returned (per-person events excepted).

    Raises ValueError for an unknown event type, an unsaved subject, a naive
    datetime; TypeError for a value JSON cannot hold.
    """
    event_type = AuditEventType(event_type)
    actor_user, actor_label, actor_ref = _audit_actor(actor)
    subject_type, subject_id = _audit_subject(subject)
    batch = _OPEN_BATCH.get()
    if batch is not None and event_type not in PER_PERSON_EVENT_TYPES:
        batch.fold(organization, event_type, (subject_type, subject_id))
        return None
    before_json = audit_jsonable(before) if before is not None else None
    after_json = audit_jsonable(after) if after is not None else None
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using):
        _audit_chain_lock(using, organization)
        last = (
            AuditEvent.objects.using(using)
            .filter(organization=organization)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, AUDIT_GENESIS_HASH)
        event = AuditEvent(
            organization=organization,
            sequence=sequence,
            occurred_at=datetime.now(tz=UTC),
            actor_id=actor_user.pk if actor_user is not None else None,
            actor_label=actor_label,
            actor_ref=actor_ref,
            format_version=AUDIT_FORMAT_VERSION,
            event_type=event_type,
            subject_type=subject_type,
            subject_id=subject_id,
            before=before_json,
            after=after_json,
            note=note,
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        event.save(using=using)
    for seen in _audit_watchers.get():
        seen.append(event)
    return event


@dataclass(frozen=True)
class AuditChainStatus:
    """The verification of one chain: how far it holds and, if broken, where first."""

    chain: str  # the organisation's slug, or DEPLOYMENT_CHAIN
    events: int  # events read, up to and including the first broken one
    head_sequence: int  # the last intact event (0: none)
    head_hash: str
    broken_sequence: int | None = None
    broken_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_sequence is None


def _audit_chain_verify(organization_id: int | None, label: str) -> AuditChainStatus:
    expected, prev_hash, count = 1, AUDIT_GENESIS_HASH, 0
    chain = (
        AuditEvent.objects.filter(organization__isnull=True)
        if organization_id is None
        else AuditEvent.objects.filter(organization_id=organization_id)
    )
    events = chain.order_by("sequence").iterator(chunk_size=2000)
    for event in events:
        count += 1
        if event.sequence != expected:
            problem = (
                f"sequence gap: expected #{expected}, found #{event.sequence}"
                " (events removed or inserted)"
            )
        elif event.compute_hash() != event.hash:
            problem = (
                "hash mismatch: the stored fields no longer produce the stored hash (event edited)"
            )
        elif event.prev_hash != prev_hash:
            problem = (
                f"prev_hash mismatch: it is not the hash of #{expected - 1}"
                " (events removed, inserted or re-hashed)"
            )
        else:
            expected, prev_hash = expected + 1, event.hash
            continue
        return AuditChainStatus(
            chain=label,
            events=count,
            head_sequence=expected - 1,
            head_hash=prev_hash,
            broken_sequence=event.sequence,
            broken_id=event.pk,
            problem=problem,
        )
    return AuditChainStatus(
        chain=label, events=count, head_sequence=expected - 1, head_hash=prev_hash
    )


def audit_trail_verify(*, organization: Organization | None = None) -> list[AuditChainStatus]:
    """Recompute every audit chain from its first event (only ``organization``'s if given).

    Read-only. Per chain, reports the first event whose sequence leaves a gap
    (rows removed or inserted), whose hash does not match its fields (edited)
    or whose prev_hash is not the previous event's hash. Removing the newest
    events of a chain leaves no trace in the chain itself: compare the reported
    heads with ones kept elsewhere (an export, the last audit report).
    """
    if organization is not None:
        return [_audit_chain_verify(organization.pk, organization.slug)]
    chains: list[tuple[int | None, str]] = list(
        Organization.objects.filter(audit_events__isnull=False)
        .distinct()
        .order_by("slug")
        .values_list("pk", "slug")
    )
    if AuditEvent.objects.filter(organization__isnull=True).exists():
        chains.append((None, DEPLOYMENT_CHAIN))
    return [_audit_chain_verify(org_id, label) for org_id, label in chains]


def audit_trail_export(
    *, organization: Organization | None = None
) -> Generator[JSONObject, None, None]:
    """Every audit event (only ``organization``'s if given) as plain data, chain by chain.

    Each row holds ``hash_payload()`` (exactly what the hash covers), so a
    reader can recompute every hash outside Renown, plus ``hash``, the
    organisation's slug and the acting user's id (neither hashed).
    """
    events = AuditEvent.objects.select_related("organization").order_by(
        F("organization_id").asc(nulls_first=True), "sequence"
    )
    if organization is not None:
        events = events.filter(organization=organization)
    for event in events.iterator(chunk_size=2000):
        yield {
            **event.hash_payload(),
            "organization_slug": event.organization.slug if event.organization else None,
            "actor_id": event.actor_id,
            "hash": event.hash,
        }
