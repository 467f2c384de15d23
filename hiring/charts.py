"""Server-rendered SVG geometry for the trajectory chart (pure: no database, no template).

The candidate page draws a score's history as an SVG line, with the dips and
spikes (``scoring.trends.episodes``) as numbered bands and anomaly flags as
markers. Everything is computed here as plain numbers and strings; the template
only places them. No script and no external asset: the chart works offline, and
the page carries a data table beside it for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Band:
    """A dip or spike: a shaded span of the plot with its number in the legend."""

    number: int
    kind: str  # "dip" or "spike"
    x: float
    width: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Marker:
    """An anomaly flag on its day, at the bottom of the plot."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    path: str  # the line's SVG path data; "" without points
    dots: list[tuple[float, float]]  # the points when few enough to show each
    median_y: float | None
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    bands: list[Band]
    markers: list[Marker]

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


@dataclass(frozen=True)
class EpisodeSpan:
    kind: str
    start: datetime
    end: datetime


def trajectory_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    start: datetime,
    end: datetime,
    scale: tuple[float, float] = (0.0, 100.0),
    median: float | None = None,
    episodes: Sequence[EpisodeSpan] = (),
    flags: Sequence[tuple[date, str]] = (),
    width: int = 720,
    height: int = 260,
) -> Chart:
    """The chart of ``points`` over [start, end] on ``scale``, with bands and flag markers.

    Points outside the window are left out; values are clamped to the scale.
    """
    left, top, right_pad, bottom_pad = 44, 12, 12, 30
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    span = max((end - start).total_seconds(), 1.0)
    low, high = scale
    if high <= low:
        high = low + 1

    def x_of(at: datetime) -> float:
        return round(left + (at - start).total_seconds() / span * plot_w, 1)

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(top + (1 - (clamped - low) / (high - low)) * plot_h, 1)

    inside = sorted((p for p in points if start <= p[0] <= end), key=lambda p: p[0])
    coordinates = [(x_of(at), y_of(value)) for at, value in inside]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coordinates)
    )
    x_ticks = []
    day = datetime(start.year, start.month, 1, tzinfo=start.tzinfo)
    while day <= end:
        if day >= start:
            x_ticks.append(Tick(x_of(day), day.strftime("%b %Y")))
        day = (day + timedelta(days=32)).replace(day=1)
    y_ticks = [
        Tick(y_of(low + (high - low) * k / 4), f"{low + (high - low) * k / 4:g}") for k in range(5)
    ]
    bands = []
    for number, episode in enumerate(episodes, start=1):
        first = x_of(max(episode.start - timedelta(hours=12), start))
        last = x_of(min(episode.end + timedelta(hours=12), end))
        bands.append(
            Band(
                number=number,
                kind=episode.kind,
                x=first,
                width=max(last - first, 3.0),
                label_x=round((first + last) / 2, 1),
                label_y=top + 12 if episode.kind == "dip" else top + plot_h - 4,
            )
        )
    markers = [
        Marker(
            x_of(datetime(d.year, d.month, d.day, 12, tzinfo=start.tzinfo)), top + plot_h - 2, label
        )
        for d, label in flags
        if start.date() <= d <= end.date()
    ]
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        path=path,
        dots=coordinates if len(coordinates) <= 40 else [],
        median_y=y_of(median) if median is not None else None,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        bands=bands,
        markers=markers,
    )
