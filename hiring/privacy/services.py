"""Access (GDPR Art. 15), erasure (Art. 17) and retention.

``candidate_export`` returns every row Renown holds about a candidate, model by
model (``EXPORT_SECTIONS`` lists them; a test fails when a model that points
at a candidate is missing from it).

``candidate_erase`` deletes the profile data at once (accounts and their raw
snapshots, scores, vendor scores, flags, evidence, self-identification, links,
queued webhooks) and keeps only what the law makes the employer keep, for as
long as it must, pseudonymised: decision records for one year (29 CFR
1602.14) and the screenings (the system's logs) for six months (EU AI Act Art.
26(6)). ``retention_purge`` deletes them when the hold ends.

The audit trail is append-only and hash-chained; it is never edited here. Its
events name a candidate only by the random ``public_id`` (never a name, an
e-mail or an ATS id), so once the candidate row is gone the trail holds no
personal data; the erasure itself is appended as a ``candidate.erased`` event,
which keeps ``verify_audit_trail`` intact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateNotice,
    CandidateView,
    ReputationEvidence,
    SelfIdentification,
    SocialAccount,
)
from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.models import (
    AdverseAction,
    AdverseActionNotice,
    Application,
    Decision,
    Dispute,
    Screening,
)
from hiring.privacy import conf
from hiring.privacy.models import RetentionHold
from renown.models import AuditEvent, AuditEventType, EventType, WebhookDelivery
from renown.trail import AuditActor, audit_record
from renown.webhooks import services as webhook_services
from scoring.models import AnomalyFlag, LatestScore, MetricSnapshot, Score, VendorScore

# --- access ------------------------------------------------------------------------


def _deliveries(candidate: Candidate) -> QuerySet[WebhookDelivery]:
    # A multi-candidate event (a screening run) names the candidate only in its body.
    return WebhookDelivery.objects.filter(
        Q(candidate_public_id=candidate.public_id)
        | Q(organization_id=candidate.organization_id, body__contains=str(candidate.public_id))
    )


# section name -> (model, the candidate's rows). Every model with a foreign key to
# Candidate, or to one of these models' rows about the candidate, is listed here.
EXPORT_SECTIONS: dict[str, tuple[type[models.Model], Callable[[Candidate], QuerySet[Any]]]] = {
    "notices": (CandidateNotice, lambda c: CandidateNotice.objects.filter(candidate=c)),
    # Who looked at the candidate's page (an access log: kept with a hold, as accountability).
    "page_views": (CandidateView, lambda c: CandidateView.objects.filter(candidate=c)),
    "accounts": (SocialAccount, lambda c: SocialAccount.objects.filter(candidate=c)),
    "snapshots": (MetricSnapshot, lambda c: MetricSnapshot.objects.filter(account__candidate=c)),
    "evidence": (ReputationEvidence, lambda c: ReputationEvidence.objects.filter(candidate=c)),
    "self_identification": (
        SelfIdentification,
        lambda c: SelfIdentification.objects.filter(candidate=c),
    ),
    "scores": (Score, lambda c: Score.objects.filter(candidate=c)),
    "latest_scores": (LatestScore, lambda c: LatestScore.objects.filter(candidate=c)),
    "vendor_scores": (VendorScore, lambda c: VendorScore.objects.filter(candidate=c)),
    "flags": (AnomalyFlag, lambda c: AnomalyFlag.objects.filter(candidate=c)),
    "applications": (Application, lambda c: Application.objects.filter(candidate=c)),
    "screenings": (Screening, lambda c: Screening.objects.filter(candidate=c)),
    "decisions": (Decision, lambda c: Decision.objects.filter(candidate=c)),
    "adverse_actions": (AdverseAction, lambda c: AdverseAction.objects.filter(candidate=c)),
    "disputes": (Dispute, lambda c: Dispute.objects.filter(adverse_action__candidate=c)),
    "adverse_action_notices": (
        AdverseActionNotice,
        lambda c: AdverseActionNotice.objects.filter(adverse_action__candidate=c),
    ),
    "links": (CandidateLink, lambda c: CandidateLink.objects.filter(candidate=c)),
    "webhook_deliveries": (WebhookDelivery, _deliveries),
    "inbound_deliveries": (InboundDelivery, lambda c: InboundDelivery.objects.filter(candidate=c)),
    "retention_hold": (RetentionHold, lambda c: RetentionHold.objects.filter(candidate=c)),
}

# Fields never exported: secrets of the organisation, not data about the person.
_NEVER_EXPORTED = frozenset({"secret"})


def _row(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in _NEVER_EXPORTED
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _audit_events(candidate: Candidate) -> QuerySet[AuditEvent]:
    subjects = Q(subject_type=Candidate._meta.label_lower, subject_id=str(candidate.pk))
    for model in (Decision, AdverseAction, Dispute):
        label = model._meta.label_lower
        ids = [str(pk) for pk in model.objects.filter(_owner_q(model, candidate)).values_list("pk", flat=True)]  # fmt: skip
        if ids:
            subjects |= Q(subject_type=label, subject_id__in=ids)
    subjects |= Q(after__candidate=str(candidate.public_id))
    return AuditEvent.objects.filter(subjects, organization_id=candidate.organization_id).order_by(
        "sequence"
    )


def _owner_q(model: type[models.Model], candidate: Candidate) -> Q:
    """The filter from ``model`` to the candidate's rows (direct, or through an adverse action)."""
    if model is Dispute:
        return Q(adverse_action__candidate=candidate)
    return Q(candidate=candidate)


def candidate_export(candidate: Candidate) -> dict[str, Any]:
    """Every piece of data Renown holds on the candidate, as JSON-ready data (GDPR Art. 15).

    ``{"candidate": {...}, "<section>": [rows], ..., "audit_events": [...]}`` with
    every stored field of every row (raw provider snapshots included), the
    self-identification too (it is the candidate's own answer), and the audit
    events about the candidate or their decisions. Read-only.
    """
    export: dict[str, Any] = {
        "exported_at": timezone.now(),
        "candidate": {**_row(candidate), "organization": candidate.organization.slug},
    }
    for name, (_, rows) in EXPORT_SECTIONS.items():
        export[name] = [_row(obj) for obj in rows(candidate).order_by("pk")]
    for delivery in export["webhook_deliveries"]:
        if delivery["candidate_public_id"] is None:
            # An event about many candidates (a screening run): the body names the others.
            delivery["body"] = None
            delivery["body_withheld"] = "the event also describes other candidates"
    export["audit_events"] = [
        {**event.hash_payload(), "hash": event.hash} for event in _audit_events(candidate)
    ]
    return dict(_jsonable(export))


# --- erasure -------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure did: rows deleted per kind, and the hold on what had to stay."""

    candidate_public_id: str
    deleted: dict[str, int]
    hold_until: datetime | None  # None: nothing had to stay, the candidate row is gone too
    already_erased: bool = False


def _hold_basis(candidate: Candidate) -> list[dict[str, Any]]:
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
    basis = []
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


def _scrub(text: str, secrets: Iterable[str], pseudonym: str) -> str:
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, pseudonym)
    return text


def _pseudonymise(candidate: Candidate, identifiers: list[str], now: datetime) -> None:
    pseudonym = f"Erased candidate {str(candidate.public_id)[:8]}"
    for notice in AdverseActionNotice.objects.filter(adverse_action__candidate=candidate):
        notice.recipient = "erased@erased.invalid"
        notice.subject = _scrub(notice.subject, identifiers, pseudonym)
        notice.body_text = _scrub(notice.body_text, identifiers, pseudonym)
        notice.body_html = _scrub(notice.body_html, identifiers, pseudonym)
        # content_sha256 stays: it proves what was sent; the text no longer names anyone.
        notice.save(update_fields=["recipient", "subject", "body_text", "body_html"])
    for decision in Decision.objects.filter(candidate=candidate):
        decision.reason = _scrub(decision.reason, identifiers, pseudonym)
        decision.save(update_fields=["reason"])
    for action in AdverseAction.objects.filter(candidate=candidate):
        report = json.dumps(action.report, cls=DjangoJSONEncoder)
        action.report = json.loads(_scrub(report, [json.dumps(i)[1:-1] for i in identifiers], pseudonym))  # fmt: skip
        action.save(update_fields=["report"])
    for dispute in Dispute.objects.filter(adverse_action__candidate=candidate):
        dispute.statement = _scrub(dispute.statement, identifiers, pseudonym)
        dispute.save(update_fields=["statement"])
    Application.objects.filter(candidate=candidate).update(external_id="")
    candidate.name = pseudonym
    candidate.email = ""
    candidate.external_id = ""
    candidate.ats_source = ""
    candidate.region = ""  # the country stays: it decides which law's retention applies
    candidate.erased_at = now
    candidate.save(
        update_fields=["name", "email", "external_id", "ats_source", "region", "erased_at"]
    )


def candidate_erase(
    *, candidate: Candidate, actor: AuditActor, now: datetime | None = None
) -> ErasureResult:
    """Erase the candidate's profile data (GDPR Art. 17) and emit ``candidate.erased``.

    Deletes at once: social accounts with their snapshots (the raw provider
    payloads), scores, vendor scores, anomaly flags, offline evidence,
    self-identification, links, and webhook deliveries about the candidate.
    What the employer must keep (decisions, adverse actions and their notices,
    applications, notices of consent: one year, 29 CFR 1602.14; screenings: six
    months, EU AI Act Art. 26(6)) stays under a ``RetentionHold``, with name,
    e-mail and ATS ids replaced by a pseudonym; when nothing must be kept (or
    every period is already over) the candidate is deleted entirely. The
    erasure is appended to the audit trail. Idempotent: erasing an erased
    candidate changes nothing.
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
        handles = list(SocialAccount.objects.filter(candidate=candidate).values_list("handle", flat=True))  # fmt: skip
        identifiers = [candidate.name, candidate.email, candidate.external_id, *handles]
        deleted: dict[str, int] = {}
        for name in ("snapshots", "flags", "accounts", "scores", "latest_scores",
                     "vendor_scores", "evidence", "self_identification", "links",
                     "webhook_deliveries"):  # fmt: skip
            _, rows = EXPORT_SECTIONS[name]
            deleted[name] = rows(candidate).count()
            rows(candidate).delete()
        # The replay record stays (a hash of the body); what it said about the person goes.
        InboundDelivery.objects.filter(candidate=candidate).update(candidate=None, result={})
        basis = [entry for entry in _hold_basis(candidate) if entry["until"] > now]
        hold_until = max((entry["until"] for entry in basis), default=None)
        if hold_until is not None:
            _pseudonymise(candidate, [i for i in identifiers if i], now)
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
        webhook_services.event_emit(
            organization,
            EventType.CANDIDATE_ERASED,
            {"candidate": ref, "erased_at": now, "retention_hold_until": hold_until},
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
            return total
        deleted, _ = MetricSnapshot.objects.filter(pk__in=ids).delete()
        total += deleted
