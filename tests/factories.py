"""factory_boy factories for every model (split per app once this grows)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from candidates.consent import GDPR_COUNTRIES
from candidates.models import Candidate, CandidateNotice, ReputationEvidence, SocialAccount
from hiring.models import Application, Job, RuleGroup, ScreeningRule
from renown.models import Membership, Organization
from scoring.models import MetricSnapshot, RefreshCycle, Score, VendorScore


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Employer {n}")
    slug = factory.Sequence(lambda n: f"employer-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "recruiter"


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Candidate {n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.test")
    country = "US"
    region = "US-CA"

    @factory.post_generation
    def notices(self, create: bool, extracted: object, **kwargs: object) -> None:
        """By default the candidate has every notice their residence asks for.

        Pass ``notices=False`` for a candidate with none on record.
        """
        if not create or extracted is False:
            return
        now = datetime.now(tz=UTC)
        kinds: list[tuple[str, str]] = []
        if self.country == "US":
            kinds += [("fcra_disclosure", ""), ("fcra_authorization", "")]
        if self.region == "US-NY-NYC":
            kinds.append(("nyc_ll144_notice", ""))
        if self.country in GDPR_COUNTRIES:
            kinds.append(("gdpr_notice", "legitimate_interests"))
        for kind, basis in kinds:
            CandidateNotice.objects.create(
                candidate=self, kind=kind, lawful_basis=basis, given_at=now
            )


class CandidateNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateNotice

    candidate = factory.SubFactory(CandidateFactory)
    kind = "fcra_disclosure"
    given_at = factory.LazyFunction(lambda: datetime.now(tz=UTC))


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    candidate = factory.SubFactory(CandidateFactory)
    network = "bluesky"
    handle = factory.Sequence(lambda n: f"person{n}.test.invalid")


class ReputationEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReputationEvidence

    candidate = factory.SubFactory(CandidateFactory)
    kind = "talk"
    title = factory.Sequence(lambda n: f"Talk {n}")


class RefreshCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RefreshCycle

    started_at = factory.LazyFunction(lambda: datetime.now(tz=UTC))


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    """A snapshot as a refresh records it: the raw metrics' latest readings kept."""

    class Meta:
        model = MetricSnapshot
        skip_postgeneration_save = True

    account = factory.SubFactory(SocialAccountFactory)
    cycle = factory.SubFactory(RefreshCycleFactory)
    provider = "bluesky"
    observed_at = factory.LazyFunction(lambda: datetime.now(tz=UTC))
    metrics = factory.LazyFunction(lambda: {"followers": 100, "following": 10, "posts": 50})

    @factory.post_generation
    def latest(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from scoring import readings

            readings.snapshot_readings_upsert(cycle_id=self.cycle_id, account_ids=[self.account_id])


class ScoreFactory(factory.django.DjangoModelFactory):
    """A score as the scoring service leaves it: its LatestScore and window statistics kept."""

    class Meta:
        model = Score
        skip_postgeneration_save = True

    candidate = factory.SubFactory(CandidateFactory)
    scorer = "influence"
    scorer_version = 1
    value = Decimal("50")
    scale_min = Decimal("1")
    scale_max = Decimal("100")
    components = factory.LazyAttribute(
        lambda s: [{"name": "baseline", "points": float(s.value), "detail": "test"}]
    )
    inputs_digest = factory.Sequence(lambda n: f"digest-{n}")
    as_of = factory.LazyFunction(lambda: datetime.now(tz=UTC))
    computed_at = factory.LazyFunction(lambda: datetime.now(tz=UTC))

    @factory.post_generation
    def latest(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from scoring import window_stats
            from scoring.services import score_latest_upsert

            score_latest_upsert(rows=[self])
            if window_stats.statistics_enabled():
                window_stats.window_stats_refresh([(self.candidate_id, self.scorer)])


class VendorScoreFactory(factory.django.DjangoModelFactory):
    """A vendor score as the vendor service records it: its latest reading kept."""

    class Meta:
        model = VendorScore
        skip_postgeneration_save = True

    candidate = factory.SubFactory(CandidateFactory)
    vendor = "klout"
    value = Decimal("40")
    scale_min = Decimal("1")
    scale_max = Decimal("100")
    as_of = factory.LazyFunction(lambda: datetime(2017, 6, 1, tzinfo=UTC).date())

    @factory.post_generation
    def latest(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from scoring import readings

            readings.vendor_readings_upsert([self.candidate_id])


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Job {n}")
    jurisdictions = factory.LazyFunction(lambda: ["US-CA"])
    # A job for which influence matters, with the reason written down: rules on it carry
    # no job-relatedness warning unless a test says otherwise.
    influence_relevance = "supporting"
    relevance_justification = "Writing for the public is part of the role."


class ScreeningRuleFactory(factory.django.DjangoModelFactory):
    """A rule version written directly (tests of services go through hiring.services).

    ``active=True`` makes it live; a live screen-out rule comes approved.
    """

    class Meta:
        model = ScreeningRule

    job = factory.SubFactory(JobFactory)
    metric = "influence"
    operator = "gte"
    threshold = Decimal("35")
    action = "needs_review"
    active = True
    status = factory.LazyAttribute(lambda r: "live" if r.active else "draft")
    approved_at = factory.LazyAttribute(
        lambda r: datetime.now(tz=UTC) if r.active and r.action == "screen_out" else None
    )


class RuleGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleGroup

    job = factory.SubFactory(JobFactory)
    combinator = "all"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    job = factory.SubFactory(JobFactory)
    candidate = factory.SubFactory(
        CandidateFactory, organization=factory.SelfAttribute("..job.organization")
    )


class SelfIdentificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "renown_candidates.SelfIdentification"

    candidate = factory.SubFactory(CandidateFactory)
    sex = ""
    race_ethnicity = ""
    provided_at = factory.LazyFunction(lambda: datetime.now(tz=UTC))
    source = "ats"


class AuditEventFactory(factory.Factory):
    """Appends through ``renown.trail.audit_record``: the chain is the point."""

    class Meta:
        model = dict  # replaced by _create/_build below

    organization = factory.SubFactory(OrganizationFactory)
    actor = None
    event_type = "rule.changed"
    subject = factory.Sequence(lambda n: ("renown_hiring.screeningrule", str(n)))
    before = factory.LazyFunction(lambda: {"threshold": Decimal("35")})
    after = factory.LazyFunction(lambda: {"threshold": Decimal("40")})
    note = ""

    @classmethod
    def _create(cls, model_class: object, *args: object, **kwargs: object) -> object:
        from renown.trail import audit_record

        return audit_record(**kwargs)

    @classmethod
    def _build(cls, model_class: object, *args: object, **kwargs: object) -> object:
        raise NotImplementedError("audit events exist only once appended to their chain")
