"""The base's own data about a candidate (``renown.privacy``): webhook deliveries, audit events.

Imported by ``RenownConfig.ready()``; the base knows a candidate only by the
random ``public_id`` and the organisation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from renown import privacy
from renown.models import AuditEvent, WebhookDelivery


def _deliveries(candidate: privacy.DataSubject) -> QuerySet[WebhookDelivery]:
    # A multi-candidate event (a screening run) names the candidate only in its body.
    return WebhookDelivery.objects.filter(
        Q(candidate_public_id=candidate.public_id)
        | Q(organization_id=candidate.organization_id, body__contains=str(candidate.public_id))
    )


def _delivery_row(delivery: WebhookDelivery) -> dict[str, object]:
    row = privacy.row_fields(delivery)
    if delivery.candidate_public_id is None:
        # An event about many candidates (a screening run): the body names the others.
        row["body"] = None
        row["body_withheld"] = "the event also describes other candidates"
    return row


def _audit_events(candidate: privacy.DataSubject) -> QuerySet[AuditEvent]:
    """Events about the candidate, about rows of sections marked ``audit_subjects``, or
    naming the candidate's public id (``after.candidate``), in the candidate's organisation."""
    subjects = Q(subject_type=candidate._meta.label_lower, subject_id=str(candidate.pk))
    for model, rows in privacy.audit_subject_rows(candidate):
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if ids:
            subjects |= Q(subject_type=model._meta.label_lower, subject_id__in=ids)
    subjects |= Q(after__candidate=str(candidate.public_id))
    return AuditEvent.objects.filter(subjects, organization_id=candidate.organization_id)


def _event_row(event: AuditEvent) -> dict[str, object]:
    # Exactly what the hash covers, and the hash: the export can be checked against the chain.
    return {**event.hash_payload(), "hash": event.hash}


privacy.register(
    "renown",
    privacy.DataSection(
        name="webhook_deliveries",
        model=WebhookDelivery,
        query=_deliveries,
        erase="delete",  # queued events about the person must not go out after the erasure
        serialize=_delivery_row,
    ),
    privacy.DataSection(
        name="audit_events",
        model=AuditEvent,
        query=_audit_events,
        # Append-only and hash-chained, never edited: its events name the candidate only by
        # the random public id, so once the candidate row is gone they hold no personal data.
        erase="keep",
        serialize=_event_row,
        order_by=("sequence",),
    ),
)
