"""Access (GDPR Art. 15), erasure (Art. 17) and retention.

``candidate_export`` returns every row Renown holds about a candidate, section by
section: each app registers its own sections (``renown.privacy``; a test fails
when a model that points at a candidate is in none, or in another app's).

``candidate_erase`` erases each section as its app said: the profile data goes
at once (accounts and their raw snapshots, scores, vendor scores, flags,
evidence, self-identification, links, queued webhooks); what the law makes the
employer keep stays, pseudonymised, for as long as it must: decision records
for one year (29 CFR 1602.14) and the screenings (the system's logs) for six
months (EU AI Act Art. 26(6)). ``retention_purge`` deletes them when the hold
ends.

The audit trail is append-only and hash-chained; it is never edited here. Its
events name a candidate only by the random ``public_id`` (never a name, an
e-mail or an ATS id), so once the candidate row is gone the trail holds no
personal data; the erasure itself is appended as a ``candidate.erased`` event,
which keeps ``verify_audit_trail`` intact.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from candidates.models import Candidate, CandidateNotice
from hiring.models import AdverseAction, Application, Decision, Screening
from hiring.privacy import conf
from hiring.privacy.models import ErasedCandidateTombstone, RetentionHold
from renown import privacy
from renown.json_types import JSONObject, JSONValue
from renown.models import AuditEventType, EventType
from renown.trail import AuditActor, audit_record
from renown.webhooks import services as webhook_services
from renown.webhooks.events import CandidateErasedData
from scoring import readings
from scoring.models import MetricSnapshot

# --- access ------------------------------------------------------------------------


def _jsonable(value: object) -> JSONValue:
    loaded: JSONValue = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return loaded


def candidate_export(candidate: Candidate) -> JSONObject:
    """Every piece of data Renown holds on the candidate, as JSON-ready data (GDPR Art. 15).

    ``{"exported_at": ..., "candidate": {...}, "<section>": [rows], ...}`` with one
    key per registered section (``renown.privacy.sections()``, in registration
    order): every stored field of every row (raw provider snapshots included),
    the self-identification too (it is the candidate's own answer), and the
    audit events about the candidate or their decisions. Read-only.
    """
    export: dict[str, object] = {
        "exported_at": timezone.now(),
        "candidate": {**privacy.row_fields(candidate), "organization": candidate.organization.slug},
    }
    for section in privacy.sections():
        rows = section.rows(candidate).order_by(*section.order_by)
        export[section.name] = [section.serialize(obj) for obj in rows]
    exported = _jsonable(export)
    if not isinstance(exported, dict):
        raise TypeError("an export is a JSON object")
    # dict[str, Any]: its callers read sections by name, each a list of rows.
    return exported


# --- erasure -------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure did: rows deleted per kind, and the hold on what had to stay."""

    candidate_public_id: str
    deleted: dict[str, int]
    hold_until: datetime | None  # None: nothing had to stay, the candidate row is gone too
    already_erased: bool = False


class HoldBasis(TypedDict):
    """One legal rule that keeps part of an erased candidate (``RetentionHold.basis``)."""

    rule: str
    records: list[str]
    until: datetime


def _hold_basis(candidate: Candidate) -> list[HoldBasis]:
    """The retention rules that apply to what is left of the candidate, each with its end."""
    record_days = timedelta(days=int(conf.get("RENOWN_RETENTION_EMPLOYMENT_RECORD_DAYS")))
    log_days = timedelta(days=int(conf.get("RENOWN_RETENTION_AI_LOG_DAYS")))
    latest: dict[str, datetime | None] = {
        "decisions": Decision.objects.filter(candidate=candidate).aggregate(m=Max("decided_at"))[
            "m"
        ],
        "adverse_actions": AdverseAction.objects.filter(candidate=candidate).aggregate(
            m=Max("updated_at")
        )["m"],
        "applications": Application.objects.filter(candidate=candidate).aggregate(
            m=Max("created_at")
        )["m"],
    }
    screened = Screening.objects.filter(candidate=candidate).aggregate(m=Max("evaluated_at"))["m"]
    basis: list[HoldBasis] = []
    records = [name for name, when in latest.items() if when is not None]
    if records:
        last = max(when for when in latest.values() if when is not None)
        # The notices and authorisations on record document the lawful basis of what
        # was done: kept with those records, never a reason for a hold on their own.
        if CandidateNotice.objects.filter(candidate=candidate).exists():
            records.append("notices")
        basis.append(
            {
                "rule": "29 CFR 1602.14 (employment records: one year)",
                "records": records,
                "until": last + record_days,
            }
        )
    if screened is not None:
        basis.append(
            {
                "rule": "EU AI Act Art. 26(6) (logs of a high-risk AI system: six months)",
                "records": ["screenings"],
                "until": screened + log_days,
            }
        )
    return basis


def erasure_holds(candidate: Candidate, now: datetime | None = None) -> list[HoldBasis]:
    """What an erasure now would keep, and until when (what the candidate is told first)."""
    now = now or timezone.now()
    return [entry for entry in _hold_basis(candidate) if entry["until"] > now]


def _pseudonymise(candidate: Candidate, pseudonym: privacy.Pseudonym, now: datetime) -> None:
    for section in privacy.sections():
        if section.erase == "keep" and section.pseudonymise is not None:
            section.pseudonymise(section.rows(candidate), pseudonym)
    candidate.name = pseudonym.label
    # The public id is what every integration holds: the kept record gets a new one, so
    # nothing kept links back to the person (the trail's candidate.erased names the old).
    candidate.public_id = uuid.uuid4()
    candidate.email = ""
    candidate.external_id = ""
    candidate.ats_source = ""
    candidate.region = ""  # the country stays: it decides which law's retention applies
    candidate.erased_at = now
    candidate.save(
        update_fields=[
            "name",
            "public_id",
            "email",
            "external_id",
            "ats_source",
            "region",
            "erased_at",
        ]
    )


def _erase_sections(candidate: Candidate) -> dict[str, int]:
    """Erase every section as its app registered; return the rows deleted per section."""
    registered = privacy.sections()
    # Counted before anything goes: deleting a row can cascade into another section's.
    deleted = {s.name: s.rows(candidate).count() for s in registered if s.erase == "delete"}
    # Upper apps' rows point at lower apps' (and go first), as in the layers.
    for section in reversed(registered):
        if section.erase == "delete":
            section.rows(candidate).delete()
        elif callable(section.erase):
            section.erase(candidate)
    return deleted


def candidate_erase(
    *, candidate: Candidate, actor: AuditActor, now: datetime | None = None
) -> ErasureResult:
    """Erase the candidate's profile data (GDPR Art. 17) and emit ``candidate.erased``.

    Erases each registered section (``renown.privacy``) as its app said. Deletes
    at once: social accounts with their snapshots (the raw provider payloads),
    scores, vendor scores, anomaly flags, offline evidence, self-identification,
    links, and webhook deliveries about the candidate. What the employer must
    keep (decisions, adverse actions and their notices, applications, notices of
    consent: one year, 29 CFR 1602.14; screenings: six months, EU AI Act Art.
    26(6)) stays under a ``RetentionHold``, with name, e-mail, ATS ids and
    handles replaced by a pseudonym; when nothing must be kept (or every period
    is already over) the candidate is deleted entirely. The erasure is appended
    to the audit trail, and a tombstone (``ErasedCandidateTombstone``: the public id
    and the time) tells the API's ``updated_after`` readers. Idempotent: erasing an
    erased candidate changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .select_related("organization")
            .get(pk=candidate.pk)
        )
        public_id = str(candidate.public_id)
        if candidate.erased_at is not None:
            hold = RetentionHold.objects.filter(candidate=candidate).first()
            return ErasureResult(
                public_id, {}, hold.hold_until if hold else None, already_erased=True
            )
        organization = candidate.organization
        ref = webhook_services.candidate_ref(candidate)
        identifiers = [candidate.name, candidate.email, candidate.external_id]
        for section in privacy.sections():
            if section.identifiers is not None:
                identifiers += section.identifiers(section.rows(candidate))
        deleted = _erase_sections(candidate)
        basis = erasure_holds(candidate, now)
        hold_until = max((entry["until"] for entry in basis), default=None)
        if hold_until is not None:
            # A random label, not derived from the public id: it must not lead back to it.
            pseudonym = privacy.Pseudonym(
                f"Erased candidate {secrets.token_hex(4)}",
                tuple(i for i in [*identifiers, public_id] if i),
            )
            _pseudonymise(candidate, pseudonym, now)
            RetentionHold.objects.create(
                candidate=candidate,
                organization=organization,
                erased_at=now,
                erased_by_label=_actor_label(actor),
                hold_until=hold_until,
                basis=_jsonable(basis),
            )
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.CANDIDATE_ERASED,
            subject=(Candidate._meta.label_lower, str(candidate.pk)),
            after={
                "candidate": public_id,
                "deleted": deleted,
                "hold_until": hold_until,
                "kept": [record for entry in basis for record in entry["records"]],
            },
            note="erasure request (GDPR Art. 17)",
        )
        erased: CandidateErasedData = {
            "candidate": ref,
            "erased_at": now,
            "retention_hold_until": hold_until,
        }
        webhook_services.event_emit(organization, EventType.CANDIDATE_ERASED, erased)
        # What a client syncing with updated_after reads instead of the candidate: the id
        # it holds (the kept record has a new one) and when it was erased.
        ErasedCandidateTombstone.objects.create(
            organization=organization, public_id=public_id, erased_at=now
        )
        if hold_until is None:
            candidate.delete()
    return ErasureResult(public_id, deleted, hold_until)


def _actor_label(actor: AuditActor) -> str:
    from renown.trail import audit_actor_label

    return audit_actor_label(actor)


# --- retention -----------------------------------------------------------------------


def retention_purge(*, now: datetime | None = None) -> int:
    """Delete erased candidates whose retention hold has ended (and with them every record).

    Each purge is appended to the organisation's audit trail. Returns how many
    candidates were purged. Run by celery beat.
    """
    now = now or timezone.now()
    purged = 0
    for hold in RetentionHold.objects.filter(hold_until__lte=now).select_related(
        "candidate", "organization"
    )[:1000]:
        with transaction.atomic():
            candidate = hold.candidate
            public_id = str(candidate.public_id)
            audit_record(
                organization=hold.organization,
                actor=None,
                event_type=AuditEventType.CANDIDATE_ERASED,
                subject=(Candidate._meta.label_lower, str(candidate.pk)),
                after={"candidate": public_id, "hold_until": hold.hold_until, "purged": True},
                note="retention hold ended: the records kept after the erasure are deleted",
            )
            candidate.delete()
            purged += 1
    return purged


def tombstones_purge(*, now: datetime | None = None) -> int:
    """Delete erasure tombstones older than RENOWN_ERASURE_TOMBSTONE_DAYS; return how many.

    Run by celery beat with the retention purge.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.get("RENOWN_ERASURE_TOMBSTONE_DAYS")))
    deleted, _ = ErasedCandidateTombstone.objects.filter(erased_at__lt=cutoff).delete()
    return deleted


def snapshots_purge(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete raw provider snapshots older than RENOWN_SNAPSHOT_RETENTION_DAYS; return how many.

    Scores keep their explanations and the ids of the snapshots they used.
    Deletes in batches so that no transaction grows large. Run by celery beat.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.get("RENOWN_SNAPSHOT_RETENTION_DAYS")))
    total = 0
    while True:
        ids = list(
            MetricSnapshot.objects.filter(observed_at__lt=cutoff).values_list("pk", flat=True)[
                :batch
            ]
        )
        if not ids:
            # The raw metrics' latest readings whose snapshots are all gone with them.
            readings.readings_purged(before=cutoff)
            return total
        deleted, _ = MetricSnapshot.objects.filter(pk__in=ids).delete()
        total += deleted
