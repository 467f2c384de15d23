"""The demo's people drawn from the seed: candidates, accounts, snapshot history, scores,
evidence, notices, self-identification and jobs with their screenings and decisions."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from candidates.models import (
    AccountVerification,
    Candidate,
    CandidateNotice,
    EvidenceKind,
    EvidenceVerification,
    LawfulBasis,
    NoticeKind,
    RaceEthnicity,
    ReputationEvidence,
    SelfIdentification,
    SelfIdentificationSource,
    Sex,
    SocialAccount,
)
from hiring.fairness import live_bias_audit
from hiring.models import (
    Aggregation,
    Application,
    Combinator,
    InfluenceRelevance,
    Job,
    NearBandSource,
    RuleAction,
)
from hiring.services import (
    rule_acknowledge,
    rule_activate,
    rule_approve,
    rule_create,
    rule_group_create,
    screening_run_for_job,
    unacknowledged_warnings,
)
from renown.models import Organization
from renown_site.demo.definition import (
    ADVISORY_JOB,
    DAYS,
    DEMO_ACKNOWLEDGEMENT,
    DEMO_ADVISORY_ACKNOWLEDGEMENT,
    DEMO_AUDITOR,
    DEMO_SCREEN_OUT_ACKNOWLEDGEMENT,
    DEMO_SCREEN_OUT_APPROVAL,
    DEMO_SEED,
    EU,
    FIRST,
    KLOUT_GAP_FEMALE,
    LAST,
    NO_FOOTPRINT_SHARE,
    OFFLINE_SHARE,
    RACE_WEIGHTS,
    RESIDENCES,
    SCREEN_OUT_JOB,
    SELF_IDENTIFIED_SHARE,
)
from scoring import readings, window_stats
from scoring.models import MetricSnapshot, RefreshCycle, Score, Vendor, VendorScore
from scoring.providers.base import ObservedMetrics
from scoring.services import (
    flags_detect,
    flags_detect_disagreements,
    score_build_influence,
    score_compute_many,
    score_latest_upsert,
)


def _now() -> datetime:
    return datetime.now(tz=UTC).replace(hour=6, minute=0, second=0, microsecond=0)


def _pick_residence(rng: random.Random) -> tuple[str, str]:
    roll, acc = rng.random(), 0.0
    for country, region, share in RESIDENCES:
        acc += share
        if roll < acc:
            return country, region
    return RESIDENCES[-1][0], RESIDENCES[-1][1]


def _series(rng: random.Random, now: datetime) -> tuple[list[ObservedMetrics], str]:
    """180 daily metric dicts for one synthetic account, and its story."""
    followers = int(math.exp(rng.uniform(3, 11)))  # 20 .. 60,000
    growth = rng.uniform(-0.0005, 0.004)
    posts = rng.randint(20, 4000)
    posts_a_day = rng.uniform(0.1, 4)
    engagement_rate = rng.uniform(0.002, 0.03)
    # Most follow far fewer than follow them; a few grow by following back.
    follow_ratio = rng.uniform(0.95, 1.05) if rng.random() < 0.03 else rng.uniform(0.05, 0.8)
    created = now - timedelta(days=rng.randint(200, 4000))
    story = "steady"
    break_start = break_end = spike_day = -1
    if rng.random() < 0.2:
        story = "break"
        break_start = rng.randint(20, 140)
        break_end = break_start + rng.randint(14, 42)
    elif rng.random() < 0.04:
        story = "suspicious spike"
        spike_day = rng.randint(60, 170)
    series: list[ObservedMetrics] = []
    for day in range(DAYS):
        at = now - timedelta(days=DAYS - 1 - day)
        on_break = break_start <= day < break_end
        weekend = at.weekday() >= 5
        if on_break:
            followers = int(followers * 0.998)
        else:
            followers = int(followers * (1 + growth)) + rng.randint(0, 2)
            posts += int(posts_a_day * (0.4 if weekend else 1.0) + rng.random())
        if day == spike_day:
            followers *= 5  # bought followers: the audience jumps, engagement does not
        base = (
            followers * engagement_rate
            if spike_day < 0 or day < spike_day
            else (followers / 5 * engagement_rate)
        )
        factor = (0.5 if on_break else 1.0) * (0.7 if weekend else 1.0) * rng.uniform(0.85, 1.15)
        likes = base * factor
        series.append(
            {
                "followers": followers,
                "following": int(followers * follow_ratio) + 10,
                "posts": posts,
                "engagement": {
                    "posts_sampled": 30 if posts >= 30 else posts,
                    "likes_per_post": round(likes, 2),
                    "reposts_per_post": round(likes * 0.15, 2),
                    "replies_per_post": round(likes * 0.08, 2),
                },
                "account_created": created.isoformat(),
            }
        )
    return series, story


def _handle(network: str, slug: str, index: int) -> str:
    if network == "bluesky":
        return f"{slug}{index}.demo.invalid"
    if network == "mastodon":
        return f"{slug.replace('-', '_')}{index}@social.example"
    if network == "github":
        return f"demo-{slug}{index}"[:39]
    return f"demo_{index}"  # hackernews


def _populate(organization: Organization, count: int) -> None:
    rng = random.Random(DEMO_SEED)  # noqa: S311 - synthetic data, not secrets
    now = _now()
    hr_admin = get_user_model().objects.get(username="hr-admin")
    people = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        country, region = _pick_residence(rng)
        people.append(
            Candidate(
                organization=organization,
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}.{i}@demo.example",
                ats_source="demo",
                external_id=f"demo-{i:05d}",
                country=country,
                region=region,
            )
        )
    Candidate.objects.bulk_create(people, batch_size=1000)
    people = list(Candidate.objects.filter(organization=organization).order_by("external_id"))
    sex_of = _self_identify(people, now)

    cycles = RefreshCycle.objects.bulk_create(
        [
            RefreshCycle(
                organization=organization,
                label=f"demo day {d + 1}",
                started_at=now - timedelta(days=DAYS - 1 - d),
                finished_at=now - timedelta(days=DAYS - 1 - d) + timedelta(minutes=20),
                status=RefreshCycle.Status.FINISHED,
            )
            for d in range(DAYS)
        ]
    )
    cycles.sort(key=lambda c: c.started_at)

    accounts: list[SocialAccount] = []
    offline_accounts: list[SocialAccount] = []
    series_by_account: list[list[ObservedMetrics]] = []
    notices: list[CandidateNotice] = []
    evidence: list[ReputationEvidence] = []
    vendor_scores: list[VendorScore] = []
    for i, person in enumerate(people):
        slug = person.name.lower().replace(" ", "-")
        if rng.random() >= NO_FOOTPRINT_SHARE:
            networks = rng.sample(
                ["bluesky", "mastodon", "github", "hackernews"], k=rng.randint(1, 3)
            )
            for network in networks:
                accounts.append(
                    SocialAccount(
                        candidate=person,
                        network=network,
                        handle=_handle(network, slug, i),
                        verification=rng.choice(list(AccountVerification.values)),
                        last_fetched_at=now,
                    )
                )
                series_by_account.append(_as_network(network, _series(rng, now)[0]))
        if rng.random() < OFFLINE_SHARE:
            offline_accounts.append(
                SocialAccount(
                    candidate=person,
                    network="openalex",
                    handle=f"A59{i:08d}",
                    verification=AccountVerification.CLAIMED,
                    last_fetched_at=now,
                )
            )
        given = now - timedelta(days=DAYS + rng.randint(1, 30))
        if person.country == "US":
            notices += [
                CandidateNotice(
                    candidate=person,
                    kind=NoticeKind.FCRA_DISCLOSURE,
                    given_at=given,
                    source="demo",
                    document_version="demo-v1",
                ),
                CandidateNotice(
                    candidate=person,
                    kind=NoticeKind.FCRA_AUTHORIZATION,
                    given_at=given,
                    source="demo",
                    document_version="demo-v1",
                ),
            ]
        if person.region == "US-NY-NYC":
            notices.append(
                CandidateNotice(
                    candidate=person,
                    kind=NoticeKind.NYC_LL144_NOTICE,
                    given_at=given - timedelta(days=14),
                    source="demo",
                )
            )
        if person.country in EU or person.country == "GB":
            notices.append(
                CandidateNotice(
                    candidate=person,
                    kind=NoticeKind.GDPR_NOTICE,
                    given_at=given,
                    source="demo",
                    lawful_basis=rng.choice(
                        [LawfulBasis.LEGITIMATE_INTERESTS, LawfulBasis.CONSENT]
                    ),
                    withdrawn_at=given + timedelta(days=40) if rng.random() < 0.03 else None,
                )
            )
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                verified = rng.random() < 0.5
                kind = rng.choice(
                    [
                        EvidenceKind.TALK,
                        EvidenceKind.BOOK,
                        EvidenceKind.PUBLICATION,
                        EvidenceKind.TEACHING,
                        EvidenceKind.AWARD,
                        EvidenceKind.REFERRAL,
                    ]
                )
                evidence.append(
                    ReputationEvidence(
                        candidate=person,
                        kind=kind,
                        title=f"{kind.label} by {person.name} (demo)",
                        venue=rng.choice(
                            ["DemoConf", "Example University", "Sample Press", "Meetup"]
                        ),
                        date=(now - timedelta(days=rng.randint(30, 3000))).date(),
                        url=f"https://evidence.example/{i}",
                        verification=EvidenceVerification.VERIFIED
                        if verified
                        else EvidenceVerification.UNVERIFIED,
                        verified_by=hr_admin if verified else None,
                        verified_at=now if verified else None,
                    )
                )
        if rng.random() < 0.3:
            vendor_scores.append(
                VendorScore(
                    candidate=person,
                    vendor=Vendor.KLOUT,
                    value=Decimal(
                        max(
                            1,
                            rng.randint(10, 80)
                            - (KLOUT_GAP_FEMALE if sex_of[i] == Sex.FEMALE else 0),
                        )
                    ),
                    scale_min=Decimal(1),
                    scale_max=Decimal(100),
                    as_of=date(2016, 1, 1) + timedelta(days=rng.randint(0, 870)),
                    source="demo import",
                )
            )
        if rng.random() < 0.2:
            vendor_scores.append(
                VendorScore(
                    candidate=person,
                    vendor=Vendor.KRED,
                    value=Decimal(rng.randint(300, 950)),
                    scale_min=Decimal(1),
                    scale_max=Decimal(1000),
                    as_of=date(2019, 1, 1) + timedelta(days=rng.randint(0, 2000)),
                    source="demo import",
                )
            )
    SocialAccount.objects.bulk_create(accounts, batch_size=1000)
    CandidateNotice.objects.bulk_create(notices, batch_size=1000)
    ReputationEvidence.objects.bulk_create(evidence, batch_size=1000)
    VendorScore.objects.bulk_create(vendor_scores, batch_size=1000)
    _history(accounts, series_by_account, cycles)
    _offline(offline_accounts, cycles[-1], rng)
    # Each day's refresh covered every account it has a snapshot of (the last day the
    # OpenAlex records too), so the refresh page's counts add up to its accounts.
    RefreshCycle.objects.filter(pk__in=[c.pk for c in cycles[:-1]]).update(total=len(accounts))
    RefreshCycle.objects.filter(pk=cycles[-1].pk).update(
        total=len(accounts) + len(offline_accounts)
    )
    # The latest vendor scores and raw metrics, as the import and the refresh keep them.
    readings.readings_rebuild(person.pk for person in people)
    ids = [person.pk for person in people]
    # Today's reputation and vendor scores, and the flags, as a live refresh would leave them.
    score_compute_many(candidate_ids=ids, as_of=now + timedelta(minutes=30))
    flags_detect(candidate_ids=ids, as_of=now + timedelta(minutes=30))
    flags_detect_disagreements(organization=organization, as_of=now + timedelta(minutes=30))
    _jobs(organization, people)


def _self_identify(people: list[Candidate], now: datetime) -> list[str]:
    """Voluntary self-identification for most of the demo's people (its own random stream,
    so the rest of the demo stays as it was); returns each person's sex ("" declined)."""
    rng = random.Random(DEMO_SEED + 1)  # noqa: S311 - synthetic data
    races = [race for race, _ in RACE_WEIGHTS]
    weights = [weight for _, weight in RACE_WEIGHTS]
    rows: list[SelfIdentification] = []
    sexes: list[str] = []
    for person in people:
        if rng.random() >= SELF_IDENTIFIED_SHARE:
            sexes.append(Sex.DECLINED)
            continue
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        race = rng.choices(races, weights)[0] if rng.random() < 0.95 else RaceEthnicity.DECLINED
        sexes.append(sex)
        rows.append(
            SelfIdentification(
                candidate=person,
                sex=sex,
                race_ethnicity=race,
                provided_at=now - timedelta(days=DAYS),
                source=SelfIdentificationSource.ATS,
            )
        )
    SelfIdentification.objects.bulk_create(rows, batch_size=1000)
    return sexes


def _as_network(network: str, series: list[ObservedMetrics]) -> list[ObservedMetrics]:
    """Give each network only the canonical metrics its API reports."""
    if network == "github":
        return [
            {
                "followers": day["followers"] // 20,
                "following": day["following"] // 20,
                "public_repos": day["posts"] // 100,
                "stars": int(day["engagement"]["likes_per_post"] * 3),
                "account_created": day["account_created"],
            }
            for day in series
        ]
    if network == "hackernews":
        return [
            {
                "karma": day["followers"] // 2,
                "posts": day["posts"] // 10,
                "account_created": day["account_created"],
            }
            for day in series
        ]
    return series


def _offline(accounts: list[SocialAccount], cycle: RefreshCycle, rng: random.Random) -> None:
    """OpenAlex author records for the few who publish: one current snapshot each."""
    SocialAccount.objects.bulk_create(accounts, batch_size=1000)
    snapshots = []
    for account in accounts:
        works = rng.randint(1, 120)
        citations = int(works * rng.uniform(0, 60))
        snapshots.append(
            MetricSnapshot(
                account=account,
                cycle=cycle,
                provider="openalex",
                observed_at=cycle.started_at,
                metrics={
                    "works": works,
                    "citations": citations,
                    "h_index": min(works, int(citations**0.5)),
                },
            )
        )
    MetricSnapshot.objects.bulk_create(snapshots, batch_size=1000)


def _history(
    accounts: list[SocialAccount], series: list[list[ObservedMetrics]], cycles: list[RefreshCycle]
) -> None:
    """Daily snapshots for every account and the daily influence score they give."""
    snapshots = [
        MetricSnapshot(
            account=account,
            cycle=cycle,
            provider=account.network,
            observed_at=cycle.started_at,
            metrics=metrics,
        )
        for account, account_series in zip(accounts, series, strict=True)
        for cycle, metrics in zip(cycles, account_series, strict=True)
    ]
    MetricSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    by_candidate_day: dict[tuple[int, int], list[MetricSnapshot]] = {}
    for snapshot in snapshots:
        key = (snapshot.account.candidate_id, snapshot.cycle_id)
        by_candidate_day.setdefault(key, []).append(snapshot)
    scores = [
        score_build_influence(candidate_id=candidate_id, snapshots=day)
        for (candidate_id, _), day in by_candidate_day.items()
    ]
    Score.objects.bulk_create(scores, batch_size=2000)
    score_latest_upsert(rows=scores)
    window_stats.window_stats_refresh({(score.candidate_id, score.scorer) for score in scores})


def _jobs(organization: Organization, people: list[Candidate]) -> None:
    advocate = Job.objects.create(
        organization=organization,
        title="Developer Advocate",
        external_id="demo-job-1",
        jurisdictions=["US-CA", "US-TX"],
        influence_relevance=InfluenceRelevance.CORE,
        relevance_justification="Half of the role is public speaking and writing for developers; "
        "reaching them online is a documented part of the job description.",
    )
    community = Job.objects.create(
        organization=organization,
        title="Community Manager",
        external_id="demo-job-2",
        jurisdictions=["US-NY-NYC"],
        influence_relevance=InfluenceRelevance.SUPPORTING,
        relevance_justification="",
    )
    Job.objects.create(
        organization=organization,
        title="Data Engineer",
        external_id="demo-job-3",
        jurisdictions=["DE", "FR"],
        influence_relevance=InfluenceRelevance.NONE,
    )
    data_engineer = Job.objects.get(organization=organization, external_id="demo-job-3")
    Application.objects.bulk_create(
        [Application(job=advocate, candidate=person) for person in people]
        + [Application(job=community, candidate=person) for person in people[::2]]
        + [Application(job=data_engineer, candidate=person) for person in people[::3]],
        batch_size=1000,
    )
    hr_admin = get_user_model().objects.get(username="hr-admin")
    # "influence 90-day median ≥ 40 OR offline reputation ≥ 30": reach online, or a
    # record offline; values within the candidate's own day-to-day noise go to review.
    either = rule_group_create(
        job=advocate, actor=hr_admin, combinator=Combinator.ANY, name="Reach or record"
    )
    rule_create(
        job=advocate,
        actor=hr_admin,
        group=either,
        metric="influence",
        threshold=Decimal(40),
        aggregation=Aggregation.MEDIAN,
        window_days=90,
        near_band=Decimal(2),
        near_band_source=NearBandSource.VOLATILITY,
        action=RuleAction.NEEDS_REVIEW,
        note="Demo: public reach is half of the role.",
        acknowledgement=DEMO_ACKNOWLEDGEMENT,
    )
    rule_create(
        job=advocate,
        actor=hr_admin,
        group=either,
        metric="reputation",
        threshold=Decimal(30),
        max_data_age_days=365,
        action=RuleAction.NEEDS_REVIEW,
        note="Demo: talks, books and publications count as much as reach.",
        acknowledgement=DEMO_ACKNOWLEDGEMENT,
    )
    # A screen-out draft, not yet put up for approval: the admin shows its fairness
    # warnings and will not let it go live until they are acknowledged in words.
    rule_create(
        job=community,
        actor=hr_admin,
        metric="vendor:klout",
        threshold=Decimal(35),
        action=RuleAction.SCREEN_OUT,
        max_data_age_days=3650,
        activate=False,
        note="Demo draft: Klout closed in 2018; the fairness warnings say why this is a bad idea.",
    )
    screening_run_for_job(job=advocate, actor="demo", reason="demo build")
    _screen_out_job(organization, people)
    _advisory_job(organization, people)


def _screen_out_job(organization: Organization, people: list[Candidate]) -> None:
    """A job with a live screen-out rule, approved by a second HR admin through the services,
    screened, and its bias audit published: a recruiter can take a candidate below the line
    through the FCRA steps at once, and ``/audits/demo/`` shows the LL144 summary."""
    users = get_user_model().objects
    hr_admin, second, auditor = (
        users.get(username=name) for name in ("hr-admin", "hr-admin-2", "auditor")
    )
    today = timezone.localdate()
    job = Job.objects.create(
        organization=organization,
        title=SCREEN_OUT_JOB,
        external_id="demo-job-4",
        jurisdictions=["US-NY-NYC", "US-CA"],
        influence_relevance=InfluenceRelevance.CORE,
        relevance_justification="The role runs the company's own channels: building and "
        "keeping an audience is the documented core of the job description.",
        ll144_notice_posted_on=today - timedelta(days=30),
    )
    Application.objects.bulk_create(
        [Application(job=job, candidate=person) for person in people], batch_size=1000
    )
    rule = rule_create(
        job=job,
        actor=hr_admin,
        metric="influence",
        threshold=Decimal(30),
        aggregation=Aggregation.MEDIAN,
        window_days=90,
        near_band=Decimal(2),
        near_band_source=NearBandSource.VOLATILITY,
        action=RuleAction.SCREEN_OUT,
        activate=False,  # a screen-out rule waits for a second HR admin
        note="Demo: a 90-day median of reach; within the person's own noise goes to review.",
    )
    # Acknowledged in words by its author (the warnings depend on the demo's size), then
    # approved by the second HR admin: live, with no one left to act before a recruiter.
    if unacknowledged_warnings(rule):
        rule_acknowledge(rule=rule, actor=hr_admin, statement=DEMO_SCREEN_OUT_ACKNOWLEDGEMENT)
    rule_approve(rule=rule, approver=second, statement=DEMO_SCREEN_OUT_APPROVAL)
    screening_run_for_job(job=job, actor="demo", reason="demo build")
    live_bias_audit.bias_audit_record(
        live_bias_audit.job_audit(job),
        actor=auditor,
        audited_on=today,
        auditor=DEMO_AUDITOR,
        auditor_independent=True,
        data_source="The job's own screenings (historical data of this employer), with the "
        "sex and race/ethnicity candidates chose to give.",
        distributed_on=today,
        published=True,
    )


def _advisory_job(organization: Organization, people: list[Candidate]) -> None:
    """A job whose one rule is advisory: its finding is shown to the reviewer and never
    decides anything (it goes live without a second approval)."""
    hr_admin = get_user_model().objects.get(username="hr-admin")
    job = Job.objects.create(
        organization=organization,
        title=ADVISORY_JOB,
        external_id="demo-job-5",
        jurisdictions=["US-TX", "GB"],
        influence_relevance=InfluenceRelevance.SUPPORTING,
        relevance_justification="Writes for developers in public: a record of talks and "
        "publications helps the panel, and never decides.",
    )
    Application.objects.bulk_create(
        [Application(job=job, candidate=person) for person in people[2::3]], batch_size=1000
    )
    rule = rule_create(
        job=job,
        actor=hr_admin,
        metric="reputation",
        threshold=Decimal(30),
        max_data_age_days=365,
        action=RuleAction.ADVISORY,
        activate=False,
        note="Demo: shows the offline record to the reviewer; advisory, it decides nothing.",
    )
    acknowledgement = DEMO_ADVISORY_ACKNOWLEDGEMENT if unacknowledged_warnings(rule) else ""
    rule_activate(rule=rule, actor=hr_admin, acknowledgement=acknowledgement)
    screening_run_for_job(job=job, actor="demo", reason="demo build")
