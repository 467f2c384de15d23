"""The private links candidates open, what they did through them, and their accounts' proofs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from candidates.models import Candidate, SocialAccount


class PortalLink(models.Model):
    """One private link to a candidate's own page: signed, expiring, revocable.

    The link itself is never stored: it carries this row's id and a random nonce,
    signed with the deployment's key; the row keeps the nonce's SHA-256, so neither a
    copy of the database nor a guessed id opens anything.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="portal_links")
    nonce_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    created_by_label = models.CharField(max_length=200, help_text="Who asked for the link.")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    times_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["candidate", "-created_at"], name="portallink_candidate")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="portallink_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Portal link #{self.pk} · {self.candidate}"


class PortalActionKind(models.TextChoices):
    EVIDENCE_ADDED = "evidence_added", "Added offline evidence"
    ACCOUNT_CLAIMED = "account_claimed", "Claimed an account"
    ACCOUNT_PROVED = "account_proved", "Proved an account is theirs"
    ACCOUNT_DISOWNED = "account_disowned", "Said an account is not theirs"
    CONSENT_CORRECTED = "consent_corrected", "Corrected a notice or consent"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Withdrew consent"
    DISPUTE_OPENED = "dispute_opened", "Opened a dispute"
    DATA_EXPORTED = "data_exported", "Downloaded their data"
    ERASURE_REQUESTED = "erasure_requested", "Asked for erasure"


class PortalAction(models.Model):
    """Something a candidate did through their link, for the recruiter's candidate page.

    The change itself went through the audited services (its audit event names the
    link as the actor); this row is the organisation's notice of it, also sent as the
    ``candidate.portal_action`` webhook.
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="portal_actions"
    )
    link = models.ForeignKey(
        PortalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    kind = models.CharField(max_length=30, choices=PortalActionKind.choices)
    summary = models.CharField(max_length=600)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "-occurred_at"], name="portalaction_candidate")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PortalActionKind.values), name="portalaction_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.candidate}"


class ConfirmationKind(models.TextChoices):
    ERASURE = "erasure", "Erase my data"
    CONSENT_WITHDRAWAL = "consent_withdrawal", "Withdraw my consent"


class PortalConfirmation(models.Model):
    """A request made through a link that runs only once confirmed from the e-mail on record.

    A portal link can be forwarded; erasure and consent withdrawal cannot be undone, so
    they run from a second link sent to the candidate's e-mail address (GDPR Art. 12(6)).
    As for links, only the nonce's SHA-256 is stored.
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="portal_confirmations"
    )
    link = models.ForeignKey(
        PortalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=ConfirmationKind.choices)
    notice = models.ForeignKey(
        "renown_candidates.CandidateNotice",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The consent to withdraw.",
    )
    nonce_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConfirmationKind.values), name="portalconfirmation_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="consent_withdrawal") | Q(notice__isnull=False),
                name="portalconfirmation_withdrawal_names_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.candidate}"


class PortalDispute(models.Model):
    """What a candidate disputes through their link, and where it stands.

    About a decision that followed an FCRA pre-adverse notice, it is that adverse action's
    reinvestigation (``fcra_dispute``: re-fetch, re-score, resolved within the statutory
    days). Otherwise it is a review: a recruiter reads it and answers.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open: a recruiter will answer"
        ANSWERED = "answered", "Answered"
        REINVESTIGATION = "reinvestigation", "Reinvestigation (FCRA)"

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="portal_disputes"
    )
    link = models.ForeignKey(
        PortalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about = models.CharField(max_length=300)
    job = models.ForeignKey(
        "renown_hiring.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    statement = models.TextField()
    opened_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    fcra_dispute = models.OneToOneField(
        "renown_hiring.Dispute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_dispute",
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "reinvestigation"]),
                name="portaldispute_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="portaldispute_answer_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute about {self.about} · {self.candidate}"


class ProofMethod(models.TextChoices):
    """Where a proof code was found (``hiring.portal.proof_codes.METHODS``)."""

    MASTODON_REL_ME = "mastodon_rel_me", "A Mastodon profile link to the proof page (rel=me)"
    MASTODON_FIELD = "mastodon_field", "The code in a Mastodon profile field"
    MASTODON_NOTE = "mastodon_note", "The code in the Mastodon bio"
    BLUESKY_DESCRIPTION = "bluesky_description", "The code in the Bluesky profile description"
    GITHUB_BIO = "github_bio", "The code in the GitHub bio"


class AccountProof(models.Model):
    """An account's public proof code, and what its checks found.

    The code is random, one per account, and meant to be published (in the profile,
    on Renown's public proof page): it is not derived from, and opens nothing like,
    the private link. ``verified_at``/``method``/``handle_proved``: when, how and for
    which handle the code was found; ``checked_at``/``last_result``: the latest check.
    """

    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, related_name="proof")
    code = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=600, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=30, choices=ProofMethod.choices, blank=True)
    handle_proved = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=ProofMethod.values),
                name="accountproof_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True, method="")
                | Q(verified_at__isnull=False) & ~Q(method=""),
                name="accountproof_verified_with_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.account}"
