"""Influence styles, explained (pure: plain readings in, an explained style out).

Klout put people into styles (broadcaster, conversationalist, specialist ...) and never
said why. Renown derives a small set of styles from the metrics it already holds, and
every result carries the figures that put the person there and the thresholds used, with
the module's name and version (``STYLES_NAME`` v``STYLES_VERSION``): change a threshold
or a test only together with the version, so that an old result stays explainable.

**Descriptive only.** A style is never available to screening rules
(``hiring.screening.metrics.metric_source`` refuses any metric naming one): a
classification used to screen would need its own bias audit (NYC Local Law 144,
6 RCNY 5-301).

**What is read.** Each account's daily readings (the last snapshot of each UTC day) over
the ``LOOKBACK_DAYS`` before ``as_of``. A day is an *active day* of the account when its
own activity count (``posts``; GitHub's ``public_repos``) rose since the reading before.
A reading that shows no new activity (a quiet day, a weekend offline, a count that fell)
says nothing new and is set aside, and so is a day with no reading at all: so a quiet weekend, read or
not, weighs nothing. The account's figures are medians over its last ``WINDOW_ACTIVE_DAYS``
active days, which a weekend offline does not shorten.

**Not measured here.** No provider reports topics (Stack Exchange tags, GitHub
languages are not fetched), so there is no "specialist" style. The engagement samples
of Bluesky and Mastodon leave the person's own replies out: "replies" are the replies
their posts receive, not the replies they write. Stack Exchange reports reputation only,
which others' votes move, so it shows no active days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Final

STYLES_NAME: Final = "influence_style"
STYLES_VERSION: Final = 1

# --- the thresholds (version 1) ---------------------------------------------------------

LOOKBACK_DAYS: Final = 90  # readings older than this are not read
WINDOW_ACTIVE_DAYS: Final = 30  # an account's figures: medians over its last 30 active days
MIN_ACTIVE_DAYS: Final = 5  # an account with fewer active days has no real activity
MIN_POSTS_SAMPLED: Final = 5  # engagement over fewer recent posts is not read
# Conversationalist: replies are a large share of what their posts get, and not a handful.
CONVERSATION_MIN_REPLY_SHARE: Final = 0.35
CONVERSATION_MIN_REPLIES_PER_POST: Final = 1.0
# Amplified: their posts are reposted, well beyond a courtesy share.
AMPLIFIED_MIN_REPOST_SHARE: Final = 0.30
AMPLIFIED_MIN_REPOSTS_PER_POST: Final = 2.0
# Broadcaster: many posts on a typical active day, few replies to them.
BROADCASTER_MIN_POSTS_PER_ACTIVE_DAY: Final = 3.0
BROADCASTER_MAX_REPLIES_PER_POST: Final = 1.0
# Networker: real activity on several networks.
NETWORKER_MIN_NETWORKS: Final = 3

# The counts that rise with the person's own activity, first present wins.
ACTIVITY_COUNTS: Final = ("posts", "public_repos")

CONVERSATIONALIST: Final = "conversationalist"
AMPLIFIED: Final = "amplified"
BROADCASTER: Final = "broadcaster"
NETWORKER: Final = "networker"
BALANCED: Final = "balanced"
# In the order they are tested: the first whose thresholds are met is the style.
STYLES: Final[Mapping[str, str]] = {
    CONVERSATIONALIST: "Conversationalist",
    AMPLIFIED: "Amplified",
    BROADCASTER: "Broadcaster",
    NETWORKER: "Networker",
    BALANCED: "Balanced",
}
DESCRIPTIONS: Final[Mapping[str, str]] = {
    CONVERSATIONALIST: "Their posts start conversations: replies are a large share of what "
    "the posts get.",
    AMPLIFIED: "Others spread their posts: reposts are a large share of what the posts get.",
    BROADCASTER: "They post a lot and their posts draw few replies.",
    NETWORKER: "They are active on several networks.",
    BALANCED: "No single pattern stands out: none of the other styles' thresholds is met.",
}
NOT_ENOUGH_DATA: Final = "Not enough data"


@dataclass(frozen=True)
class StyleReading:
    """One snapshot of one account, as the styles read it (``MetricSnapshot`` fields)."""

    account: int
    network: str
    at: datetime
    metrics: Mapping[str, object]
    id: int = 0  # orders readings taken at the same instant


@dataclass(frozen=True)
class AccountFigures:
    """One account's figures over its window: medians over its last active days."""

    account: int
    network: str
    active_days: int  # in the window (at most WINDOW_ACTIVE_DAYS)
    posts: int  # new posts (or repositories) over those days
    posts_per_active_day: float
    posts_sampled: float  # median size of the provider's recent-post sample
    likes_per_post: float
    reposts_per_post: float
    replies_per_post: float

    @property
    def real_activity(self) -> bool:
        return self.active_days >= MIN_ACTIVE_DAYS

    @property
    def engagement_measured(self) -> bool:
        return self.real_activity and self.posts_sampled >= MIN_POSTS_SAMPLED

    @property
    def interactions_per_post(self) -> float:
        return self.likes_per_post + self.reposts_per_post + self.replies_per_post


@dataclass(frozen=True)
class StyleCheck:
    """One style's test: the person's figure, the threshold, and whether it was met."""

    style: str
    label: str
    met: bool | None  # None: not measurable from the data held
    figures: str  # the person's figures, in words
    thresholds: str  # what the style needs, in words


@dataclass(frozen=True)
class StyleResult:
    """A style (None: not enough data, ``reason`` says why) with what put the person there."""

    name: str
    version: int
    as_of: datetime
    style: str | None
    label: str
    reason: str  # one sentence: why this style, or why none
    basis: str  # where the engagement figures were read, and over how much activity
    checks: tuple[StyleCheck, ...]
    accounts: tuple[AccountFigures, ...]

    @property
    def description(self) -> str:
        return DESCRIPTIONS.get(self.style or "", "")

    @property
    def lookback_days(self) -> int:
        return LOOKBACK_DAYS

    @property
    def window_active_days(self) -> int:
        return WINDOW_ACTIVE_DAYS


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _activity(metrics: Mapping[str, object]) -> float | None:
    for name in ACTIVITY_COUNTS:
        found = _number(metrics.get(name))
        if found is not None:
            return found
    return None


def _engagement(metrics: Mapping[str, object], name: str) -> float:
    engagement = metrics.get("engagement")
    if not isinstance(engagement, Mapping):
        return 0.0
    return max(0.0, _number(engagement.get(name)) or 0.0)


def _account_figures(account: int, network: str, daily: list[StyleReading]) -> AccountFigures:
    """The account's figures from its daily readings (oldest first, one per day)."""
    active: list[tuple[float, StyleReading]] = []  # (new posts, reading)
    before: float | None = None
    for reading in daily:
        count = _activity(reading.metrics)
        if count is None:
            continue
        if before is not None and count > before:
            active.append((count - before, reading))
        # A count that falls (deleted posts, a provider's glitch) is no activity, and the
        # next rise is measured from the highest count seen, never from the dip.
        before = count if before is None else max(before, count)
    window = active[-WINDOW_ACTIVE_DAYS:]

    def middle(values: list[float]) -> float:
        return float(median(values)) if values else 0.0

    return AccountFigures(
        account=account,
        network=network,
        active_days=len(window),
        posts=int(sum(sorted(new for new, _ in window))),
        posts_per_active_day=middle([new for new, _ in window]),
        posts_sampled=middle([_engagement(r.metrics, "posts_sampled") for _, r in window]),
        likes_per_post=middle([_engagement(r.metrics, "likes_per_post") for _, r in window]),
        reposts_per_post=middle([_engagement(r.metrics, "reposts_per_post") for _, r in window]),
        replies_per_post=middle([_engagement(r.metrics, "replies_per_post") for _, r in window]),
    )


def account_figures(
    readings: Iterable[StyleReading], *, as_of: datetime
) -> tuple[AccountFigures, ...]:
    """Each account's figures from its readings in the lookback (any order), by network."""
    start = as_of - timedelta(days=LOOKBACK_DAYS)
    by_account: dict[int, dict[object, StyleReading]] = {}
    ordered = sorted(
        (r for r in readings if start <= r.at <= as_of), key=lambda r: (r.account, r.at, r.id)
    )
    networks: dict[int, str] = {}
    for reading in ordered:  # the last reading of each UTC day wins
        day = reading.at.astimezone(UTC).date()
        by_account.setdefault(reading.account, {})[day] = reading
        networks[reading.account] = reading.network
    figures = [
        _account_figures(account, networks[account], list(days.values()))
        for account, days in by_account.items()
    ]
    return tuple(sorted(figures, key=lambda f: (f.network, f.account)))


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def style_explain(readings: Iterable[StyleReading], *, as_of: datetime) -> StyleResult:
    """The person's influence style at ``as_of``, with the figures and thresholds behind it.

    Deterministic and independent of the readings' order. ``style`` is None ("not enough
    data", ``reason`` says why) when no account shows real activity: never a style for
    an empty network.
    """
    accounts = account_figures(readings, as_of=as_of)
    active = [a for a in accounts if a.real_activity]
    networks = sorted({a.network for a in active})
    measured = [a for a in active if a.engagement_measured]
    # The engagement shape is read where they post most (ties: by network name).
    main = min(measured, key=lambda a: (-a.posts, a.network, a.account), default=None)

    def result(style: str | None, reason: str, checks: list[StyleCheck]) -> StyleResult:
        return StyleResult(
            name=STYLES_NAME,
            version=STYLES_VERSION,
            as_of=as_of,
            style=style,
            label=STYLES[style] if style else NOT_ENOUGH_DATA,
            reason=reason,
            basis=(
                f"Replies, reposts and posts a day are read on {main.network}, where they "
                f"post most: {main.posts:,} new posts over {main.active_days} active days."
                if main is not None
                else ""
            ),
            checks=tuple(checks),
            accounts=accounts,
        )

    if not active:
        if not accounts:
            why = f"No readings of any account in the last {LOOKBACK_DAYS} days."
        else:
            why = (
                f"No account shows new posts on at least {MIN_ACTIVE_DAYS} days in the last "
                f"{LOOKBACK_DAYS} days, so there is no activity to describe."
            )
        return result(None, why, [])

    checks = _checks(main, networks)
    for check in checks:
        if check.met:
            return result(check.style, f"{check.label}: {check.figures}", checks)
    if main is None and len(networks) < NETWORKER_MIN_NETWORKS:
        why = (
            f"Active on {', '.join(networks)}, but no network reports the replies and reposts "
            f"of at least {MIN_POSTS_SAMPLED} recent posts, so the styles cannot be told apart."
        )
        return result(None, why, checks)
    balanced = StyleCheck(BALANCED, STYLES[BALANCED], True, "None of the styles above is met.", "—")
    return result(BALANCED, f"{balanced.label}: {balanced.figures}", [*checks, balanced])


def _checks(main: AccountFigures | None, networks: list[str]) -> list[StyleCheck]:
    checks: list[StyleCheck] = []
    unmeasured = "No network reports the replies and reposts of enough recent posts."
    if main is None:
        checks.extend(
            StyleCheck(style, STYLES[style], None, unmeasured, _thresholds(style))
            for style in (CONVERSATIONALIST, AMPLIFIED, BROADCASTER)
        )
    else:
        where = f"on {main.network}"
        interactions = main.interactions_per_post
        reply_share = _share(main.replies_per_post, interactions)
        repost_share = _share(main.reposts_per_post, interactions)
        checks.append(
            StyleCheck(
                CONVERSATIONALIST,
                STYLES[CONVERSATIONALIST],
                reply_share >= CONVERSATION_MIN_REPLY_SHARE
                and main.replies_per_post >= CONVERSATION_MIN_REPLIES_PER_POST,
                f"{main.replies_per_post:.1f} replies per post, {_percent(reply_share)} of "
                f"{interactions:.1f} likes, reposts and replies per post {where}.",
                _thresholds(CONVERSATIONALIST),
            )
        )
        checks.append(
            StyleCheck(
                AMPLIFIED,
                STYLES[AMPLIFIED],
                repost_share >= AMPLIFIED_MIN_REPOST_SHARE
                and main.reposts_per_post >= AMPLIFIED_MIN_REPOSTS_PER_POST,
                f"{main.reposts_per_post:.1f} reposts per post, {_percent(repost_share)} of "
                f"{interactions:.1f} likes, reposts and replies per post {where}.",
                _thresholds(AMPLIFIED),
            )
        )
        checks.append(
            StyleCheck(
                BROADCASTER,
                STYLES[BROADCASTER],
                main.posts_per_active_day >= BROADCASTER_MIN_POSTS_PER_ACTIVE_DAY
                and main.replies_per_post < BROADCASTER_MAX_REPLIES_PER_POST,
                f"{main.posts_per_active_day:.1f} posts on a typical active day and "
                f"{main.replies_per_post:.1f} replies per post {where}.",
                _thresholds(BROADCASTER),
            )
        )
    checks.append(
        StyleCheck(
            NETWORKER,
            STYLES[NETWORKER],
            len(networks) >= NETWORKER_MIN_NETWORKS,
            f"Real activity on {len(networks)} network{'s' if len(networks) != 1 else ''} "
            f"({', '.join(networks)}).",
            _thresholds(NETWORKER),
        )
    )
    return checks


def _thresholds(style: str) -> str:
    return {
        CONVERSATIONALIST: f"Replies at least {_percent(CONVERSATION_MIN_REPLY_SHARE)} of "
        f"interactions and at least {CONVERSATION_MIN_REPLIES_PER_POST:g} per post.",
        AMPLIFIED: f"Reposts at least {_percent(AMPLIFIED_MIN_REPOST_SHARE)} of interactions "
        f"and at least {AMPLIFIED_MIN_REPOSTS_PER_POST:g} per post.",
        BROADCASTER: f"At least {BROADCASTER_MIN_POSTS_PER_ACTIVE_DAY:g} posts on a typical "
        f"active day and fewer than {BROADCASTER_MAX_REPLIES_PER_POST:g} reply per post.",
        NETWORKER: f"At least {NETWORKER_MIN_NETWORKS} networks with new posts on at least "
        f"{MIN_ACTIVE_DAYS} days each.",
    }[style]


def names_a_style(metric: str) -> bool:
    """Whether a rule's metric names a style (``influence_style``, ``metric:broadcaster``,
    ``style.networker`` ...): rules may never read one."""
    name = metric.split(":", 1)[-1].lower()
    words = set(name.replace(".", "_").replace("-", "_").split("_"))
    return bool(words & ({"style", "styles"} | set(STYLES))) or name == STYLES_NAME


def refusal(metric: str) -> str:
    """Why a rule may not read ``metric``, which names a style (``names_a_style``)."""
    return (
        f"{metric!r} names an influence style. Styles are descriptive only and never used "
        "to screen: a classification used to screen would need its own bias audit (NYC "
        "Local Law 144, 6 RCNY 5-301). Use a score or a metric instead."
    )
