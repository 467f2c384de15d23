"""Retention holds: what an erasure had to keep, why, and until when."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from candidates.models import Candidate
from renown.models import Organization


class RetentionHold(models.Model):
    """An erased candidate's remaining records, kept pseudonymised until ``hold_until``.

    Created by ``hiring.privacy.services.candidate_erase`` when the law requires the
    employer to keep decision records (29 CFR 1602.14, EU AI Act Art. 26(6));
    ``basis`` names each rule and its end date. The periodic purge deletes the
    candidate (and with it every record here) once ``hold_until`` has passed.
    """

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="retention_hold"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="retention_holds"
    )
    erased_at = models.DateTimeField()
    erased_by_label = models.CharField(max_length=200)
    hold_until = models.DateTimeField(db_index=True)
    basis = models.JSONField(default=list, help_text="[{rule, until, records}] per legal rule.")

    class Meta:
        ordering = ["hold_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_until__gt=F("erased_at")), name="retentionhold_ends_after_erasure"
            ),
        ]

    def __str__(self) -> str:
        return f"Retention hold #{self.pk} until {self.hold_until:%Y-%m-%d}"


class ErasedCandidateTombstone(models.Model):
    """That a candidate with this public id was erased, and when: what a syncing client reads.

    Written by ``candidate_erase`` for every erasure, whether the candidate row went at
    once or stays pseudonymised under a hold (with a new public id): the lists read
    with ``updated_after`` report the erasure as ``{"id", "erased": true, "updated_at"}``
    so that the integration deletes its copy (GDPR Art. 19: recipients are told of an
    erasure). It holds no personal data, only the random public id the integrations
    already hold (the audit trail's ``candidate.erased`` names it too), and goes after
    ``RENOWN_ERASURE_TOMBSTONE_DAYS`` (``tombstones_purge``).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="erased_candidate_tombstones"
    )
    public_id = models.UUIDField(unique=True, help_text="The public id the candidate had.")
    erased_at = models.DateTimeField()

    class Meta:
        indexes = [
            # updated_after reads: an organisation's erasures in (erased_at, public_id) order.
            # (The hourly purge scans the table: 90 days of erasures is a small one.)
            models.Index(
                fields=["organization", "erased_at", "public_id"], name="tombstone_org_erased"
            ),
        ]

    def __str__(self) -> str:
        return f"Erased candidate {self.public_id} ({self.erased_at:%Y-%m-%d})"
