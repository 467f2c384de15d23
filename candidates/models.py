"""Candidates and what Renown holds about them.

The tenant (Organization) and the shared TimeStampedModel live in ``renown.models``,
the plugin's base, below every app.
"""

from __future__ import annotations

import uuid
from typing import TypedDict

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from candidates.handles import InvalidHandle, normalize_handle
from candidates.jurisdictions import validate_country_code, validate_region_code
from candidates.names import validate_person_name
from renown.models import Organization, TimeStampedModel


# The model fields' validators: every way in (services' full_clean, the admin's forms,
# the API and its bulk import through hiring.api.fields) checks with the same pure functions.
def validate_name(value: str) -> None:
    try:
        validate_person_name(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_name") from None


def validate_country(value: str) -> None:
    try:
        validate_country_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_country") from None


def validate_region(value: str) -> None:
    try:
        validate_region_code(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_region") from None


class PkRow(TypedDict):
    """A row of ``.values("pk")``."""

    pk: int


class CandidateQuerySet(models.QuerySet["Candidate"]):
    """Candidates; ``not_erased`` is the one way "not erased" is written."""

    def erased_ids(self) -> models.QuerySet[Candidate, PkRow]:
        """The pks of erased candidates, as a subquery (a partial index finds them)."""
        return Candidate.objects.filter(erased_at__isnull=False).values("pk")

    def not_erased(self) -> CandidateQuerySet:
        """Without erased candidates: pseudonymised records under a retention hold.

        NOT IN over the few erased ones (the partial index ``candidate_erased``), not a
        filter on the column: it keeps the plans the lists and their counts use
        (index-only scans) intact. Rows that point at a candidate use the same
        subquery (``candidates.selectors.without_erased``).
        """
        return self.exclude(pk__in=self.erased_ids())


class Candidate(TimeStampedModel):
    """A person applying through the hiring platform; known to the outside by ``public_id``."""

    objects = CandidateQuerySet.as_manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="candidates"
    )
    name = models.CharField(max_length=200, validators=[validate_name])
    email = models.EmailField(blank=True)
    ats_source = models.CharField(
        max_length=50,
        blank=True,
        help_text="The ATS the candidate came from, e.g. greenhouse.",
    )
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The candidate's id in that ATS."
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Country of residence, ISO 3166-1 alpha-2 (US, DE).",
        validators=[validate_country],
    )
    region = models.CharField(
        max_length=10,
        blank=True,
        help_text="Region of residence, ISO 3166-2 (US-NY, DE-BE); US-NY-NYC for New York City.",
        validators=[validate_region],
    )
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Erased on request (GDPR Art. 17): a pseudonymised record kept under a "
        "retention hold until the law lets it go (privacy.RetentionHold).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats_source", "external_id"],
                condition=~Q(external_id=""),
                name="candidate_unique_external_id_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="candidate_org_created"),
            models.Index(fields=["organization", "email"], name="candidate_org_email"),
            models.Index(fields=["organization", "name"], name="candidate_org_name"),
            # The API's updated_after reads walk an organisation's candidates in the order
            # they changed: (updated_at, public id), the public id breaking ties.
            models.Index(
                fields=["organization", "updated_at", "public_id"], name="candidate_org_updated"
            ),
            # Erased candidates are few: screening leaves them out through this.
            models.Index(
                fields=["erased_at"], name="candidate_erased", condition=Q(erased_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    FCRA_DISCLOSURE = "fcra_disclosure", "FCRA disclosure (15 U.S.C. 1681b(b)(2)(A)(i))"
    FCRA_AUTHORIZATION = (
        "fcra_authorization",
        "FCRA written authorisation (1681b(b)(2)(A)(ii))",
    )
    NYC_LL144_NOTICE = "nyc_ll144_notice", "NYC Local Law 144 notice (AEDT use)"
    GDPR_NOTICE = "gdpr_notice", "GDPR Art. 13/14 information notice"


class LawfulBasis(models.TextChoices):
    """GDPR Art. 6(1) bases; recorded with the GDPR notice."""

    NONE = "", "Not applicable"
    CONSENT = "consent", "Consent (Art. 6(1)(a))"
    CONTRACT = "contract", "Steps prior to a contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class CandidateNotice(TimeStampedModel):
    """What the candidate was told or agreed to, and when. Fetching is gated on these."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    given_at = models.DateTimeField(help_text="When the notice was given or the consent signed.")
    lawful_basis = models.CharField(
        max_length=30, choices=LawfulBasis.choices, blank=True, default=LawfulBasis.NONE
    )
    document_version = models.CharField(
        max_length=100, blank=True, help_text="Which text of the notice was shown."
    )
    source = models.CharField(
        max_length=50, blank=True, help_text="ATS or recruiter who recorded it."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["candidate", "kind"], name="notice_candidate_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="notice_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~Q(kind=NoticeKind.GDPR_NOTICE) | ~Q(lawful_basis=""),
                name="notice_gdpr_has_lawful_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.given_at:%Y-%m-%d}"

    @property
    def is_in_force(self) -> bool:
        return self.withdrawn_at is None


class Network(models.TextChoices):
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    GITHUB = "github", "GitHub"
    STACKEXCHANGE = "stackexchange", "Stack Exchange"
    HACKERNEWS = "hackernews", "Hacker News"
    YOUTUBE = "youtube", "YouTube"
    # Offline reputation sources: an author id, not a social account, but fetched alike.
    OPENALEX = "openalex", "OpenAlex"
    OPENLIBRARY = "openlibrary", "Open Library"
    ORCID = "orcid", "ORCID"


class AccountVerification(models.TextChoices):
    """Why Renown believes the account is the candidate's. Renown never searches by name."""

    CLAIMED = "claimed", "Claimed by the candidate"
    MATCHED = "matched", "Matched by a recruiter"
    VERIFIED = "verified", "Verified by proof"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    NOT_FOUND = "not_found", "Not found at the provider"
    REJECTED = "rejected", "Rejected by a recruiter: not the candidate's"
    DISOWNED = "disowned", "Not theirs, the candidate says (a recruiter confirms)"


class SocialAccount(TimeStampedModel):
    """One account of a candidate on one network, identified by a normalised handle."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="accounts")
    network = models.CharField(max_length=20, choices=Network.choices)
    handle = models.CharField(max_length=255, help_text="Normalised per network (see handles.py).")
    verification = models.CharField(
        max_length=20,
        choices=AccountVerification.choices,
        default=AccountVerification.CLAIMED,
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "network", "handle"],
                name="account_unique_per_candidate",
            ),
            models.CheckConstraint(
                condition=Q(network__in=Network.values), name="account_network_valid"
            ),
        ]
        indexes = [models.Index(fields=["network", "handle"], name="account_network_handle")]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.handle}"

    def clean(self) -> None:
        """Normalise the handle for its network (ValidationError on ``handle`` when it is not one).

        Every form and service write (``full_clean``) passes here, the admin's
        included: a handle names the host a fetch connects to (Mastodon), so one
        that bypassed ``normalize_handle`` would bypass that check too.
        """
        if self.network not in Network.values:
            return  # the field's own choices validation reports it
        try:
            self.handle = normalize_handle(self.network, self.handle)
        except InvalidHandle as exc:
            raise ValidationError({"handle": str(exc)}) from None


class EvidenceKind(models.TextChoices):
    TALK = "talk", "Talk"
    BOOK = "book", "Book"
    PUBLICATION = "publication", "Publication"
    TEACHING = "teaching", "Teaching"
    AWARD = "award", "Award"
    PRESS = "press", "Press"
    REFERRAL = "referral", "Referral"
    CERTIFICATION = "certification", "Certification"
    OTHER = "other", "Other"


class EvidenceVerification(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class EvidenceSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    OPENALEX = "openalex", "OpenAlex"
    OPENLIBRARY = "openlibrary", "Open Library"
    ORCID = "orcid", "ORCID"
    CANDIDATE = "candidate", "Supplied by the candidate"


class ReputationEvidence(TimeStampedModel):
    """A piece of offline reputation: a talk, a book, a publication, an award..."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(max_length=500)
    venue = models.CharField(max_length=300, blank=True, help_text="Venue or organisation.")
    date = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    reference = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where it can be checked without a link: an ISBN, a DOI, a certificate number.",
    )
    verification = models.CharField(
        max_length=20,
        choices=EvidenceVerification.choices,
        default=EvidenceVerification.UNVERIFIED,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=20, choices=EvidenceSource.choices, default=EvidenceSource.MANUAL
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "reputation evidence"
        indexes = [models.Index(fields=["candidate", "kind"], name="evidence_candidate_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(verification="unverified") | Q(verified_at__isnull=False),
                name="evidence_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class CandidateView(models.Model):
    """One look at a candidate's page: who, when. Written once per view, read by auditors.

    Deliberately small (no foreign key to the organisation: the candidate's own
    says it) so that recording a view costs one narrow INSERT.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_label = models.CharField(
        max_length=150, help_text="The viewer's username then: survives the user's deletion."
    )
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = "candidate page view"
        indexes = [
            models.Index(fields=["candidate", "-viewed_at"], name="candidateview_candidate_time")
        ]

    def __str__(self) -> str:
        return f"{self.viewer_label} viewed candidate #{self.candidate_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


# --- Voluntary self-identification ----------------------------------------------------


class Sex(models.TextChoices):
    """Sex categories of NYC Local Law 144 bias audits (6 RCNY 5-301, the EEO-1 categories)."""

    DECLINED = "", "Declined or unknown"
    MALE = "male", "Male"
    FEMALE = "female", "Female"


class RaceEthnicity(models.TextChoices):
    """Race/ethnicity categories of NYC Local Law 144 bias audits (6 RCNY 5-301, EEO-1)."""

    DECLINED = "", "Declined or unknown"
    HISPANIC_OR_LATINO = "hispanic_or_latino", "Hispanic or Latino"
    WHITE = "white", "White"
    BLACK_OR_AFRICAN_AMERICAN = "black_or_african_american", "Black or African American"
    NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = (
        "native_hawaiian_or_pacific_islander",
        "Native Hawaiian or Pacific Islander",
    )
    ASIAN = "asian", "Asian"
    NATIVE_AMERICAN_OR_ALASKA_NATIVE = (
        "native_american_or_alaska_native",
        "Native American or Alaska Native",
    )
    TWO_OR_MORE_RACES = "two_or_more_races", "Two or More Races"


class SelfIdentificationSource(models.TextChoices):
    ATS = "ats", "ATS"
    CANDIDATE_FORM = "candidate_form", "Candidate form"


class SelfIdentification(TimeStampedModel):
    """What the candidate chose to tell about their sex and race/ethnicity, for bias audits only.

    Kept apart on purpose: its own table, no reverse accessor on Candidate
    (``related_name="+"``, so no template or serializer can reach it from a
    candidate), never selected by ``candidates.selectors.candidate_list`` or
    ``candidate_get``, and deliberately **not registered in the admin**: HR
    admins and recruiters must never see one person's answers. The only read is
    ``candidates.selectors.self_identification_counts``: aggregate counts, for
    auditors. Deleting the candidate (erasure) deletes it (CASCADE).
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="+")
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True, default=Sex.DECLINED)
    race_ethnicity = models.CharField(
        max_length=40,
        choices=RaceEthnicity.choices,
        blank=True,
        default=RaceEthnicity.DECLINED,
    )
    provided_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=SelfIdentificationSource.choices)

    class Meta:
        verbose_name = "self-identification"
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="selfid_sex_valid"),
            models.CheckConstraint(
                condition=Q(race_ethnicity__in=RaceEthnicity.values),
                name="selfid_race_ethnicity_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=SelfIdentificationSource.values),
                name="selfid_source_valid",
            ),
        ]

    def __str__(self) -> str:
        # Never the answers: this string ends up in logs and error pages.
        return f"Self-identification of candidate #{self.candidate_id}"


class HostLink(TimeStampedModel):
    """Which record of the host's own candidate model a Renown candidate stands for.

    A generic relation (contenttypes, as django-taggit and django-reversion attach to any
    model), so Renown's migrations never depend on the host's app. ``object_id`` is text:
    the host's primary key may be an integer, a UUID or a string.
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="host_link")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=255)
    host_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="hostlink_unique_host_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} -> {self.candidate_id}"


class HostLinkErasure(models.Model):
    """A host record whose person was erased through Renown while the record stayed.

    The host still holds the person, but they asked Renown to forget them: their next
    save, or the nightly reconcile, must not build a new profile from the record. Only
    the record's key is kept, no personal data (a suppression list, as erasure
    procedures keep). Deleted with the host record; the host clears it with
    ``renown_link_host --relink OBJECT_ID`` when the person asks to be screened again.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=255)
    erased_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="hostlinkerasure_unique_host_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} erased {self.erased_at:%Y-%m-%d}"
