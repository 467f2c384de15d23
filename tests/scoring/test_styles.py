"""Influence styles keep the scorers' promises: explained, versioned, order-free, untouched by
a quiet weekend, and "not enough data" (never a style) for an empty network."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import styles
from scoring.styles import (
    STYLES_NAME,
    STYLES_VERSION,
    StyleReading,
    StyleResult,
    names_a_style,
    style_explain,
)

START = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday, noon
NETWORKS = ("bluesky", "mastodon", "hackernews", "github")

# One day of one account: the new posts since the day before and the engagement sample.
Day = tuple[int, float, float, float, int]  # (new posts, likes, reposts, replies, sampled)
day_entries = st.tuples(
    st.integers(0, 12),
    st.floats(0, 50, allow_nan=False),
    st.floats(0, 20, allow_nan=False),
    st.floats(0, 20, allow_nan=False),
    st.integers(0, 30),
)
# An account's history: its network, its count on the first reading, then one entry a day
# (None: no reading that day). Histories stay well inside the 90-day lookback.
histories = st.lists(
    st.tuples(
        st.sampled_from(NETWORKS),
        st.integers(0, 5000),
        # The length drawn first: long histories (past the window) as often as short ones.
        st.integers(1, 55).flatmap(
            lambda n: st.lists(st.one_of(st.none(), day_entries), min_size=n, max_size=n)
        ),
    ),
    max_size=4,
)


def engagement(likes: float, reposts: float, replies: float, sampled: int) -> dict[str, object]:
    return {
        "posts_sampled": sampled,
        "likes_per_post": likes,
        "reposts_per_post": reposts,
        "replies_per_post": replies,
    }


def build(
    accounts: list[tuple[str, int, list[Day | None]]], *, start: datetime = START
) -> tuple[list[StyleReading], datetime]:
    """Daily readings at noon (a baseline reading on day 0), and the last day's noon."""
    readings: list[StyleReading] = []
    last = 0
    for account, (network, count, days) in enumerate(accounts, start=1):
        counter = "public_repos" if network == "github" else "posts"
        readings.append(StyleReading(account, network, start, {counter: count}, len(readings)))
        for offset, entry in enumerate(days, start=1):
            last = max(last, offset)
            if entry is None:
                continue
            new, likes, reposts, replies, sampled = entry
            count += new
            metrics: dict[str, object] = {counter: count, "followers": 100}
            if network != "github":  # GitHub reports no replies or reposts
                metrics["engagement"] = engagement(likes, reposts, replies, sampled)
            readings.append(
                StyleReading(
                    account, network, start + timedelta(days=offset), metrics, len(readings)
                )
            )
    return readings, start + timedelta(days=last)


def figures(result: StyleResult) -> tuple[object, ...]:
    """Everything a result says except the day it is as of."""
    return (result.style, result.label, result.reason, result.checks, result.accounts)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(histories, st.data())
def test_a_quiet_weekend_read_or_not_does_not_change_the_style(
    accounts: list[tuple[str, int, list[Day | None]]], data: st.DataObject
) -> None:
    before, as_of = build(accounts)
    longest = max((len(days) for _, _, days in accounts), default=0)
    at = data.draw(st.integers(0, longest), label="the weekend comes after this many days")
    read = data.draw(st.booleans(), label="the fetcher read the quiet days")
    late_likes = data.draw(day_entries, label="what the quiet days' samples say")

    def offline(days: list[Day | None]) -> list[Day | None]:
        # Two days with no new posts: no reading, or a reading whose count did not move
        # (its engagement sample may still change: late likes on older posts).
        quiet: Day | None = (0, *late_likes[1:]) if read else None
        return [*days[:at], quiet, quiet, *days[at:]]

    after, _ = build([(n, c, offline(days)) for n, c, days in accounts])
    # Everything after the weekend happens two days later, and so is the page read.
    later = as_of + timedelta(days=2)
    assert figures(style_explain(after, as_of=later)) == figures(style_explain(before, as_of=as_of))


@settings(max_examples=200, deadline=None)
@given(histories, st.randoms(use_true_random=False))
def test_the_style_does_not_depend_on_the_order_of_the_snapshots(
    accounts: list[tuple[str, int, list[Day | None]]], rng: random.Random
) -> None:
    readings, as_of = build(accounts)
    shuffled = list(readings)
    rng.shuffle(shuffled)
    assert style_explain(shuffled, as_of=as_of) == style_explain(readings, as_of=as_of)


@settings(max_examples=200, deadline=None)
@given(histories)
def test_every_result_records_the_name_and_version_and_explains_itself(
    accounts: list[tuple[str, int, list[Day | None]]],
) -> None:
    readings, as_of = build(accounts)
    result = style_explain(readings, as_of=as_of)
    assert (result.name, result.version) == (STYLES_NAME, STYLES_VERSION)
    assert result.reason
    if result.style is None:
        assert result.label == "Not enough data"
    else:
        assert result.label == styles.STYLES[result.style]
        met = [c for c in result.checks if c.met]
        assert met[0].style == result.style  # the first style met, in the documented order
        assert all(c.figures and c.thresholds for c in result.checks)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NETWORKS),
            st.integers(0, 5000),
            st.lists(st.one_of(st.none(), day_entries.map(lambda d: (0, *d[1:]))), max_size=55),
        ),
        max_size=4,
    )
)
def test_an_empty_network_is_not_enough_data_never_a_style(
    accounts: list[tuple[str, int, list[Day | None]]],
) -> None:
    # No account posts anything new: whatever the samples say, there is no style.
    readings, as_of = build(accounts)
    result = style_explain(readings, as_of=as_of)
    assert result.style is None
    assert result.label == "Not enough data"
    assert result.checks == ()


def test_no_snapshots_is_not_enough_data() -> None:
    result = style_explain([], as_of=START)
    assert (result.style, result.label) == (None, "Not enough data")
    assert result.reason == "No readings of any account in the last 90 days."


def test_readings_older_than_the_lookback_are_not_read() -> None:
    readings, as_of = build([("bluesky", 0, [(5, 3.0, 0.5, 0.2, 30)] * 30)])
    assert style_explain(readings, as_of=as_of).style == "broadcaster"
    later = as_of + timedelta(days=styles.LOOKBACK_DAYS + 1)
    assert style_explain(readings, as_of=later).style is None


def test_a_count_that_falls_and_comes_back_is_no_activity() -> None:
    # A provider's glitch (posts 0 for a day) must not read as a day of 5,000 new posts.
    days: list[Day | None] = [(1, 3.0, 0.2, 2.0, 30)] * 20
    readings, as_of = build([("bluesky", 5000, days)])
    glitch = [
        replace(r, metrics={**r.metrics, "posts": 0}) if r.at == START + timedelta(days=10) else r
        for r in readings
    ]
    assert figures(style_explain(glitch, as_of=as_of))[0] == "conversationalist"
    (account,) = style_explain(glitch, as_of=as_of).accounts
    assert account.posts_per_active_day == 1.0


# --- examples of each style ---------------------------------------------------------------

STEADY = 20  # days of readings, each with new posts


def every_day(new: int, likes: float, reposts: float, replies: float) -> list[Day | None]:
    return [(new, likes, reposts, replies, 30)] * STEADY


@pytest.mark.parametrize(
    ("accounts", "style", "named"),
    [
        pytest.param(
            [("mastodon", 100, every_day(1, 2.0, 0.5, 2.0))],
            "conversationalist",
            ["2.0 replies per post", "44% of 4.5", "on mastodon"],
            id="conversationalist",
        ),
        pytest.param(
            [("bluesky", 100, every_day(2, 3.0, 4.0, 0.5))],
            "amplified",
            ["4.0 reposts per post", "53% of 7.5", "on bluesky"],
            id="amplified",
        ),
        pytest.param(
            [("bluesky", 100, every_day(6, 3.0, 0.5, 0.2))],
            "broadcaster",
            ["6.0 posts on a typical active day", "0.2 replies per post"],
            id="broadcaster",
        ),
        pytest.param(
            [
                ("bluesky", 100, every_day(1, 3.0, 0.5, 0.5)),
                ("mastodon", 100, every_day(1, 3.0, 0.5, 0.5)),
                ("github", 3, every_day(1, 0, 0, 0)),
            ],
            "networker",
            ["Real activity on 3 networks (bluesky, github, mastodon)"],
            id="networker",
        ),
        pytest.param(
            [("bluesky", 100, every_day(1, 3.0, 0.5, 0.5))],
            "balanced",
            ["None of the styles above is met."],
            id="balanced",
        ),
    ],
)
def test_each_style_names_the_figures_that_put_the_person_there(
    accounts: list[tuple[str, int, list[Day | None]]], style: str, named: list[str]
) -> None:
    readings, as_of = build(accounts)
    result = style_explain(readings, as_of=as_of)
    assert result.style == style
    assert result.label == styles.STYLES[style]
    met = next(c for c in result.checks if c.met)
    for words in named:
        assert words in met.figures
    assert met.figures in result.reason
    # Read where they post most (a tie: by network name).
    assert result.basis == (
        f"Replies, reposts and posts a day are read on {accounts[0][0]}, where they post "
        f"most: {STEADY * accounts[0][2][0][0]:,} new posts over {STEADY} active days."
    )
    if style != "balanced":
        assert str(styles.NETWORKER_MIN_NETWORKS) in next(
            c.thresholds for c in result.checks if c.style == "networker"
        )


def test_the_thresholds_are_stated_in_plain_words() -> None:
    readings, as_of = build([("bluesky", 100, every_day(6, 3.0, 0.5, 0.2))])
    thresholds = {c.style: c.thresholds for c in style_explain(readings, as_of=as_of).checks}
    assert thresholds == {
        "conversationalist": "Replies at least 35% of interactions and at least 1 per post.",
        "amplified": "Reposts at least 30% of interactions and at least 2 per post.",
        "broadcaster": "At least 3 posts on a typical active day and fewer than 1 reply per post.",
        "networker": "At least 3 networks with new posts on at least 5 days each.",
    }


@pytest.mark.parametrize(
    ("accounts", "reason"),
    [
        pytest.param(
            [("bluesky", 100, [(3, 3.0, 0.5, 0.2, 30)] * 4)],
            "No account shows new posts on at least 5 days",
            id="too-few-active-days",
        ),
        pytest.param(
            [("github", 3, every_day(1, 0, 0, 0))],
            "Active on github, but no network reports the replies and reposts",
            id="no-engagement-sample",
        ),
        pytest.param(
            [("bluesky", 100, [None] * 30)],
            "No account shows new posts",
            id="readings-but-never-read-again",
        ),
    ],
)
def test_not_enough_data_says_why(
    accounts: list[tuple[str, int, list[Day | None]]], reason: str
) -> None:
    readings, as_of = build(accounts)
    result = style_explain(readings, as_of=as_of)
    assert result.style is None
    assert reason in result.reason


def test_the_figures_are_medians_over_the_last_30_active_days() -> None:
    # 40 active days: the first 10 (replies dominating) have left the window.
    days = [(1, 1.0, 0.0, 5.0, 30)] * 10 + [(4, 3.0, 0.5, 0.2, 30)] * 30
    readings, as_of = build([("bluesky", 0, days)])
    result = style_explain(readings, as_of=as_of)
    (account,) = result.accounts
    assert (account.active_days, account.posts, account.replies_per_post) == (30, 120, 0.2)
    assert result.style == "broadcaster"


@pytest.mark.parametrize(
    ("metric", "refused"),
    [
        ("influence_style", True),
        ("style", True),
        ("metric:style", True),
        ("style.broadcaster", True),
        ("metric:conversationalist", True),
        ("vendor:networker", True),
        ("influence", False),
        ("reputation", False),
        ("metric:followers", False),
        ("vendor:klout", False),
        ("metric:lifestyle_posts", False),
    ],
)
def test_a_metric_naming_a_style_is_recognised(metric: str, refused: bool) -> None:
    assert names_a_style(metric) is refused
