"""Metric snapshots fetched from providers, the scores computed from them, vendor scores."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q

from candidates.models import Candidate, SocialAccount
from renown.models import Organization
from scoring.scorers import Component


class RefreshCycle(models.Model):
    """One pass of fetching over a set of accounts; a snapshot belongs to exactly one.

    The (account, cycle) unique constraint on MetricSnapshot is what makes a
    redelivered fetch task harmless.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Could not run"

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="refresh_cycles",
    )
    label = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    # How many accounts the cycle covers. Progress (done, failed) is not stored: it
    # is counted from the cycle's snapshots, so a redelivered task cannot skew it.
    total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, help_text="Why the cycle could not run.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.label or f"Refresh {self.started_at:%Y-%m-%d %H:%M}"


class FetchStatus(models.TextChoices):
    OK = "ok", "OK"
    NOT_FOUND = "not_found", "Not found"
    RATE_LIMITED = "rate_limited", "Rate limited"
    TRANSIENT_ERROR = "transient_error", "Transient error"
    PERMANENT_ERROR = "permanent_error", "Permanent error"
    SKIPPED = "skipped", "Not fetched: the candidate's notices do not cover it"

    @classmethod
    def failures(cls) -> list[str]:
        return [cls.RATE_LIMITED, cls.TRANSIENT_ERROR, cls.PERMANENT_ERROR]


class MetricSnapshot(models.Model):
    """What one provider said about one account at one time (canonical metric names)."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots")
    cycle = models.ForeignKey(RefreshCycle, on_delete=models.CASCADE, related_name="snapshots")
    provider = models.CharField(max_length=30)
    observed_at = models.DateTimeField()
    metrics = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=FetchStatus.choices, default=FetchStatus.OK)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-observed_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "cycle"], name="snapshot_unique_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["account", "-observed_at"], name="snapshot_account_time"),
            # How a cycle's accounts ended, counted from the index alone (the refresh pages).
            models.Index(fields=["cycle", "status"], name="snapshot_cycle_status"),
        ]

    def __str__(self) -> str:
        return f"{self.account} @ {self.observed_at:%Y-%m-%d %H:%M}"


class Score(models.Model):
    """A scorer's verdict on a candidate, with what each input contributed.

    ``components`` is a list of ``{"name", "points", "detail"}`` whose points add
    up to ``value``. The ids of the snapshots used are kept as a list rather than
    a relation: a score and its explanation must outlive the retention purge of
    the raw snapshots.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="scores")
    scorer = models.CharField(max_length=50)
    scorer_version = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=8, decimal_places=2)
    scale_min = models.DecimalField(max_digits=8, decimal_places=2)
    scale_max = models.DecimalField(max_digits=8, decimal_places=2)
    components = models.JSONField(default=list)
    snapshot_ids = models.JSONField(default=list, blank=True)
    inputs_digest = models.CharField(
        max_length=64, help_text="Hash of the inputs: idempotency key."
    )
    as_of = models.DateTimeField(help_text="The time the inputs describe.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "scorer", "scorer_version", "inputs_digest"],
                name="score_unique_inputs",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=F("scale_min")) & Q(value__lte=F("scale_max")),
                name="score_within_scale",
            ),
        ]
        indexes = [
            # On PostgreSQL migration 0003 makes this index covering (INCLUDE value, id):
            # screening a job reduces millions of rows to one aggregate per candidate from
            # the index alone. Declared here without INCLUDE, which SQLite cannot do.
            models.Index(fields=["candidate", "scorer", "-as_of"], name="score_candidate_history"),
        ]

    def __str__(self) -> str:
        return f"{self.scorer} v{self.scorer_version} = {self.value}"

    @property
    def components_total(self) -> Decimal:
        parts: list[Component] = self.components
        return sum((Decimal(str(c["points"])) for c in parts), Decimal(0))


class LatestScore(models.Model):
    """Each candidate's newest value from each scorer, kept for sorting the candidate list.

    Maintained by the scoring service whenever scores are written
    (``services.score_latest_upsert``); the history stays in Score. The index on
    (organization, scorer, value, candidate) lets a page of an organisation's
    candidates sorted by any score be read along the index instead of sorting
    every candidate's history.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="latest_scores")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    scorer = models.CharField(max_length=50)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "scorer"], name="latestscore_unique"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "scorer", "value", "candidate"], name="latestscore_sort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorer} = {self.value} (candidate #{self.candidate_id})"


class ExactDecimalField(models.DecimalField):  # type: ignore[type-arg]
    """A decimal kept with the scale it was written with: ``numeric`` on PostgreSQL.

    A raw metric's value is summed from the numbers providers sent (``followers`` 1200,
    ``engagement`` 0.0123), a vendor's has two places: the kept row gives back exactly
    the value, scale included, the history query gives. Elsewhere a plain decimal.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "numeric"
        return super().db_type(connection)


class LatestReading(models.Model):
    """Each candidate's newest value of a vendor's score or of a raw metric, one row each.

    ``metric`` is the rule's name for it: ``vendor:klout`` (``vendor:<vendor_name>`` for
    a custom vendor), ``metric:followers`` (the sum, over the candidate's active accounts
    on blendable providers, of each account's last value on the newest UTC day with
    one; ``as_of`` the newest snapshot summed). Kept by ``scoring.readings`` wherever
    vendor scores and snapshots are written, in the same transaction; rebuilt from
    history by ``window_stats --org``. Screenings of a "latest" vendor or raw-metric
    rule read it instead of the history, as they read ``LatestScore`` for a scorer.
    """

    # The unique constraint (candidate, metric) is the candidate's index.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=120)
    value = ExactDecimalField(max_digits=30, decimal_places=10)
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "metric"], name="latestreading_unique"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "metric", "value", "candidate"], name="latestreading_sort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} = {self.value} (candidate #{self.candidate_id})"


class StatsWindow(models.IntegerChoices):
    """The windows a rule may aggregate over, whose statistics are kept at scoring time."""

    WEEK = 7, "7 days"
    MONTH = 30, "30 days"
    QUARTER = 90, "90 days"
    HALF_YEAR = 180, "180 days"
    YEAR = 365, "365 days"


class SortedCentsField(models.Field):  # type: ignore[type-arg]
    """A sorted list of values in hundredths: ``integer[]`` on PostgreSQL, where the
    statistics are updated in place from it; unused (NULL) elsewhere."""

    description = "Sorted values in hundredths (PostgreSQL integer[])"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"


class ScoreWindowStats(models.Model):
    """One candidate's readings of one scorer over every kept window, reduced at scoring time.

    One row per (candidate, scorer), so that a score write updates one row, in place.
    The window of N days ending on ``computed_on`` holds the scores whose ``as_of`` is on
    or after midnight UTC of its first day (``scoring.window_stats``); per window N the
    row holds ``readings_N`` (0: none in the window; the figures are then NULL),
    ``oldest_N``, ``min_N``, ``max_N`` and the median as its two middle values
    ``median_low_N`` / ``median_high_N``, as the history engines compute them, so every
    reader gets the exact figure. ``noise_*`` (the middle absolute deviations of
    consecutive changes) is that of the 90-day window, the span a volatility band reads.

    On PostgreSQL each row has a ``ScoreWindowValues`` row beside it: what an appended
    reading needs to update the figures without reading the history. It is kept apart so
    that the readers (previews, screenings, lists) read narrow rows. ``slides_on`` is the
    first day on which a reading leaves one of the windows: the nightly slide reduces
    those rows again. The history in Score stays for the chart and the audit.
    """

    # The unique (candidate, scorer) index serves lookups by candidate: no second index to
    # maintain on every write.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scorer = models.CharField(max_length=50)
    newest_at = models.DateTimeField(help_text="The newest reading in the year.")
    latest_value = models.DecimalField(max_digits=8, decimal_places=2)
    # Deviations from a centre halfway between two values: a third decimal place.
    noise_low = models.DecimalField(max_digits=10, decimal_places=3, null=True)
    noise_high = models.DecimalField(max_digits=10, decimal_places=3, null=True)
    computed_on = models.DateField(help_text="The UTC day the windows ended on when computed.")
    slides_on = models.DateField(help_text="The first day a reading leaves one of the windows.")

    class Meta:
        verbose_name = "score window statistics"
        verbose_name_plural = "score window statistics"
        constraints = [
            models.UniqueConstraint(fields=["candidate", "scorer"], name="scorewindowstats_pair"),
        ]
        indexes = [
            # The nightly slide (and a reader's probe) finds the rows that are behind.
            models.Index(fields=["slides_on"], name="scorewindowstats_slides_on"),
        ]

    def __str__(self) -> str:
        return f"{self.scorer} window statistics (candidate #{self.candidate_id})"


class ScoreWindowValues(models.Model):
    """The values behind one ``ScoreWindowStats`` row, so that an appended reading updates
    it without reading the history (PostgreSQL only; no rows elsewhere).

    Each window's values sorted (``sorted_N``, NULL when the window holds exactly the
    readings of the next smaller one) and the noise window's consecutive changes
    sorted, all in hundredths: a row of about a kilobyte, which only a score write
    reads; previews, screenings and lists read the figures alone.
    """

    stats = models.OneToOneField(
        ScoreWindowStats, on_delete=models.CASCADE, primary_key=True, related_name="sorted_values"
    )
    changes = SortedCentsField(null=True)

    class Meta:
        verbose_name = "score window values"
        verbose_name_plural = "score window values"

    def __str__(self) -> str:
        return f"sorted values behind window statistics #{self.stats_id}"


# Per window, the same six figures (``readings_90``, ``median_low_90``) and, apart, the
# sorted values (``sorted_90``).
for _days in StatsWindow.values:
    for _name, _field in (
        ("readings", models.PositiveIntegerField(default=0)),
        ("oldest", models.DateTimeField(null=True)),
        ("min", models.DecimalField(max_digits=8, decimal_places=2, null=True)),
        ("max", models.DecimalField(max_digits=8, decimal_places=2, null=True)),
        ("median_low", models.DecimalField(max_digits=8, decimal_places=2, null=True)),
        ("median_high", models.DecimalField(max_digits=8, decimal_places=2, null=True)),
    ):
        ScoreWindowStats.add_to_class(f"{_name}_{_days}", _field)
    ScoreWindowValues.add_to_class(f"sorted_{_days}", SortedCentsField(null=True))


class Vendor(models.TextChoices):
    KLOUT = "klout", "Klout (1-100; closed 2018-05-25)"
    KRED = "kred", "Kred influence (1-1000)"
    KRED_OUTREACH = "kred_outreach", "Kred outreach level (1-12)"
    PEERINDEX = "peerindex", "PeerIndex (0-100; closed 2014)"
    TWITTER_GRADER = "twitter_grader", "Twitter Grader (0-100; discontinued)"
    CUSTOM = "custom", "Custom vendor (declared scale)"


class VendorScore(models.Model):
    """A score a third-party vendor computed, imported with its native scale."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="vendor_scores")
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    vendor_name = models.CharField(
        max_length=100, blank=True, help_text="The vendor's name when vendor is custom."
    )
    value = models.DecimalField(max_digits=8, decimal_places=2)
    scale_min = models.DecimalField(max_digits=8, decimal_places=2)
    scale_max = models.DecimalField(max_digits=8, decimal_places=2)
    as_of = models.DateField(help_text="When the vendor computed it.")
    source = models.CharField(max_length=200, blank=True, help_text="Import file or API client.")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "vendor", "vendor_name", "as_of"],
                name="vendor_score_unique",
            ),
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")), name="vendor_scale_ordered"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=F("scale_min")) & Q(value__lte=F("scale_max")),
                name="vendor_value_within_scale",
            ),
            models.CheckConstraint(
                condition=~Q(vendor="custom") | ~Q(vendor_name=""),
                name="vendor_custom_is_named",
            ),
        ]
        indexes = [
            models.Index(
                fields=["candidate", "vendor", "-as_of"],
                name="vendor_candidate_history",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor_name or self.get_vendor_display()}: {self.value}"


class FlagKind(models.TextChoices):
    FOLLOWER_JUMP = "follower_jump", "Sudden follower jump against the account's own history"
    LOW_ENGAGEMENT = "low_engagement", "Engagement far below what the audience size predicts"
    FOLLOW_FOR_FOLLOW = (
        "follow_for_follow",
        "Follows about as many as follow it (follow-for-follow)",
    )
    YOUNG_LARGE_AUDIENCE = "young_large_audience", "Very young account with a large audience"
    DISAGREEMENT = "disagreement", "Two sources rank the candidate far apart"


class AnomalyFlag(models.Model):
    """A reason to look twice at a candidate's numbers (possible gaming or disagreement).

    A flag never lowers a score: it sends the candidate to a person.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="flags")
    account = models.ForeignKey(
        SocialAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    detail = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict, blank=True)
    observed_on = models.DateField(help_text="The day the data showed it.")
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-observed_on"]
        constraints = [
            # One flag of a kind per day: re-running detection adds nothing.
            models.UniqueConstraint(
                fields=["candidate", "account", "kind", "observed_on"],
                condition=Q(account__isnull=False),
                name="flag_unique_per_account_day",
            ),
            models.UniqueConstraint(
                fields=["candidate", "kind", "observed_on"],
                condition=Q(account__isnull=True),
                name="flag_unique_per_candidate_day",
            ),
        ]
        indexes = [models.Index(fields=["candidate", "kind"], name="flag_candidate_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.observed_on})"
