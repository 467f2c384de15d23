"""Screening: a job's live rules over its candidates, set-based, written in bulk.

``screening_run_for_job`` reads, per rule, every candidate's aggregate at once
(PostgreSQL aggregates in SQL, several reads at a time on their own connections;
elsewhere one ordered query per rule folded in Python, see ``hiring.screening.metrics``),
then judges and combines them per candidate with the pure ``hiring.screening.evaluation``
while the rows stream into the database (PostgreSQL: COPY, straight into the
table for a job's first screening, else into a temporary table and one INSERT
... ON CONFLICT DO UPDATE; elsewhere ``bulk_create(update_conflicts=True)``).
One audit event per run records the rule versions, the counts and a digest of
what was written. ``screening_evaluate`` is the same for one candidate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from candidates.models import Candidate
from hiring import selectors
from hiring.models import Application, Job, Screening, ScreeningRule, ScreeningRun
from hiring.screening import metrics
from hiring.screening.evaluation import (
    BAND_VOLATILITY,
    COMBINE_ALL,
    Aggregate,
    RuleResult,
    RuleSpec,
    flag_applies,
    judge,
)
from hiring.screening.reads import ENGINE_PYTHON, ENGINE_SQL, read_aggregates
from hiring.screening.reasons import ScreeningReason
from hiring.screening.spec import rule_definition, rule_spec, verdict_cached
from renown.models import AuditEventType, EventType, audit_jsonable
from renown.queue import enqueue_on_commit
from renown.trail import AuditActor, audit_actor_label, audit_record
from renown.webhooks import conf as webhook_conf
from renown.webhooks import services as webhook_services
from renown.webhooks.events import ScreeningCompletedData

logger = logging.getLogger(__name__)

# Below this many candidates the streamed fold is as fast as the SQL aggregates.
SQL_ENGINE_MIN_CANDIDATES = 200


@dataclass(frozen=True)
class _Rule:
    rule: ScreeningRule
    spec: RuleSpec
    group_key: str
    combinator: str


class _Row(NamedTuple):
    candidate_id: int
    outcome: str
    suggestion: str
    reasons_json: str


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

# What judging one rule for one candidate depends on: value, points used, why missing,
# the newest time a stale reason names, the noise a volatility band uses, the flags.
_Inputs = tuple[Decimal | None, int, str, datetime | None, Decimal | None, tuple[str, ...]]
# A judged rule as the run writes it: (action, outcome, treated_as) for the verdict, and
# the rule's part of the reasons, as JSON text: before its "band", after it up to its
# "data_at", and after that.
_Judged = tuple[tuple[str, str, str], str, str, str]
# In a key: the candidate's noise widens the band but leaves the outcome and the reason
# as they are; only the band the reasons name is the candidate's own (``_Judge.key``).
_OWN_BAND = Decimal(-1)


class _Judge:
    """One rule's judgement of every candidate, remembered per distinct input.

    Many candidates share their inputs (no data, the same latest value): each distinct
    input is judged once (``judge``) and its reason written as JSON once. The key is
    built from plain values, so looking it up costs a tuple's hash, not the rule's.
    """

    def __init__(self, prepared: _Prepared) -> None:
        self.prepared = prepared
        self.seen: dict[_Inputs, _Judged] = {}
        # A volatility band only widens a fixed band: noise within it changes nothing.
        self.noise_counts_above: Decimal | None = (
            prepared.spec.near_band if prepared.spec.near_band_source == BAND_VOLATILITY else None
        )

    def __call__(self, inputs: _Inputs) -> _Judged:
        value, used, missing, stale_since, noise, flags = inputs
        found = Aggregate(value=value, points_used=used, newest_at=stale_since, missing=missing)
        # The own-band marker judges as no noise: outcome and reason are the same (key).
        volatility = None if noise is _OWN_BAND else noise
        result = judge(self.prepared.spec, found, volatility=volatility, flags=flags)
        judged = self.seen[inputs] = (
            (self.prepared.action, result.outcome, result.treated_as),
            *_reason_json(self.prepared.rule_id, self.prepared.version, result),
        )
        return judged

    def key(
        self,
        value: Decimal | None,
        used: int,
        missing: str,
        stale_since: datetime | None,
        noise: Decimal | None,
        flags: tuple[str, ...],
    ) -> _Inputs:
        """The inputs that decide the judgement. Noise within the fixed band changes
        nothing (None); noise wider than it, with the value outside it, changes only the
        band the reason names (``_OWN_BAND``: the run writes the candidate's own)."""
        above = self.noise_counts_above
        if above is None or value is None or noise is None or noise <= above:
            noise = None
        elif abs(value - self.prepared.spec.threshold) > noise:
            noise = _OWN_BAND
        return (value, used, missing, stale_since, noise, flags)


def _reason_json(rule_id: int, version: int, result: RuleResult) -> tuple[str, str, str]:
    """One rule's part of a screening's reasons, as JSON text around its ``band`` and
    its ``data_at``.

    The rule's definition, action and group are in the run (``ScreeningRun.rules``).
    Only the reason is free text; the rest are numbers, Decimals, choices and ISO times.
    """
    value = "null" if result.value is None else f'"{result.value}"'
    return (
        f'{{"rule":{int(rule_id)},"version":{int(version)},"outcome":"{result.outcome}",'
        f'"value":{value},"treated_as":"{result.treated_as}","points":{int(result.points_used)},'
        f'"band":"',
        f'{result.band}","data_at":',
        f',"reason":{_JSON.encode(result.reason)}}}',
    )


def _live_rules(job: Job) -> list[_Rule]:
    rules = []
    for rule in selectors.rule_list_active(job=job):
        group = rule.group
        rules.append(
            _Rule(
                rule=rule,
                spec=rule_spec(rule),
                group_key=f"g{group.pk}" if group is not None else f"r{rule.pk}",
                combinator=group.combinator if group is not None else COMBINE_ALL,
            )
        )
    return rules


@dataclass(frozen=True)
class _Prepared:
    """One rule's constants and reads for the per-candidate loop."""

    spec: RuleSpec
    rule_id: int
    version: int
    group_key: str
    action: str
    flag_since: date
    measured: dict[int, metrics.Measured]
    noise: dict[int, Decimal] | None  # a volatility band's, per measured candidate
    older: dict[int, datetime]


@dataclass
class _Plan:
    """Everything read for a run; the per-candidate combination needs no more queries."""

    candidate_ids: Sequence[int]
    rules: list[_Prepared]
    flags: dict[int, list[metrics.FlagFact]]
    structure: tuple[tuple[str, tuple[int, ...]], ...]


def _prepare(
    rules: Sequence[_Rule],
    population: metrics.Population,
    candidate_ids: Sequence[int],
    now: datetime,
    engine: str,
) -> _Plan:
    """Read every rule's aggregates and the flags (outside any transaction, if possible)."""
    reads = read_aggregates([entry.spec for entry in rules], population, candidate_ids, now, engine)
    prepared = []
    for entry, read in zip(rules, reads, strict=True):
        since = now - timedelta(days=entry.spec.lookback_days)
        # The SQL engine already told stale from never measured; the fold asks here.
        unmeasured = [c for c in candidate_ids if c not in read.measured]
        older = (
            metrics.metric_newest_before(
                metric=entry.spec.metric, candidate_ids=unmeasured, before=since
            )
            if unmeasured and engine != ENGINE_SQL
            else {}
        )
        prepared.append(
            _Prepared(
                spec=entry.spec,
                rule_id=entry.rule.pk,
                version=entry.rule.version,
                group_key=entry.group_key,
                action=entry.rule.acting_action,  # on hold: review only
                flag_since=since.date(),
                measured=read.measured,
                noise=read.noise,
                older=older,
            )
        )
    flags = metrics.flags_for_population(
        population=population, since=min(p.flag_since for p in prepared), until=now.date()
    )
    members: dict[str, list[int]] = {}
    combinators: dict[str, str] = {}
    for index, entry in enumerate(rules):
        members.setdefault(entry.group_key, []).append(index)
        combinators.setdefault(entry.group_key, entry.combinator)
    structure = tuple((combinators[key], tuple(indices)) for key, indices in members.items())
    return _Plan(candidate_ids, prepared, flags, structure)


_NO_NOISE = Decimal(0)  # a measured candidate without two values to compare


def _combine(plan: _Plan) -> Iterator[_Row]:
    """Each candidate's screening, in candidate order, from what was read (pure work).

    The loop runs once a candidate and rule (300,000 times for a job of 100,000 with
    three rules): what it needs of each rule is taken out of the objects once, here.
    """
    times: dict[datetime | None, str] = {None: "null"}
    per_rule = [
        (
            rule.measured.get,
            rule.noise.get if rule.noise is not None else None,
            rule.older.get,
            judge_rule.seen.get,
            judge_rule,
            rule.flag_since,
            rule.spec.metric,
        )
        for rule, judge_rule in ((rule, _Judge(rule)) for rule in plan.rules)
    ]
    flags_of = plan.flags.get
    structure = plan.structure
    for candidate_id in plan.candidate_ids:
        own_flags = flags_of(candidate_id)
        reasons = []
        keys = []
        for measured_of, noise_of, older_of, seen, judge_rule, flag_since, metric in per_rule:
            measured = measured_of(candidate_id)
            if measured is not None:
                value, used, missing, newest = measured
            else:
                newest = older_of(candidate_id)
                value, used, missing = None, 0, "stale" if newest is not None else "none"
            applicable: tuple[str, ...] = ()
            if own_flags and value is not None:
                applicable = tuple(
                    f.label
                    for f in own_flags
                    if f.observed_on >= flag_since and flag_applies(metric, f.kind, f.sources)
                )
            stale_since = newest if value is None else None  # only a stale reason names it
            noise: Decimal | None = None
            if noise_of is None or measured is None:  # no band's noise: the key as it is
                inputs: _Inputs = (value, used, missing, stale_since, None, applicable)
            else:
                noise = noise_of(candidate_id, _NO_NOISE)
                inputs = judge_rule.key(value, used, missing, stale_since, noise, applicable)
            key, before_band, band, tail = seen(inputs) or judge_rule(inputs)
            data_at = times.get(newest)
            if data_at is None:
                data_at = times[newest] = f'"{newest.isoformat(timespec="seconds")}"'  # type: ignore[union-attr]
            if inputs[4] is _OWN_BAND:
                reasons.append(f'{before_band}{noise}","data_at":{data_at}{tail}')
            else:
                reasons.append(before_band + band + data_at + tail)
            keys.append(key)
        combined = verdict_cached(structure, tuple(keys))
        yield _Row(
            candidate_id, combined.outcome, combined.suggestion, "[" + ",".join(reasons) + "]"
        )


class _Tally:
    """Counts per outcome and a SHA-256 over the rows, taken as they stream past."""

    CHUNK = 2000  # rows hashed at once: one update of many lines costs less than many

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.sha = hashlib.sha256()
        self.rows = 0

    def over(self, rows: Iterable[_Row]) -> Iterator[_Row]:
        lines: list[str] = []
        outcomes: list[str] = []
        for row in rows:
            outcomes.append(row.outcome)
            lines.append(
                f"{row.candidate_id}\t{row.outcome}\t{row.suggestion}\t{row.reasons_json}\n"
            )
            if len(lines) == self.CHUNK:
                self._take(lines, outcomes)
            yield row
        self._take(lines, outcomes)

    def _take(self, lines: list[str], outcomes: list[str]) -> None:
        self.sha.update("".join(lines).encode())
        self.counts.update(outcomes)
        self.rows += len(lines)
        lines.clear()
        outcomes.clear()


_COPY_COLUMNS = (
    "candidate_id", "job_id", "outcome", "suggestion", "reasons", "rule_versions",
    "evaluated_at", "run_id",
)  # fmt: skip


def _write(
    job: Job, run: ScreeningRun, rows: Iterable[_Row], rule_versions: dict[str, int]
) -> None:
    """Insert or update the screenings, one per (candidate, job), as the rows come."""
    if connection.vendor == "postgresql":
        # A concurrent run of the same job waits here, then sees these rows. NO KEY: rows
        # that merely reference the job (decisions, applications) are not held up.
        list(Job.objects.select_for_update(no_key=True).filter(pk=job.pk).values_list("pk"))
        first = not Screening.objects.filter(job=job).exists()
        _write_postgresql(job, run, rows, rule_versions, first)
        return
    Screening.objects.bulk_create(
        (
            Screening(
                candidate_id=row.candidate_id,
                job=job,
                outcome=row.outcome,
                suggestion=row.suggestion,
                reasons=json.loads(row.reasons_json),
                rule_versions=rule_versions,
                evaluated_at=run.evaluated_at,
                run=run,
            )
            for row in rows
        ),
        update_conflicts=True,
        unique_fields=["candidate", "job"],
        update_fields=["outcome", "suggestion", "reasons", "rule_versions", "evaluated_at", "run"],
        batch_size=500,
    )


COPY_LINES = 1000  # lines sent to the server at once


def copy_text(value: str) -> str:
    """``value`` as a column of PostgreSQL COPY's text format (never NULL).

    The backslash escapes; a tab, newline or carriage return inside a value would end the
    column or the row, so each is written as its escape.
    """
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _write_postgresql(
    job: Job,
    run: ScreeningRun,
    rows: Iterable[_Row],
    rule_versions: dict[str, int],
    first: bool,
) -> None:
    table = connection.ops.quote_name(Screening._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS)
    versions = json.dumps(rule_versions)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COPY_COLUMNS[2:])
    # A population never screened for the job (its rules just went live) is COPYed
    # straight into the table: nothing to update, and the server inserts while the
    # rows are still being combined here. Otherwise through a temporary table and one
    # INSERT ... ON CONFLICT DO UPDATE.
    target = table if first else "screening_incoming"
    with connection.cursor() as cursor:
        if not first:
            cursor.execute(
                # Our own table and column names, no user input.
                f"CREATE TEMP TABLE screening_incoming ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
        # The rows are combined while the server parses the ones already sent. Each is one
        # line of COPY's text format, written here: half of the row is the same on every
        # line, and psycopg's write_row would format all of it 100,000 times.
        same = f"\t{copy_text(versions)}\t{run.evaluated_at.isoformat()}\t{run.pk}\n"
        with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            lines: list[str] = []
            for row in rows:
                lines.append(
                    f"{row.candidate_id}\t{job.pk}\t{row.outcome}\t{row.suggestion}\t"
                    f"{copy_text(row.reasons_json)}{same}"
                )
                if len(lines) == COPY_LINES:
                    copy.write("".join(lines))
                    lines.clear()
            copy.write("".join(lines))
        if not first:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                f"FROM screening_incoming ON CONFLICT (candidate_id, job_id) DO UPDATE SET {updates}"
            )
            cursor.execute("DROP TABLE screening_incoming")


def _run(
    *,
    job: Job,
    candidate_ids: Sequence[int] | None,
    actor: AuditActor,
    now: datetime | None,
    reason: str,
    engine: str | None = None,
) -> ScreeningRun | None:
    started = timezone.now()
    clock = time.monotonic()
    now = now or started
    rules = _live_rules(job)
    if not rules:
        return None
    population = selectors.application_population(job=job, candidate_ids=candidate_ids)
    ids = sorted(population.values_list("candidate_id", flat=True))
    if engine is None:
        big = len(ids) >= SQL_ENGINE_MIN_CANDIDATES
        engine = ENGINE_SQL if connection.vendor == "postgresql" and big else ENGINE_PYTHON
    plan = _prepare(rules, population, ids, now, engine) if ids else None
    read = time.monotonic()
    rule_versions = {str(entry.rule.pk): entry.rule.version for entry in rules}
    tally = _Tally()
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            job=job,
            started_at=started,
            evaluated_at=now,
            reason=reason[:100],
            actor_label=audit_actor_label(actor),
            rules=[audit_jsonable(rule_definition(entry.rule)) for entry in rules],
            rule_versions=rule_versions,
            engine=engine,
        )
        if plan is not None:
            _write(job, run, tally.over(_combine(plan)), rule_versions)
        written = time.monotonic()
        run.candidates = tally.rows
        run.counts = dict(sorted(tally.counts.items()))
        run.digest = tally.sha.hexdigest()
        run.finished_at = timezone.now()
        run.save(update_fields=["candidates", "counts", "digest", "finished_at"])
        audit_record(
            organization=job.organization,
            actor=actor,
            event_type=AuditEventType.SCREENING_RUN,
            subject=run,
            after={
                "job": job.pk,
                "reason": run.reason,
                "evaluated_at": now,
                "rule_versions": rule_versions,
                "candidates": run.candidates,
                "counts": run.counts,
                "digest": run.digest,
            },
        )
        _emit_screening_completed(job, run)
    logger.debug(
        "screening run %s of job %s: %d candidates, %s engine; read in %.2f s, combined and "
        "written in %.2f s, committed after %.2f s",
        run.pk, job.pk, run.candidates, engine, read - clock, written - read,
        time.monotonic() - written,
    )  # fmt: skip
    return run


def _emit_screening_completed(job: Job, run: ScreeningRun) -> None:
    """``screening.completed`` for the run's screenings, in parts, if anyone subscribed."""
    if job.organization_id not in webhook_services.subscribed_organization_ids(
        EventType.SCREENING_COMPLETED
    ):
        return
    rows = list(
        Screening.objects.filter(job=job, run=run)
        .select_related("candidate")
        .order_by("candidate_id")
        .only(
            "outcome", "suggestion", "evaluated_at", "candidate__public_id",
            "candidate__ats_source", "candidate__external_id",
        )
    )  # fmt: skip
    size = max(1, int(webhook_conf.get("RENOWN_WEBHOOK_SCREENINGS_PER_EVENT")))
    parts = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    items: list[tuple[ScreeningCompletedData, uuid.UUID | None]] = []
    for number, part in enumerate(parts, start=1):
        payload: ScreeningCompletedData = {
            "job": {"id": job.pk, "external_id": job.external_id, "title": job.title},
            "run": {
                "id": run.pk,
                "reason": run.reason,
                "evaluated_at": run.evaluated_at,
                "candidates": run.candidates,
                "counts": run.counts,
                "rule_versions": run.rule_versions,
            },
            "part": number,
            "parts": len(parts),
            "screenings": [
                {
                    "candidate": webhook_services.candidate_ref(row.candidate),
                    "outcome": row.outcome,
                    "suggestion": row.suggestion,
                    "evaluated_at": row.evaluated_at,
                }
                for row in part
            ],
        }
        # One candidate's screening is about that candidate (an erasure removes it).
        items.append((payload, part[0].candidate.public_id if len(rows) == 1 else None))
    webhook_services.event_emit_many(job.organization, EventType.SCREENING_COMPLETED, items)


def screening_run_for_job(
    *,
    job: Job,
    actor: AbstractBaseUser | str | None = None,
    now: datetime | None = None,
    reason: str = "manual",
    engine: str | None = None,
) -> ScreeningRun | None:
    """Screen every candidate of the job against its live rules; write every screening.

    Returns the run, or None (writing nothing) when the job has no live rule.
    ``engine`` forces ``sql`` (PostgreSQL only) or ``python``; by default large
    populations on PostgreSQL use SQL. Idempotent: running again updates each
    candidate's one screening.
    """
    return _run(job=job, candidate_ids=None, actor=actor, now=now, reason=reason, engine=engine)


def screening_rerun_for_candidates(
    *, candidate_ids: Iterable[int], reason: str = "scores changed", actor: AuditActor = None
) -> list[ScreeningRun]:
    """Screen these candidates again for every job they are considered for (scores moved)."""
    ids = sorted(set(candidate_ids))
    job_ids = (
        Application.objects.filter(candidate_id__in=ids, job__rules__active=True)
        .values_list("job_id", flat=True)
        .distinct()
    )
    runs = []
    for job in Job.objects.filter(pk__in=list(job_ids)).select_related("organization"):
        run = _run(job=job, candidate_ids=ids, actor=actor, now=None, reason=reason)
        if run is not None:
            runs.append(run)
    return runs


def application_add(
    *, job: Job, candidate: Candidate, external_id: str = "", actor: AuditActor = None
) -> Application:
    """Consider the candidate for the job (idempotent); they are screened after commit.

    A new application records ``application.added``; an existing one is returned
    as it is. Raises ValueError when the candidate and the job belong to different
    organisations.
    """
    if candidate.organization_id != job.organization_id:
        raise ValueError("candidate and job belong to different organisations")
    with transaction.atomic():
        application, created = Application.objects.get_or_create(
            job=job, candidate=candidate, defaults={"external_id": external_id}
        )
        if created:
            audit_record(
                organization=job.organization,
                actor=actor,
                event_type=AuditEventType.APPLICATION_ADDED,
                subject=application,
                after={
                    "candidate": str(candidate.public_id),
                    "job": job.pk,
                    "external_id": application.external_id,
                },
            )
    if created:
        from hiring.tasks import screening_rerun_task

        candidate_id = candidate.pk
        enqueue_on_commit(screening_rerun_task, [candidate_id], "new application")
    return application


def screening_evaluate(
    *,
    candidate: Candidate,
    job: Job,
    now: datetime | None = None,
    actor: AbstractBaseUser | str | None = None,
    reason: str = "one candidate",
) -> Screening | None:
    """Evaluate the job's live rules for one candidate and store the outcome.

    Records each rule's outcome, the value it used and the rule version, so the
    screening can be explained after scores move; the candidate is considered
    for the job from then on. Returns None (and stores nothing) when the job has
    no live rule. Raises ValueError if the candidate and job belong to different
    organisations.
    """
    if candidate.organization_id != job.organization_id:
        raise ValueError("candidate and job belong to different organisations")
    if not job.rules.filter(active=True).exists():
        return None
    Application.objects.get_or_create(job=job, candidate=candidate)
    run = _run(
        job=job,
        candidate_ids=[candidate.pk],
        actor=actor,
        now=now,
        reason=reason,
        engine=ENGINE_PYTHON,
    )
    if run is None:
        return None
    return Screening.objects.get(candidate=candidate, job=job)


class ScreeningSnapshot(TypedDict):
    """A screening as a reviewer saw it (``Decision.screening_snapshot``)."""

    screening: int
    run: int | None
    outcome: str
    suggestion: str
    reasons: list[ScreeningReason]
    rule_versions: dict[str, int]  # {rule id: version}
    evaluated_at: str  # ISO time


def screening_snapshot(screening: Screening) -> ScreeningSnapshot:
    """The screening as a reviewer sees it now, for a decision to keep."""
    return {
        "screening": screening.pk,
        "run": screening.run_id,
        "outcome": screening.outcome,
        "suggestion": screening.suggestion,
        "reasons": screening.reasons,
        "rule_versions": screening.rule_versions,
        "evaluated_at": screening.evaluated_at.isoformat(),
    }
