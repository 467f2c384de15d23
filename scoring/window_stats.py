"""Window statistics kept at scoring time: one row per candidate, scorer and window.

A rule that aggregates a scorer over a window ("influence 90-day median ≥ 40") used to
reduce up to a year of daily score rows per person on every preview, screening and
band. Those figures change only when a score is written, or when a day leaves the
window; so they are kept in ``ScoreWindowStats`` and readers take one row per person.

**Windows are calendar days.** The window of N days on day D holds the readings whose
``as_of`` is at or after midnight UTC of day D - N + 1 (``window_start``): today and the
N - 1 days before it. The history engines of ``hiring.screening`` use the same bounds,
so the statistics and the history always agree.

**Kept up to date**, set-based, in the transaction that writes:

- ``window_stats_refresh``: when scores are written (``scoring.services.scores``: the
  COPY upsert of a refresh, a rescore, a backfill), the touched (candidate, scorer)
  pairs are reduced again from their history, every window at once;
- ``window_stats_slide`` (nightly, ``scoring.tasks.window_stats_slide``; the command
  ``window_stats --slide`` for hosts without beat): the pairs whose oldest reading has
  left a window since, again from history;
- ``window_stats_rebuild``: everything of an organisation from history (the command
  ``window_stats --org SLUG``), idempotent.

A row is exact for day D as long as its ``oldest_at`` is inside D's window: every
write refreshes its pairs, and a day passing only ever removes readings. Readers call
``window_stats_ensure`` first, which slides whatever the nightly task has not (a host
without beat still reads exact figures).

On PostgreSQL one statement reduces the pairs (``percentile_disc`` for the two middle
values, as the history engine); elsewhere the same figures are folded here
(``reduce_window``, the reference a test holds the SQL to).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.db.models import Q

from candidates.models import Candidate
from renown.models import Organization
from scoring import conf, readings
from scoring.models import LatestScore, Score, ScoreWindowStats, StatsWindow
from scoring.windows import window_start

WINDOWS: Final[tuple[int, ...]] = tuple(int(w) for w in StatsWindow.values)
LONGEST: Final = max(WINDOWS)
# The span a volatility band reads (hiring.screening.evaluation.VOLATILITY_WINDOW_DAYS).
NOISE_WINDOW_DAYS: Final = 90
CHUNK: Final = 5000

Pair = tuple[int, str]  # (candidate id, scorer)


def statistics_enabled() -> bool:
    """Whether the statistics are kept and read (``RENOWN_WINDOW_STATS``)."""
    return conf.get("RENOWN_WINDOW_STATS")


def today() -> date:
    """The current UTC day: the day every window ends on."""
    return datetime.now(tz=UTC).date()


# --- the reference reduction ----------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: Decimal
    id: int


@dataclass(frozen=True)
class WindowFigures:
    """What one window's readings reduce to (the columns of ``ScoreWindowStats``)."""

    readings: int
    oldest_at: datetime
    newest_at: datetime
    latest_value: Decimal
    min_value: Decimal
    max_value: Decimal
    median_low: Decimal
    median_high: Decimal
    noise_low: Decimal | None
    noise_high: Decimal | None


def _middles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[(n + 1) // 2 - 1], ordered[n // 2]


def _noise(values: Sequence[Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """The two middle absolute deviations of consecutive changes from their median."""
    changes = [b - a for a, b in itertools.pairwise(values)]
    if not changes:
        return None, None
    low, high = _middles(changes)
    centre = low if low == high else (low + high) / 2
    return _middles([abs(c - centre) for c in changes])


def reduce_window(readings: Sequence[Reading], *, day: date, days: int) -> WindowFigures | None:
    """One window's figures from a pair's readings (any order); None when it holds none."""
    start = window_start(day, days)
    inside = sorted((r for r in readings if r.at >= start), key=lambda r: (r.at, r.id))
    if not inside:
        return None
    values = [r.value for r in inside]
    low, high = _middles(values)
    noise_low, noise_high = _noise(values) if days == NOISE_WINDOW_DAYS else (None, None)
    return WindowFigures(
        readings=len(inside),
        oldest_at=inside[0].at,
        newest_at=inside[-1].at,
        latest_value=inside[-1].value,
        min_value=min(values),
        max_value=max(values),
        median_low=low,
        median_high=high,
        noise_low=noise_low,
        noise_high=noise_high,
    )


# --- maintenance ----------------------------------------------------------------------


def _quote(
    model: type[ScoreWindowStats] | type[Score] | type[Candidate] | type[LatestScore],
) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


_COLUMNS = (
    "candidate_id, scorer, window_days, readings, oldest_at, newest_at, latest_value, "
    "min_value, max_value, median_low, median_high, noise_low, noise_high, computed_on"
)


def _refresh_sql(pairs_sql: str) -> str:
    """The statement that reduces the pairs ``pairs_sql`` selects (candidate_id, scorer)
    and replaces their rows: every window at once, the noise on the 90-day row.

    One pass over each pair's year of history, in the index's order: the windows are
    FILTERed aggregates of the same rows (a window is a suffix of the year), unpivoted
    into a row each; a window function gives the consecutive changes inside the noise
    window, whose middles and deviation middles come from one sorted array per pair.
    """
    stats, score = _quote(ScoreWindowStats), _quote(Score)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", ")[3:])
    per_window = ", ".join(
        f"count(*) FILTER (WHERE as_of >= %(w{d})s) AS n{d}, "
        f"min(as_of) FILTER (WHERE as_of >= %(w{d})s) AS o{d}, "
        f"min(value) FILTER (WHERE as_of >= %(w{d})s) AS lo{d}, "
        f"max(value) FILTER (WHERE as_of >= %(w{d})s) AS hi{d}, "
        "percentile_disc(ARRAY[0.5, 0.5000001]) WITHIN GROUP (ORDER BY value) "
        f"FILTER (WHERE as_of >= %(w{d})s) AS m{d}"
        for d in WINDOWS
    )
    unpivot = ", ".join(f"({d}, n{d}, o{d}, lo{d}, hi{d}, m{d})" for d in WINDOWS)
    return (
        f"WITH t AS ({pairs_sql}), "  # noqa: S608 - our own table and column names
        "r AS (SELECT s.candidate_id, s.scorer, s.as_of, s.value, s.id, "
        "CASE WHEN s.as_of >= %(noise_start)s AND lag(s.as_of) OVER w >= %(noise_start)s "
        "THEN s.value - lag(s.value) OVER w END AS change "
        f"FROM t JOIN {score} s ON s.candidate_id = t.candidate_id AND s.scorer = t.scorer "
        "AND s.as_of >= %(earliest)s "
        "WINDOW w AS (PARTITION BY s.candidate_id, s.scorer ORDER BY s.as_of, s.id)), "
        "g AS (SELECT candidate_id, scorer, max(as_of) AS newest, "
        "(array_agg(value ORDER BY as_of DESC, id DESC))[1] AS latest, "
        f"{per_window}, "
        "array_agg(change ORDER BY change) FILTER (WHERE change IS NOT NULL) AS ch "
        "FROM r GROUP BY candidate_id, scorer), "
        "nz AS (SELECT candidate_id, scorer, d[(k + 1) / 2] AS lo, d[k / 2 + 1] AS hi "
        "FROM (SELECT candidate_id, scorer, ch, cardinality(ch) AS k, "
        "(ch[(cardinality(ch) + 1) / 2] + ch[cardinality(ch) / 2 + 1]) / 2 AS centre "
        "FROM g WHERE ch IS NOT NULL) c, LATERAL (SELECT array_agg(abs(x - centre) "
        "ORDER BY abs(x - centre)) AS d FROM unnest(ch) x) dev), "
        "rows AS (SELECT g.candidate_id, g.scorer, w.days, w.n, w.o, g.newest, g.latest, "
        "w.lo, w.hi, w.m[1] AS m1, w.m[2] AS m2, "
        "CASE WHEN w.days = %(noise_days)s THEN nz.lo END AS nlo, "
        "CASE WHEN w.days = %(noise_days)s THEN nz.hi END AS nhi "
        "FROM g LEFT JOIN nz ON nz.candidate_id = g.candidate_id AND nz.scorer = g.scorer "
        f"CROSS JOIN LATERAL (VALUES {unpivot}) AS w(days, n, o, lo, hi, m) WHERE w.n > 0), "
        f"up AS (INSERT INTO {stats} ({_COLUMNS}) "
        "SELECT candidate_id, scorer, days, n, o, newest, latest, lo, hi, m1, m2, nlo, nhi, "
        "%(day)s FROM rows ORDER BY candidate_id, scorer, days "
        f"ON CONFLICT (candidate_id, scorer, window_days) DO UPDATE SET {updates} "
        # A concurrent statement (a slide beside a write) that saw less history never
        # replaces a row holding a newer reading than it saw.
        f"WHERE {stats}.newest_at <= excluded.newest_at) "
        # Windows left with no reading lose their row (the statement sees the rows as they
        # were before it; those it upserts are in ``rows``) - only if the row's newest
        # reading has left the window too, so a row a concurrent write just filled stays.
        f"DELETE FROM {stats} st USING t WHERE st.candidate_id = t.candidate_id "
        "AND st.scorer = t.scorer AND NOT EXISTS (SELECT 1 FROM rows WHERE "
        "rows.candidate_id = st.candidate_id AND rows.scorer = st.scorer "
        "AND rows.days = st.window_days) "
        "AND st.newest_at < ((%(day)s::date - (st.window_days - 1))::timestamp AT TIME ZONE 'UTC')"
    )


_Param = int | date | datetime | list[int] | list[str]


def _params(day: date) -> dict[str, _Param]:
    params: dict[str, _Param] = {f"w{days}": window_start(day, days) for days in WINDOWS}
    params.update(
        earliest=window_start(day, LONGEST),
        noise_start=window_start(day, NOISE_WINDOW_DAYS),
        noise_days=NOISE_WINDOW_DAYS,
        day=day,
    )
    return params


def window_stats_refresh(pairs: Iterable[Pair], *, day: date | None = None) -> int:
    """Reduce each (candidate, scorer) pair again from its history; returns the pairs.

    Call it in the transaction that writes the scores. Pairs with no reading left in
    a window lose that window's row.
    """
    day = day or today()
    todo = sorted(set(pairs))
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        if connection.vendor == "postgresql":
            sql = _refresh_sql(
                # In the history index's order, so that each pair's rows arrive grouped.
                "SELECT DISTINCT * FROM unnest(%(ids)s::bigint[], %(scorers)s::text[]) "
                "AS u(candidate_id, scorer) ORDER BY candidate_id, scorer"
            )
            params = _params(day) | {
                "ids": [c for c, _ in chunk],
                "scorers": [s for _, s in chunk],
            }
            with transaction.atomic(), connection.cursor() as cursor:
                # The sorts of a chunk's history stay in memory (as a screening's do).
                cursor.execute("SELECT set_config('work_mem', '64MB', true)")
                cursor.execute(sql, params)
        else:
            _refresh_python(chunk, day)
    return len(todo)


def _pairs_q(pairs: Sequence[Pair]) -> Q:
    by_scorer: dict[str, list[int]] = {}
    for candidate_id, scorer in pairs:
        by_scorer.setdefault(scorer, []).append(candidate_id)
    q = Q(pk__in=[])
    for scorer, ids in by_scorer.items():
        q |= Q(scorer=scorer, candidate_id__in=ids)
    return q


def _refresh_python(pairs: Sequence[Pair], day: date) -> None:
    """The same reduction folded here (SQLite and other databases)."""
    rows = (
        Score.objects.filter(_pairs_q(pairs), as_of__gte=window_start(day, LONGEST))
        .order_by("candidate_id", "scorer", "as_of", "id")
        .values_list("candidate_id", "scorer", "as_of", "value", "id")
    )
    history: dict[Pair, list[Reading]] = {}
    for candidate_id, scorer, at, value, pk in rows:
        history.setdefault((candidate_id, scorer), []).append(Reading(at, value, pk))
    fresh: list[ScoreWindowStats] = []
    for pair in pairs:
        for days in WINDOWS:
            figures = reduce_window(history.get(pair, []), day=day, days=days)
            if figures is not None:
                fresh.append(
                    ScoreWindowStats(
                        candidate_id=pair[0],
                        scorer=pair[1],
                        window_days=days,
                        computed_on=day,
                        **figures.__dict__,
                    )
                )
    with transaction.atomic():
        ScoreWindowStats.objects.filter(_pairs_q(pairs)).delete()
        ScoreWindowStats.objects.bulk_create(fresh, batch_size=2000)


def _slid_q(day: date) -> Q:
    """Rows holding a reading that has left their window on ``day``."""
    q = Q(pk__in=[])
    for days in WINDOWS:
        q |= Q(window_days=days, oldest_at__lt=window_start(day, days))
    return q


def _slid_pairs(day: date, candidates: Q | None = None) -> Iterator[list[Pair]]:
    rows = ScoreWindowStats.objects.filter(_slid_q(day))
    if candidates is not None:
        rows = rows.filter(candidates)
    pairs = rows.values_list("candidate_id", "scorer").distinct().order_by("candidate_id", "scorer")
    batch: list[Pair] = []
    for pair in pairs.iterator(chunk_size=CHUNK):
        batch.append(pair)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def window_stats_slide(*, day: date | None = None, organization: Organization | None = None) -> int:
    """Reduce again the pairs whose window lost a reading by ``day``; returns the pairs."""
    day = day or today()
    candidates = Q(candidate__organization=organization) if organization is not None else None
    done = 0
    for batch in list(_slid_pairs(day, candidates)):
        done += window_stats_refresh(batch, day=day)
    return done


def _any_behind(day: date) -> bool:
    """Whether any row, anyone's, holds a reading its window has lost by ``day``: the
    oldest reading of each window, first along the slide index. (Not one ``exists()``
    over all windows: with statistics that have not caught up, PostgreSQL reads that
    as a scan expected to stop early, and reads the whole table.)"""
    for days in WINDOWS:
        oldest = (
            ScoreWindowStats.objects.filter(window_days=days)
            .order_by("oldest_at")
            .values_list("oldest_at", flat=True)
            .first()
        )
        if oldest is not None and oldest < window_start(day, days):
            return True
    return False


def window_stats_ensure(candidate_ids: Collection[int] | None = None, *, scorer: str) -> None:
    """Before reading: slide the rows of these candidates (all: None) that are behind.

    After the nightly slide this finds nothing, by one probe of the slide index per
    window (anyone's rows: a population's ids would cost more than the probe); a host
    without beat pays the slide here, once a day.
    """
    day = today()
    if not _any_behind(day):
        return
    q = Q(scorer=scorer)
    if candidate_ids is not None:
        q &= Q(candidate_id__in=list(candidate_ids))
    for batch in list(_slid_pairs(day, q)):
        window_stats_refresh(batch, day=day)


def _latest_rebuild(candidate_ids: Sequence[int]) -> None:
    """The candidates' ``LatestScore`` rows again from their score history."""
    LatestScore.objects.filter(candidate_id__in=candidate_ids).delete()
    if connection.vendor == "postgresql":
        latest, score, candidates = _quote(LatestScore), _quote(Score), _quote(Candidate)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {latest} (candidate_id, organization_id, scorer, value, as_of) "  # noqa: S608
                "SELECT DISTINCT ON (s.candidate_id, s.scorer) s.candidate_id, c.organization_id, "
                f"s.scorer, s.value, s.as_of FROM {score} s JOIN {candidates} c "
                "ON c.id = s.candidate_id WHERE s.candidate_id = ANY(%s) "
                "ORDER BY s.candidate_id, s.scorer, s.as_of DESC, s.id DESC",
                [list(candidate_ids)],
            )
        return
    organizations = dict(
        Candidate.objects.filter(pk__in=candidate_ids).values_list("pk", "organization_id")
    )
    newest: dict[Pair, tuple[Decimal, datetime]] = {}
    for candidate_id, scorer, value, at in (
        Score.objects.filter(candidate_id__in=candidate_ids)
        .order_by("candidate_id", "scorer", "as_of", "id")
        .values_list("candidate_id", "scorer", "value", "as_of")
    ):
        newest[(candidate_id, scorer)] = (value, at)
    LatestScore.objects.bulk_create(
        [
            LatestScore(
                candidate_id=candidate_id,
                organization_id=organizations[candidate_id],
                scorer=scorer,
                value=value,
                as_of=at,
            )
            for (candidate_id, scorer), (value, at) in newest.items()
        ],
        batch_size=2000,
    )


def window_stats_rebuild(
    *,
    organization: Organization,
    day: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Every pair of the organisation again from history (idempotent); returns the pairs.

    The latest-value rows (``LatestScore``) are rebuilt with them. Works through the candidates in chunks, each in its own transaction, calling
    ``progress(done, total)`` (candidates) after each; rows of candidates with no
    reading in a year go.
    """
    day = day or today()
    ids = list(
        Candidate.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pairs_done = 0
    # Vendors' and raw metrics' latest values too (LatestReading; migration 0003 runs
    # this before the table exists).
    with_readings = readings.table_exists()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        pairs = set(
            Score.objects.filter(candidate_id__in=chunk, as_of__gte=window_start(day, LONGEST))
            .values_list("candidate_id", "scorer")
            .distinct()
        )
        with transaction.atomic():
            _latest_rebuild(chunk)
            if with_readings:
                readings.readings_rebuild(chunk)
            ScoreWindowStats.objects.filter(candidate_id__in=chunk).exclude(
                _pairs_q(sorted(pairs))
            ).delete()
            pairs_done += window_stats_refresh(pairs, day=day)
        if progress is not None:
            progress(min(start + CHUNK, len(ids)), len(ids))
    return pairs_done
