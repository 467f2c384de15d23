"""ATS connectors: each organisation's secrets and credentials, the deliveries received, the links candidates gave."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from candidates.models import Candidate
from renown.crypto import EncryptedTextField
from renown.models import Organization, TimeStampedModel


class Ats(models.TextChoices):
    GREENHOUSE = "greenhouse", "Greenhouse"
    LEVER = "lever", "Lever"
    ASHBY = "ashby", "Ashby"
    WORKABLE = "workable", "Workable"


class AtsSecret(TimeStampedModel):
    """A secret that signs an ATS's webhook deliveries to an organisation (an HMAC key).

    Renown makes it for Greenhouse and Ashby; Lever and Workable issue it (Lever one per
    webhook: ``label`` tells them apart). A delivery verifies against any of the
    organisation's secrets for the ATS. Encrypted at rest (``renown.crypto``).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="ats_secrets"
    )
    ats = models.CharField(max_length=20, choices=Ats.choices)
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text="Which of the ATS's webhooks it signs, where the ATS issues one per webhook.",
    )
    secret = EncryptedTextField(editable=False)

    class Meta:
        verbose_name = "ATS secret"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats", "label"], name="atssecret_unique_org_ats_label"
            ),
        ]

    def __str__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"{self.get_ats_display()} secret{label} · {self.organization}"


class AtsCredential(TimeStampedModel):
    """How Renown reads an organisation's ATS API (``manage.py ats_connect``), encrypted.

    ``credentials`` is a JSON object of the fields the connector asks for (an API key;
    Greenhouse's OAuth client id and secret; Workable's token and subdomain).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="ats_credentials"
    )
    ats = models.CharField(max_length=20, choices=Ats.choices)
    credentials = EncryptedTextField(editable=False)

    class Meta:
        verbose_name = "ATS API credential"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats"], name="atscredential_unique_org_ats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ats_display()} API access · {self.organization}"


class InboundDelivery(models.Model):
    """A verified delivery from an ATS, remembered so that a replay changes nothing.

    Keeps the SHA-256 of the body and the ATS's event id, not the body itself
    (it describes a person, and is kept only as long as replay protection needs).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="inbound_deliveries"
    )
    ats = models.CharField(max_length=20, choices=Ats.choices)
    event_id = models.CharField(max_length=100, blank=True)
    body_sha256 = models.CharField(max_length=64)
    action = models.CharField(max_length=60, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_deliveries",
    )
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "inbound deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats", "body_sha256"], name="inbound_unique_body"
            ),
            models.UniqueConstraint(
                fields=["organization", "ats", "event_id"],
                condition=~Q(event_id=""),
                name="inbound_unique_event_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ats} {self.action} · {self.received_at:%Y-%m-%d %H:%M}"


class LinkKind(models.TextChoices):
    WEBSITE = "website", "Website"
    SOCIAL = "social", "Social media (network Renown does not read)"


class CandidateLink(TimeStampedModel):
    """An address the candidate gave that is not an account Renown reads: kept, never fetched."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    url = models.CharField(max_length=500)
    label = models.CharField(max_length=50, blank=True, help_text="The ATS's type, e.g. personal.")
    source = models.CharField(max_length=50, blank=True, help_text="Where it came from.")

    class Meta:
        ordering = ["candidate", "kind", "url"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "url"], name="candidatelink_unique_url"),
            models.CheckConstraint(
                condition=Q(kind__in=LinkKind.values), name="candidatelink_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.url
