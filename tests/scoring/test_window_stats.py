"""Window statistics kept at scoring time equal the history, however they got there.

Incremental updates (every score write), the slide (days leaving a window) and a
rebuild from history must agree with the reference reduction of the readings, on
random histories with gaps; on PostgreSQL the set-based SQL is held to the Python
reference the same way.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiring.screening.evaluation import (
    median_from_middles,
    noise_from_middles,
    volatility_of_values,
)
from scoring import window_stats
from scoring.models import LatestScore, Score, ScoreWindowStats
from scoring.services import scores as score_services
from scoring.windows import window_start
from tests import factories

END = date(2026, 12, 6)
SCORERS = ("influence", "reputation")


@pytest.mark.parametrize(
    ("day", "days", "start"),
    [
        (date(2026, 12, 6), 1, datetime(2026, 12, 6, tzinfo=UTC)),
        (date(2026, 12, 6), 7, datetime(2026, 11, 30, tzinfo=UTC)),
        (date(2026, 3, 1), 30, datetime(2026, 1, 31, tzinfo=UTC)),
        (date(2024, 3, 1), 30, datetime(2024, 2, 1, tzinfo=UTC)),  # a leap year
        (date(2026, 12, 6), 365, datetime(2025, 12, 7, tzinfo=UTC)),
        # A datetime counts by its UTC day, whatever its zone and hour.
        (datetime(2026, 12, 6, 23, 59, tzinfo=UTC), 7, datetime(2026, 11, 30, tzinfo=UTC)),
        (
            datetime(2026, 12, 6, 20, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo")),
            7,
            datetime(2026, 11, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_window_of_n_days_is_today_and_the_n_minus_1_days_before(
    day: date | datetime, days: int, start: datetime
) -> None:
    assert window_start(day, days) == start


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40))
def test_the_kept_middles_give_the_engines_median_and_noise(cents: list[int]) -> None:
    values = [Decimal(c) / 100 for c in cents]
    readings = [
        window_stats.Reading(datetime(2026, 12, 6, tzinfo=UTC) - timedelta(days=i), v, i)
        for i, v in enumerate(reversed(values))
    ]
    figures = window_stats.reduce_window(readings, day=END, days=90)
    assert figures is not None
    assert median_from_middles(figures.median_low, figures.median_high) == Decimal(
        statistics.median(values)
    )
    if len(values) < 2:
        assert figures.noise_low is None
    else:
        assert figures.noise_low is not None
        assert figures.noise_high is not None
        noise = noise_from_middles(figures.noise_low, figures.noise_high)
        assert noise == volatility_of_values(values)


# --- incremental, slid and rebuilt agree ------------------------------------------------

# A reading: (candidate 0/1, scorer, days before END, hour, value in cents).
readings_strategy = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.sampled_from(SCORERS),
        st.integers(0, 420),
        st.integers(0, 23),
        st.integers(0, 10_000),
    ),
    max_size=40,
)


def _table() -> dict[tuple[int, str, int], tuple[object, ...]]:
    table = {}
    for row in ScoreWindowStats.objects.all():
        for days, f in window_stats.kept_figures(row).items():
            table[(row.candidate_id, row.scorer, days)] = (
                f.readings, f.oldest_at, f.newest_at, f.latest_value, f.min_value,
                f.max_value, f.median_low, f.median_high, f.noise_low, f.noise_high,
            )  # fmt: skip
        # The day the row first falls behind: the first a kept reading leaves its window.
        assert row.slides_on == window_stats.slides_on(
            (days, f.oldest_at) for days, f in window_stats.kept_figures(row).items()
        )
    return table


def _reference(scores: list[Score], day: date) -> dict[tuple[int, str, int], tuple[object, ...]]:
    expected = {}
    for candidate_id in {s.candidate_id for s in scores}:
        for scorer in SCORERS:
            history = [
                window_stats.Reading(s.as_of, Decimal(str(s.value)), s.pk)
                for s in scores
                if (s.candidate_id, s.scorer) == (candidate_id, scorer)
            ]
            for days in window_stats.WINDOWS:
                f = window_stats.reduce_window(history, day=day, days=days)
                if f is not None:
                    expected[(candidate_id, scorer, days)] = (
                        f.readings, f.oldest_at, f.newest_at, f.latest_value, f.min_value,
                        f.max_value, f.median_low, f.median_high, f.noise_low, f.noise_high,
                    )  # fmt: skip
    return expected


@contextmanager
def on_day(day: date) -> Iterator[None]:
    with mock.patch.object(window_stats, "today", return_value=day):
        yield


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(readings=readings_strategy, slides=st.lists(st.booleans(), min_size=1, max_size=60))
def test_incremental_updates_the_slide_and_a_rebuild_agree(
    readings: list[tuple[int, str, int, int, int]], slides: list[bool]
) -> None:
    ScoreWindowStats.objects.all().delete()
    Score.objects.all().delete()
    LatestScore.objects.all().delete()
    organization = factories.OrganizationFactory()
    people = [
        factories.CandidateFactory(organization=organization, notices=False) for _ in range(2)
    ]
    by_day: dict[date, list[Score]] = {}
    for n, (who, scorer, back, hour, cents) in enumerate(readings):
        day = END - timedelta(days=back)
        by_day.setdefault(day, []).append(
            Score(
                candidate_id=people[who].pk,
                scorer=scorer,
                scorer_version=1,
                value=Decimal(cents) / 100,
                scale_min=0,
                scale_max=100,
                components=[],
                snapshot_ids=[],
                inputs_digest=f"r{n}",
                as_of=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                computed_at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
            )
        )
    # Days with readings, and days without any: the calendar moves on regardless.
    days = sorted(set(by_day) | {END - timedelta(days=k * 7) for k in range(0, 61, 3)})
    written: list[Score] = []
    for i, day in enumerate(days):
        with on_day(day):
            score_services._insert_scores(by_day.get(day, []))
            written = list(Score.objects.all())
            if slides[i % len(slides)]:
                window_stats.window_stats_slide()
                assert _table() == _reference(written, day), f"after the slide of {day}"
    with on_day(END):
        # Whatever the slides missed, a reader's ensure catches up.
        for scorer in SCORERS:
            window_stats.window_stats_ensure(scorer=scorer)
        incremental = _table()
        assert incremental == _reference(written, END)
        window_stats.window_stats_rebuild(organization=organization)
        assert _table() == incremental
        window_stats.window_stats_rebuild(organization=organization)  # idempotent
        assert _table() == incremental
    newest = {}
    for s in sorted(written, key=lambda s: (s.as_of, s.pk)):
        newest[(s.candidate_id, s.scorer)] = (Decimal(str(s.value)), s.as_of)
    assert {
        (r.candidate_id, r.scorer): (r.value, r.as_of) for r in LatestScore.objects.all()
    } == newest


@pytest.mark.django_db
def test_a_window_that_loses_its_last_reading_loses_its_row() -> None:
    candidate = factories.CandidateFactory(notices=False)
    with on_day(END - timedelta(days=20)):
        factories.ScoreFactory(candidate=candidate, as_of=datetime(2026, 11, 16, 9, tzinfo=UTC))
        assert sorted(w for *_, w in _table()) == [7, 30, 90, 180, 365]
    with on_day(END):
        window_stats.window_stats_slide()
    assert sorted(w for *_, w in _table()) == [30, 90, 180, 365]


@pytest.mark.django_db
def test_a_backfilled_older_score_updates_the_windows_it_falls_in() -> None:
    candidate = factories.CandidateFactory(notices=False)
    with on_day(END):
        factories.ScoreFactory(
            candidate=candidate, value=Decimal(40), as_of=datetime(2026, 12, 6, tzinfo=UTC)
        )
        factories.ScoreFactory(
            candidate=candidate, value=Decimal(10), as_of=datetime(2026, 10, 1, tzinfo=UTC)
        )
    rows = window_stats.kept_figures(ScoreWindowStats.objects.get(candidate=candidate))
    assert rows[7].readings == 1
    assert rows[7].min_value == 40
    assert rows[90].readings == 2
    assert rows[90].min_value == 10
    assert rows[90].latest_value == 40


@pytest.mark.django_db
def test_the_command_rebuilds_an_organisation_and_refuses_an_unknown_one() -> None:
    candidate = factories.CandidateFactory(notices=False)
    factories.ScoreFactory(candidate=candidate)
    expected = _table()
    ScoreWindowStats.objects.all().delete()
    LatestScore.objects.all().delete()
    out = io.StringIO()
    call_command(
        "window_stats", "--org", candidate.organization.slug, stdout=out, stderr=io.StringIO()
    )
    assert "rebuilt the window statistics of 1 candidate-scorer pairs" in out.getvalue()
    assert _table() == expected
    assert LatestScore.objects.filter(candidate=candidate).count() == 1
    with pytest.raises(CommandError, match="No organisation") as error:
        call_command("window_stats", "--org", "nobody", stdout=io.StringIO())
    assert error.value.returncode == 2
    out = io.StringIO()
    call_command("window_stats", "--slide", stdout=out)
    assert "Slid 0 candidate-scorer pairs" in out.getvalue()


@pytest.mark.django_db
@override_settings(RENOWN_WINDOW_STATS=False)
def test_switched_off_nothing_is_kept_and_the_command_says_so() -> None:
    factories.ScoreFactory()
    score_services._insert_scores([])
    assert not ScoreWindowStats.objects.exists()
    with pytest.raises(CommandError, match="switched off"):
        call_command("window_stats", "--all", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_builds_the_statistics_of_scores_already_held() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("renown_scoring", "0002_postgresql_score_history_covering_index")]
    executor = MigrationExecutor(connection)
    # Forward to the newest migration again: later tests need every table.
    after = executor.loader.graph.leaf_nodes("renown_scoring")
    executor.migrate(before)
    try:
        candidate = factories.CandidateFactory(notices=False)
        # Scores written before the upgrade: no statistics table to keep yet.
        with connection.cursor() as cursor:
            for days_back, value in ((0, "40.00"), (10, "20.00"), (100, "90.00")):
                at = datetime.now(tz=UTC) - timedelta(days=days_back)
                cursor.execute(
                    "INSERT INTO renown_scoring_score (candidate_id, scorer, scorer_version, "
                    "value, scale_min, scale_max, components, snapshot_ids, inputs_digest, "
                    "as_of, computed_at) VALUES (%s, 'influence', 1, %s, 0, 100, '[]', '[]', "
                    "%s, %s, %s)",
                    [candidate.pk, value, f"old-{days_back}", at, at],
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    rows = window_stats.kept_figures(ScoreWindowStats.objects.get(candidate=candidate))
    assert sorted(rows) == [7, 30, 90, 180, 365]
    assert rows[30].readings == 2
    assert rows[180].max_value == Decimal(90)
    assert LatestScore.objects.get(candidate=candidate).value == Decimal(40)


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_statement_that_saw_less_history_never_replaces_a_newer_row() -> None:
    """A slide beside a write: the slide read the history before the write's score was
    committed. Its figures must not replace the row the write made."""
    candidate = factories.CandidateFactory(notices=False)
    with on_day(END):
        factories.ScoreFactory(
            candidate=candidate, value=Decimal(30), as_of=datetime(2026, 11, 1, tzinfo=UTC)
        )
        # What a concurrent write left: the row holds today's reading, which this
        # statement's history (the 1 November score alone) does not show.
        ScoreWindowStats.objects.filter(candidate=candidate).update(
            newest_at=datetime(2026, 12, 6, 9, tzinfo=UTC), latest_value=Decimal(50)
        )
        window_stats.window_stats_refresh([(candidate.pk, "influence")])
    row = ScoreWindowStats.objects.get(candidate=candidate)
    assert row.latest_value == 50  # not replaced by figures that lack that reading


@pytest.mark.django_db
@pytest.mark.postgres
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.integers(-1_000_000, 1_000_000), min_size=1, max_size=60)
    | st.lists(st.integers(-20, 20), min_size=1, max_size=60)  # many ties
)
def test_the_database_reads_the_noise_off_sorted_changes_as_the_reference_does(
    cents: list[int],
) -> None:
    from django.db import connection

    changes = sorted(cents)
    low, high = window_stats._middles([Decimal(c) / 100 for c in changes])
    centre = low if low == high else (low + high) / 2
    expected = window_stats._middles([abs(Decimal(c) / 100 - centre) for c in changes])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {window_stats.DEVIATIONS_FUNCTION}(%s::integer[])", [changes])
        (found,) = cursor.fetchone()
    assert (Decimal(found[0]) / 200, Decimal(found[1]) / 200) == expected


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_newer_reading_on_a_current_row_updates_it_in_place_from_the_row_alone() -> None:
    candidate = factories.CandidateFactory(notices=False)
    history = [(40, Decimal("30.10")), (12, Decimal("55.00")), (6, Decimal("41.25")),
               (3, Decimal("41.25")), (1, Decimal("20.00"))]  # fmt: skip
    with on_day(END):
        for back, value in history:
            at = datetime(END.year, END.month, END.day, 8, tzinfo=UTC) - timedelta(days=back)
            factories.ScoreFactory(candidate=candidate, value=value, as_of=at)
        reduced_again: list[set[tuple[int, str]]] = []
        real_refresh = window_stats.window_stats_refresh

        def spy(pairs: object, **kwargs: object) -> int:
            reduced_again.append(set(pairs))  # type: ignore[call-overload]
            return real_refresh(pairs, **kwargs)  # type: ignore[arg-type]

        at = datetime(END.year, END.month, END.day, 9, tzinfo=UTC)
        with mock.patch.object(window_stats, "window_stats_refresh", spy):
            score_services._insert_scores([
                Score(
                    candidate=candidate, scorer="influence", scorer_version=1,
                    value=Decimal("47.50"), scale_min=0, scale_max=100, components=[],
                    snapshot_ids=[], inputs_digest="appended", as_of=at, computed_at=at,
                )
            ])  # fmt: skip
        # Appended in place: no pair was reduced again from the history ...
        assert reduced_again == [set()]
        # ... and the row says what the history says, the noise included.
        assert _table() == _reference(list(Score.objects.all()), END)
        row = ScoreWindowStats.objects.get(candidate=candidate)
        assert row.readings_7 == 4
        assert row.noise_low is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.parametrize(("first_hour", "second_hour"), [(9, 10), (10, 9)])
def test_two_writes_to_one_row_at_once_both_count(first_hour: int, second_hour: int) -> None:
    """A second write waits for the first's row and then appends to the row as the first
    left it (or, holding an older reading, reduces the pair again): both readings count."""
    import threading

    from django.db import connection, connections, transaction

    candidate = factories.CandidateFactory(notices=False)
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write(hour: int, value: str, *, hold: bool) -> None:
        at = datetime(END.year, END.month, END.day, hour, tzinfo=UTC)
        try:
            with transaction.atomic():
                score_services._insert_scores([
                    Score(
                        candidate=candidate, scorer="influence", scorer_version=1,
                        value=Decimal(value), scale_min=0, scale_max=100, components=[],
                        snapshot_ids=[], inputs_digest=f"at-{hour}", as_of=at, computed_at=at,
                    )
                ])  # fmt: skip
                if hold:
                    holding.set()
                    release.wait(20)
        except BaseException as error:  # reported by the test's own thread
            failures.append(error)
        finally:
            connections.close_all()

    with on_day(END):
        for back, value in ((40, "30.10"), (6, "41.25"), (1, "20.00")):
            at = datetime(END.year, END.month, END.day, 8, tzinfo=UTC) - timedelta(days=back)
            factories.ScoreFactory(candidate=candidate, value=Decimal(value), as_of=at)
        first = threading.Thread(target=write, args=(first_hour, "47.50"), kwargs={"hold": True})
        first.start()
        assert holding.wait(20)
        second = threading.Thread(target=write, args=(second_hour, "12.00"), kwargs={"hold": False})
        second.start()
        # The second write is waiting for a lock the first holds.
        waiting = False
        for _ in range(200):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                waiting = cursor.fetchone()[0] > 0
            if waiting:
                break
            threading.Event().wait(0.05)
        release.set()
        first.join(20)
        second.join(20)
        assert failures == []
        assert waiting
        assert Score.objects.filter(candidate=candidate).count() == 5
        assert _table() == _reference(list(Score.objects.all()), END)
        assert ScoreWindowStats.objects.get(candidate=candidate).readings_7 == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_the_sorted_values_move_apart_and_back_whole() -> None:
    """Migration 0007 copies each row's sorted values to ScoreWindowValues, and back when
    reversed: nothing is lost either way, and the figures stay as they were."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from scoring.models import ScoreWindowValues

    def arrays(row: object) -> tuple[object, ...]:
        return (
            *(getattr(row, f"sorted_{days}") for days in window_stats.WINDOWS),
            row.changes,  # type: ignore[attr-defined]
        )

    candidate = factories.CandidateFactory(notices=False)
    with on_day(END):
        for back, value in ((200, "12.00"), (40, "30.10"), (6, "41.25"), (1, "20.00"), (0, "33")):
            at = datetime(END.year, END.month, END.day, 8, tzinfo=UTC) - timedelta(days=back)
            factories.ScoreFactory(candidate=candidate, value=Decimal(value), as_of=at)
        figures = _table()
    kept = arrays(ScoreWindowValues.objects.get(stats__candidate=candidate))
    assert kept[0] == [2000, 3300, 4125]  # the 7-day window's values, sorted, in hundredths
    executor = MigrationExecutor(connection)
    newest = executor.loader.graph.leaf_nodes("renown_scoring")
    executor.migrate([("renown_scoring", "0006_snapshot_cycle_status")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sorted_7, sorted_30, sorted_90, sorted_180, sorted_365, changes "
                "FROM renown_scoring_scorewindowstats WHERE candidate_id = %s",
                [candidate.pk],
            )
            assert cursor.fetchone() == kept
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(newest)
    assert arrays(ScoreWindowValues.objects.get(stats__candidate=candidate)) == kept
    assert _table() == figures


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_export_gives_each_windows_values_in_the_scores_units() -> None:
    """A window kept as NULL (the same values as the next smaller one) is exported with
    its values, not as a blank a person would have to decode."""
    from hiring.privacy.services import candidate_export

    candidate = factories.CandidateFactory(notices=False)
    with on_day(END):
        for back, value in ((200, "12.00"), (6, "41.25"), (1, "20.00")):
            at = datetime(END.year, END.month, END.day, 8, tzinfo=UTC) - timedelta(days=back)
            factories.ScoreFactory(candidate=candidate, value=Decimal(value), as_of=at)
    (exported,) = candidate_export(candidate)["window_values"]
    recent = ["20.00", "41.25"]
    windows = dict.fromkeys(("7 days", "30 days", "90 days", "180 days"), recent)
    assert exported == {
        "scorer": "influence",
        "sorted_values": windows | {"365 days": ["12.00", *recent]},
        "changes": ["-21.25"],
    }
