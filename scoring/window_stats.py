"""Window statistics kept at scoring time: one row per candidate and scorer.

A rule that aggregates a scorer over a window ("influence 90-day median ≥ 40") used to
reduce up to a year of daily score rows per person on every preview, screening and
band. Those figures change only when a score is written, or when a day leaves the
window; so they are kept in ``ScoreWindowStats`` and readers take one row per person.

**Windows are calendar days.** The window of N days on day D holds the readings whose
``as_of`` is at or after midnight UTC of day D - N + 1 (``window_start``): today and the
N - 1 days before it. The history engines of ``hiring.screening`` use the same bounds,
so the statistics and the history always agree.

**Kept up to date**, set-based, in the transaction that writes:

- when scores are written (``scoring.services.scores``: the COPY upsert of a refresh, a
  rescore, a backfill). On PostgreSQL a pair that got one reading newer than any it
  had, on a row nothing has left since it was computed (the everyday case: a refresh),
  is updated in place without its history (``_append_sql``): the reading goes into each
  window's sorted values (a binary search, ``width_bucket``), its change into the noise
  window's sorted changes (both kept beside the row, in ``ScoreWindowValues``, so that
  readers read narrow rows), and the figures are read off the arrays, all in the score
  write's own INSERT statement (``written_sql``: nothing written is read back, no round
  trip). Any other pair (a new one, a backfill, a row that is behind) is reduced again
  from its history (``window_stats_refresh``), every window at once;
- ``window_stats_slide`` (nightly, ``scoring.tasks.window_stats_slide``; the command
  ``window_stats --slide`` for hosts without beat): the rows whose ``slides_on`` has
  come, again from history;
- ``window_stats_rebuild``: everything of an organisation from history (the command
  ``window_stats --org SLUG``), idempotent.

A row is exact for day D as long as ``slides_on`` is after D: every write keeps its
row, and a day passing only ever removes readings. Readers call
``window_stats_ensure`` first, which slides whatever the nightly task has not (a host
without beat still reads exact figures).

The median and the noise (the middle absolute deviations of consecutive changes) are
kept as their two middle values, as the history engines compute them. On PostgreSQL
the noise comes from the sorted changes by ``renown_scoring_middle_deviations``
(migration 0004: the k nearest values to the centre are a run of the sorted array,
found by a binary search); elsewhere the same figures are folded here
(``reduce_window``, the reference the tests hold both SQL paths to).
"""

# The SQL here is built from our own table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.db.models import Q

from candidates.models import Candidate
from renown.models import Organization
from scoring import conf, readings
from scoring.models import LatestScore, Score, ScoreWindowStats, ScoreWindowValues, StatsWindow
from scoring.windows import window_start

WINDOWS: Final[tuple[int, ...]] = tuple(sorted(int(w) for w in StatsWindow.values))
LONGEST: Final = max(WINDOWS)
# The span a volatility band reads (hiring.screening.evaluation.VOLATILITY_WINDOW_DAYS).
NOISE_WINDOW_DAYS: Final = 90
CHUNK: Final = 5000
# The PostgreSQL function of migration 0004 (the two middle deviations, doubled).
DEVIATIONS_FUNCTION: Final = "renown_scoring_middle_deviations"

Pair = tuple[int, str]  # (candidate id, scorer)


def statistics_enabled() -> bool:
    """Whether the statistics are kept and read (``RENOWN_WINDOW_STATS``)."""
    return conf.get("RENOWN_WINDOW_STATS")


def today() -> date:
    """The current UTC day: the day every window ends on."""
    return datetime.now(tz=UTC).date()


def column(name: str, days: int) -> str:
    """A window's column of ``ScoreWindowStats``: ``column("median_low", 90)``."""
    return f"{name}_{days}"


# --- the reference reduction ----------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: Decimal
    id: int


@dataclass(frozen=True)
class WindowFigures:
    """What one window's readings reduce to."""

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


def kept_figures(row: ScoreWindowStats) -> dict[int, WindowFigures]:
    """A kept row's figures per window that holds a reading (as ``reduce_window`` gives)."""
    found = {}
    for days in WINDOWS:
        readings = getattr(row, column("readings", days))
        if readings:
            noise = days == NOISE_WINDOW_DAYS
            found[days] = WindowFigures(
                readings=readings,
                oldest_at=getattr(row, column("oldest", days)),
                newest_at=row.newest_at,
                latest_value=row.latest_value,
                min_value=getattr(row, column("min", days)),
                max_value=getattr(row, column("max", days)),
                median_low=getattr(row, column("median_low", days)),
                median_high=getattr(row, column("median_high", days)),
                noise_low=row.noise_low if noise else None,
                noise_high=row.noise_high if noise else None,
            )
    return found


def kept_values(row: ScoreWindowValues) -> dict[int, list[int]]:
    """Each window's sorted values (hundredths) behind a kept row, a window kept as NULL
    (the same readings as the next smaller one, stored once) given in full."""
    found: dict[int, list[int]] = {}
    held: list[int] = []
    for days in WINDOWS:
        if (own := getattr(row, column("sorted", days))) is not None:
            held = own
        found[days] = held
    return found


def slides_on(oldest: Iterable[tuple[int, datetime]]) -> date:
    """The first day on which one of these (window, oldest reading) loses its reading."""
    return min(at.astimezone(UTC).date() + timedelta(days=days) for days, at in oldest)


# --- maintenance: PostgreSQL ----------------------------------------------------------


def _quote(
    model: type[ScoreWindowStats]
    | type[ScoreWindowValues]
    | type[Score]
    | type[Candidate]
    | type[LatestScore],
) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


_WINDOW_FIGURES = ("readings", "oldest", "min", "max", "median_low", "median_high")
_COLUMNS: Final = (
    "candidate_id", "scorer", "newest_at", "latest_value", "noise_low", "noise_high",
    "computed_on", "slides_on",
    *(column(name, days) for days in WINDOWS for name in _WINDOW_FIGURES),
)  # fmt: skip
# ScoreWindowValues, beside each row on PostgreSQL.
_VALUES: Final = ("changes", *(column("sorted", days) for days in WINDOWS))


def _figures_sql(array: str, count: str) -> tuple[str, ...]:
    """min, max and the two middles of a window, read off its sorted values (hundredths)."""
    return (
        f"{array}[1] / 100.0",
        f"{array}[{count}] / 100.0",
        f"{array}[({count} + 1) / 2] / 100.0",
        f"{array}[{count} / 2 + 1] / 100.0",
    )


def _noise_sql(changes: str) -> tuple[str, str]:
    deviations = f"({DEVIATIONS_FUNCTION}({changes}))"
    return f"{deviations}[1] / 200.0", f"{deviations}[2] / 200.0"


def _slides_on_sql(oldest: Callable[[int], str]) -> str:
    return (
        "LEAST("
        + ", ".join(f"(({oldest(days)}) AT TIME ZONE 'UTC')::date + {days}" for days in WINDOWS)
        + ")"
    )


def _refresh_sql(pairs_sql: str) -> str:
    """The statement that reduces the pairs ``pairs_sql`` selects (candidate_id, scorer)
    and replaces their rows (the figures and the values beside them).

    One pass over each pair's year of history, in the index's order: each window's
    values are a FILTERed, sorted ``array_agg`` of the same rows (a window is a suffix
    of the year), its figures read off the array; a window function gives the
    consecutive changes inside the noise window, sorted into one array per pair.
    """
    stats, values, score = _quote(ScoreWindowStats), _quote(ScoreWindowValues), _quote(Score)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[2:])
    per_window = ", ".join(
        f"count(*) FILTER (WHERE as_of >= %(w{d})s) AS n{d}, "
        f"min(as_of) FILTER (WHERE as_of >= %(w{d})s) AS o{d}, "
        f"array_agg((value * 100)::int ORDER BY value) FILTER (WHERE as_of >= %(w{d})s) AS a{d}"
        for d in WINDOWS
    )
    figures, kept = [], []
    for i, d in enumerate(WINDOWS):
        figures.append(f"n{d}, o{d}, {', '.join(_figures_sql(f'a{d}', f'n{d}'))}")
        if i == 0:
            kept.append(f"coalesce(a{d}, '{{}}')")
        else:
            # NULL: the same readings as the next smaller window (kept once).
            kept.append(f"CASE WHEN n{d} = n{WINDOWS[i - 1]} THEN NULL ELSE a{d} END")
    noise_low, noise_high = _noise_sql("ch")
    return (
        f"WITH t AS ({pairs_sql}), "
        "r AS (SELECT s.candidate_id, s.scorer, s.as_of, s.value, s.id, "
        "CASE WHEN s.as_of >= %(noise_start)s AND lag(s.as_of) OVER w >= %(noise_start)s "
        "THEN ((s.value - lag(s.value) OVER w) * 100)::int END AS change "
        f"FROM t JOIN {score} s ON s.candidate_id = t.candidate_id AND s.scorer = t.scorer "
        "AND s.as_of >= %(earliest)s "
        "WINDOW w AS (PARTITION BY s.candidate_id, s.scorer ORDER BY s.as_of, s.id)), "
        "g AS (SELECT candidate_id, scorer, max(as_of) AS newest, "
        "(array_agg(value ORDER BY as_of DESC, id DESC))[1] AS latest, "
        f"{per_window}, "
        "array_agg(change ORDER BY change) FILTER (WHERE change IS NOT NULL) AS ch "
        "FROM r GROUP BY candidate_id, scorer), "
        f"up AS (INSERT INTO {stats} ({', '.join(_COLUMNS)}) "
        f"SELECT candidate_id, scorer, newest, latest, {noise_low}, {noise_high}, %(day)s, "
        f"{_slides_on_sql(lambda d: f'o{d}')}, {', '.join(figures)} "
        "FROM g ORDER BY candidate_id, scorer "
        f"ON CONFLICT (candidate_id, scorer) DO UPDATE SET {updates} "
        # A concurrent statement (a slide beside a write) that saw less history never
        # replaces a row holding a newer reading than it saw.
        f"WHERE {stats}.newest_at <= excluded.newest_at "
        "RETURNING id, candidate_id, scorer), "
        # The values beside each row written (and only those).
        f"kept AS (INSERT INTO {values} (stats_id, {', '.join(_VALUES)}) "
        f"SELECT up.id, coalesce(g.ch, '{{}}'), {', '.join(kept)} "
        "FROM up JOIN g ON g.candidate_id = up.candidate_id AND g.scorer = up.scorer "
        "ORDER BY up.id "
        "ON CONFLICT (stats_id) DO UPDATE SET "
        f"{', '.join(f'{c} = excluded.{c}' for c in _VALUES)}), "
        # A pair left with no reading in a year loses its row (the statement sees the rows
        # as they were before it) - only if the row's newest reading has left the year
        # too, so a row a concurrent write just filled stays - and the values with it.
        f"gone AS (DELETE FROM {stats} st USING t WHERE st.candidate_id = t.candidate_id "
        "AND st.scorer = t.scorer AND NOT EXISTS (SELECT 1 FROM g WHERE "
        "g.candidate_id = st.candidate_id AND g.scorer = st.scorer) "
        "AND st.newest_at < %(earliest)s RETURNING st.id) "
        f"DELETE FROM {values} v USING gone WHERE v.stats_id = gone.id"
    )


def _sorted_insert_sql(array: str, value: str) -> str:
    """``array`` (sorted) with ``value`` in its place: a binary search and two slices.

    Concatenated as arrays: ``array || element`` would take the array apart element by
    element (an expanded array) and put it together again."""
    at = f"width_bucket({value}, {array})"
    return f"array_cat(array_cat({array}[1:{at}], ARRAY[{value}]), {array}[{at} + 1:])"


def _append_sql(readings: str) -> str:
    """The CTEs that add one newer reading to each of a set of current rows.

    ``readings`` is a relation aliased ``i`` of ``(candidate_id, scorer, at, value)``,
    one row per pair (from a CTE of the statement these end: ``written_sql``). Each pair's
    figures row is locked before its values are read, as a reduction from history
    (``_refresh_sql``) writes them in that order too. ``locked`` takes the rows
    the reading may update, locked as they are now (a concurrent write's row is read as
    it committed, and the conditions checked again); ``inserted`` puts the reading into
    the values beside each (every window's sorted values: a window kept as NULL shares
    the next smaller one's, and still does; its change into the noise window's) and
    returns each window's middles and the noise read off them; ``appended`` sets the
    figures, those the row and the reading give alone (counts, oldest, min, max)
    directly, and returns the pairs updated: the others (no row, an older reading, a
    row that is behind) are for ``window_stats_refresh``.
    """
    stats, values = _quote(ScoreWindowStats), _quote(ScoreWindowValues)
    noise_count = column("readings", NOISE_WINDOW_DAYS)
    # The values: each window's sorted values with the reading in place.
    inserted = [
        f"sorted_{d} = "
        + (
            _sorted_insert_sql(f"v.sorted_{d}", "k.cents")
            if i == 0
            else f"CASE WHEN v.sorted_{d} IS NULL THEN NULL "
            f"ELSE {_sorted_insert_sql(f'v.sorted_{d}', 'k.cents')} END"
        )
        for i, d in enumerate(WINDOWS)
    ]
    # The change from the reading before, when that one is in the noise window.
    inserted.append(
        f"changes = CASE WHEN k.{noise_count} > 0 THEN "
        + _sorted_insert_sql("v.changes", "(k.cents - (k.latest_value * 100)::int)")
        + " ELSE v.changes END"
    )
    # Returned from the values as updated: each window's two middles, and the noise.
    middles = []
    for i, d in enumerate(WINDOWS):
        effective = "coalesce(" + ", ".join(f"v.sorted_{w}" for w in reversed(WINDOWS[: i + 1]))
        n = f"(k.readings_{d} + 1)"
        middles.append(f"({effective}))[({n} + 1) / 2] * 0.01 AS low{d}")
        middles.append(f"({effective}))[{n} / 2 + 1] * 0.01 AS high{d}")
    # Read off the row and the reading alone: set directly.
    plain = [
        ("newest_at", "k.at"), ("latest_value", "k.value"), ("computed_on", "%(day)s"),
        # A reading entering an empty window: the 7-day one is then empty too, and its
        # day is the first this reading leaves a window.
        ("slides_on", f"CASE WHEN k.readings_{WINDOWS[0]} = 0 THEN LEAST(k.slides_on, "
         f"(k.at AT TIME ZONE 'UTC')::date + {WINDOWS[0]}) ELSE k.slides_on END"),
        ("noise_low", "k.dev[1] * 0.005"), ("noise_high", "k.dev[2] * 0.005"),
    ]  # fmt: skip
    for d in WINDOWS:
        plain += [
            (f"readings_{d}", f"k.readings_{d} + 1"),
            (f"oldest_{d}", f"coalesce(k.oldest_{d}, k.at)"),
            (f"min_{d}", f"least(k.min_{d}, k.value)"),
            (f"max_{d}", f"greatest(k.max_{d}, k.value)"),
            (f"median_low_{d}", f"k.low{d}"), (f"median_high_{d}", f"k.high{d}"),
        ]  # fmt: skip
    read = ", ".join(
        ["st.id", "st.latest_value", "st.slides_on"]
        + [
            f"st.{column(name, d)}"
            for d in WINDOWS
            for name in ("readings", "oldest", "min", "max")
        ]
    )
    return (
        f"locked AS (SELECT {read}, i.at, i.value, (i.value * 100)::int AS cents "
        f"FROM {stats} st JOIN {readings} "
        "ON st.candidate_id = i.candidate_id AND st.scorer = i.scorer "
        "WHERE st.newest_at < i.at AND st.slides_on > %(day)s AND st.computed_on <= %(day)s "
        "ORDER BY st.id FOR UPDATE OF st), "
        f"inserted AS (UPDATE {values} v SET {', '.join(inserted)} FROM locked k "
        f"WHERE v.stats_id = k.id RETURNING k.*, {', '.join(middles)}, "
        f"{DEVIATIONS_FUNCTION}(v.changes) AS dev), "
        # From ``inserted`` alone (what the row held comes with it): a join of two CTEs
        # would be planned for a row each.
        f"appended AS (UPDATE {stats} st SET {', '.join(f'{c} = {v}' for c, v in plain)} "
        "FROM inserted k WHERE st.id = k.id RETURNING st.candidate_id, st.scorer)"
    )


def written_sql(written: str) -> str:
    """The end of a statement whose CTE ``written`` holds the scores it just wrote.

    ``written`` names a relation of ``(candidate_id, scorer, as_of, value)`` (an
    ``INSERT ... RETURNING``). The statement goes on to update in place the rows of the
    pairs with one new reading (``_append_sql``) and returns the pairs left for
    ``window_stats_refresh``: the statistics of a write kept in the write's own statement,
    with no round trip and nothing written read back. Its parameters are
    ``written_params()``. PostgreSQL only.
    """
    return (
        "one AS (SELECT candidate_id, scorer, min(as_of) AS at, min(value) AS value, "
        f"count(*) = 1 AS single FROM {written} GROUP BY candidate_id, scorer), "
        + _append_sql(
            "(SELECT candidate_id, scorer, at, value FROM one WHERE single "
            "ORDER BY candidate_id, scorer) i"
        )
        + " SELECT candidate_id, scorer FROM one "
        "EXCEPT SELECT candidate_id, scorer FROM appended"
    )


def written_params(*, day: date | None = None) -> dict[str, date]:
    """The parameters of ``written_sql``."""
    return {"day": day or today()}


_Param = int | date | datetime | list[int] | list[str] | list[datetime] | list[Decimal]


def _params(day: date) -> dict[str, _Param]:
    params: dict[str, _Param] = {f"w{days}": window_start(day, days) for days in WINDOWS}
    params.update(
        earliest=window_start(day, LONGEST),
        noise_start=window_start(day, NOISE_WINDOW_DAYS),
        day=day,
    )
    return params


# --- maintenance ----------------------------------------------------------------------


def window_stats_refresh(pairs: Iterable[Pair], *, day: date | None = None) -> int:
    """Reduce each (candidate, scorer) pair again from its history; returns the pairs.

    Call it in the transaction that writes the scores. A pair with no reading left in
    the year loses its row.
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


def _row(pair: Pair, history: Sequence[Reading], day: date) -> ScoreWindowStats | None:
    """A pair's row from its readings (None: no reading in the year)."""
    figures = {
        days: found
        for days in WINDOWS
        if (found := reduce_window(history, day=day, days=days)) is not None
    }
    if not figures:
        return None
    longest = figures[max(figures)]
    noise = figures.get(NOISE_WINDOW_DAYS)
    row = ScoreWindowStats(
        candidate_id=pair[0],
        scorer=pair[1],
        newest_at=longest.newest_at,
        latest_value=longest.latest_value,
        noise_low=noise.noise_low if noise else None,
        noise_high=noise.noise_high if noise else None,
        computed_on=day,
        slides_on=slides_on((days, f.oldest_at) for days, f in figures.items()),
    )
    for days, f in figures.items():
        for name, value in (
            ("readings", f.readings), ("oldest", f.oldest_at), ("min", f.min_value),
            ("max", f.max_value), ("median_low", f.median_low), ("median_high", f.median_high),
        ):  # fmt: skip
            setattr(row, column(name, days), value)
    return row


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
    fresh = [row for pair in pairs if (row := _row(pair, history.get(pair, []), day)) is not None]
    with transaction.atomic():
        ScoreWindowStats.objects.filter(_pairs_q(pairs)).delete()
        ScoreWindowStats.objects.bulk_create(fresh, batch_size=500)


def _slid_pairs(day: date, candidates: Q | None = None) -> Iterator[list[Pair]]:
    rows = ScoreWindowStats.objects.filter(slides_on__lte=day)
    if candidates is not None:
        rows = rows.filter(candidates)
    pairs = rows.values_list("candidate_id", "scorer").order_by("candidate_id", "scorer")
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
    """Whether any row, anyone's, holds a reading one of its windows has lost by ``day``:
    one probe of the ``slides_on`` index."""
    return ScoreWindowStats.objects.filter(slides_on__lte=day).exists()


def window_stats_ensure(candidate_ids: Collection[int] | None = None, *, scorer: str) -> None:
    """Before reading: slide the rows of these candidates (all: None) that are behind.

    After the nightly slide this finds nothing, by one probe of the ``slides_on`` index
    (anyone's rows: a population's ids would cost more than the probe); a host without
    beat pays the slide here, once a day.
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
                f"INSERT INTO {latest} (candidate_id, organization_id, scorer, value, as_of) "
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
    # Vendors' and raw metrics' latest values too (LatestReading; migration 0004 runs
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
