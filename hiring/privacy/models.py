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
