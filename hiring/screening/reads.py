"""A screening run's reads of every rule's aggregates: a streamed fold, or SQL aggregates
read concurrently, each on its own connection, over contiguous candidate-id ranges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import NamedTuple, TypeVar

from django.db import connection, connections
from django.db.models import QuerySet

from hiring import conf as hiring_conf
from hiring.screening import metrics
from hiring.screening.evaluation import BAND_VOLATILITY, RuleSpec

ENGINE_SQL = "sql"
ENGINE_PYTHON = "python"
# Below this many, one read per rule is as fast as several over id ranges.
PARTITION_MIN_CANDIDATES = 10_000

T = TypeVar("T")


def _in_own_connection(read: Callable[[], T]) -> T:
    try:
        return read()
    finally:
        connections.close_all()  # this thread's connections


def _concurrently(reads: Sequence[Callable[[], T]]) -> list[T]:
    """Run independent reads at the same time, each on its own connection.

    Only outside a transaction: another connection would not see uncommitted rows
    (and in tests everything is uncommitted), so inside one they run in turn.
    """
    threads = min(len(reads), hiring_conf.get("RENOWN_SCREENING_SQL_THREADS"))
    if threads <= 1 or connection.in_atomic_block:
        return [read() for read in reads]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="screening") as pool:
        return list(pool.map(_in_own_connection, reads))


def _parts(
    population: metrics.Population, candidate_ids: Sequence[int]
) -> list[metrics.Population]:
    """The population in contiguous candidate-id ranges, one read each (PostgreSQL uses a
    core per read); the whole population when reads cannot run at the same time."""
    count = hiring_conf.get("RENOWN_SCREENING_SQL_PARTS")
    if (
        connection.in_atomic_block
        or count <= 1
        or len(candidate_ids) < PARTITION_MIN_CANDIDATES
        or not isinstance(population, QuerySet)
    ):
        return [population]
    size = -(-len(candidate_ids) // count)
    return [
        population.filter(
            candidate_id__gte=candidate_ids[start],
            candidate_id__lte=candidate_ids[min(start + size, len(candidate_ids)) - 1],
        )
        for start in range(0, len(candidate_ids), size)
    ]


def _read_into(found: dict[int, T], read: Callable[[], dict[int, T]]) -> Callable[[], None]:
    """Run ``read``; what adds its result to ``found`` (called once every read is done)."""
    result = read()
    return partial(found.update, result)


class RuleReads(NamedTuple):
    """One rule's reads for a screening run: each measured candidate's ``Measured``, and
    for a volatility band each one's noise (a measured candidate without one has 0: no
    two values to compare); None without a band."""

    measured: dict[int, metrics.Measured]
    noise: dict[int, Decimal] | None


def _python_reads(spec: RuleSpec, population: metrics.Population, now: datetime) -> RuleReads:
    found = metrics.metric_aggregates_python(rule=spec, population=population, now=now)
    measured: dict[int, metrics.Measured] = {
        candidate_id: (a.value, a.points_used, a.missing, a.newest_at)
        for candidate_id, (a, _) in found.items()
    }
    if spec.near_band_source != BAND_VOLATILITY:
        return RuleReads(measured, None)
    zero = Decimal(0)
    noise = {
        candidate_id: zero if volatility is None else volatility
        for candidate_id, (_, volatility) in found.items()
    }
    return RuleReads(measured, noise)


def read_aggregates(
    specs: Sequence[RuleSpec],
    population: metrics.Population,
    candidate_ids: Sequence[int],
    now: datetime,
    engine: str,
) -> list[RuleReads]:
    """Every rule's aggregates for the population: SQL (concurrently) or a streamed fold."""
    if engine != ENGINE_SQL:
        return [_python_reads(spec, population, now) for spec in specs]
    parts = _parts(population, candidate_ids)
    measured: list[dict[int, metrics.Measured]] = [{} for _ in specs]
    noise: list[dict[int, Decimal] | None] = [
        {} if spec.near_band_source == BAND_VOLATILITY else None for spec in specs
    ]
    # Each read returns how to merge its result: merged here, in order, not in its thread.
    reads: list[Callable[[], Callable[[], None]]] = []
    for index, spec in enumerate(specs):
        # A latest value is an index probe per candidate: cheap enough in one read.
        heavy = spec.uses_window or spec.near_band_source == BAND_VOLATILITY
        for part in parts if heavy else [population]:
            read_measures = partial(
                metrics.metric_measures_sql, rule=spec, population=part, now=now
            )
            reads.append(partial(_read_into, measured[index], read_measures))
            if (noise_found := noise[index]) is not None:
                read_noise = partial(
                    metrics.metric_volatility_sql, rule=spec, population=part, now=now
                )
                reads.append(partial(_read_into, noise_found, read_noise))
    for merge in _concurrently(reads):
        merge()
    return [RuleReads(found, noise[index]) for index, found in enumerate(measured)]
