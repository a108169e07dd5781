"""SVG charts for reports, drawn with matplotlib's Agg backend (no display, no network).

Text stays text in the SVG (``svg.fonttype = none``) in DejaVu Sans, the font
the report's CSS loads, so charts match the page and their labels can be
extracted from the PDF. Each function returns a ``data:`` URI ready for an
``<img>``. Instants are epoch seconds (UTC) drawn in the report's time zone.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from servanda.domain.availability import Outage
from servanda.domain.display import percent

INK = "#1f2a37"
MUTED = "#6b7280"
GRID = "#e5e7eb"
# Okabe-Ito-like bluish green and vermilion: apart for the common colour-vision deficiencies,
# and missed bars are hatched as well, so status never rests on colour alone.
GOOD = "#007a5a"
BAD = "#c2410c"
BAD_FILL = "#fdba74"
PARTIAL = "#d97706"
PLANNED = "#9ca3af"
ACCENT = "#1d4ed8"

_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "svg.hashsalt": "servanda",  # stable ids: the same report renders the same bytes
}


def _svg(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def period_label(label: str, first: bool) -> str:
    """``2026-03`` -> ``Mar``, with the year under the first bar and under each January."""
    year, _, month = label.partition("-")
    if not (year.isdigit() and month.isdigit()):
        return label  # quarters, years and custom ranges keep their own label
    name = datetime(int(year), int(month), 1).strftime("%b")  # noqa: DTZ001 - a calendar month, no instant
    return f"{name}\n{year}" if first or month == "01" else name


def trend_chart(
    points: Sequence[tuple[str, Decimal | None]], goal: Decimal | None, slots: int = 6
) -> str:
    """Attainment per period as bars (solid at or above the goal, hatched below), the goal dashed.

    Periods without items get no bar and the label "no items". Bars keep one width
    across charts: with fewer than ``slots`` points the missing months on the left
    are marked "not in force" instead of drawn as empty bars.
    """
    with plt.rc_context(_STYLE):  # type: ignore[arg-type]  # keys typed as a Literal union
        figure, axes = plt.subplots(figsize=(3.2, 1.05))
        missing = max(slots - len(points), 0)
        _bars(axes, points, goal)
        if goal is not None:
            height = float(goal * 100)
            axes.axhline(height, color=ACCENT, linewidth=1, linestyle="--", zorder=3)
            # Outside the plot, right of the last bar, so it never covers a value label.
            axes.annotate(
                f"goal\n{float(goal * 100):g}%",
                xy=(1, height),
                xycoords=("axes fraction", "data"),
                xytext=(3, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6,
                color=ACCENT,
                linespacing=1.0,
            )
        if missing:
            axes.text(
                (-1 - missing) / 2,
                50,
                "not in force",
                ha="center",
                va="center",
                fontsize=6.5,
                color=MUTED,
                style="italic",
            )
        axes.set_xlim(-0.5 - missing, len(points) - 0.5)
        axes.set_xticks(
            range(len(points)),
            [period_label(label, index == 0) for index, (label, _) in enumerate(points)],
        )
        axes.set_ylim(0, 118)
        axes.set_yticks([0, 50, 100], ["0", "50", "100%"])
        axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(length=0)
        return _svg(figure)


def _bars(axes: Any, points: Sequence[tuple[str, Decimal | None]], goal: Decimal | None) -> None:  # noqa: ANN401 - matplotlib Axes
    """One bar per point with its value on top; missed periods hatched as well as coloured."""
    for index, (_, value) in enumerate(points):
        height = float(value * 100) if value is not None else 0.0
        reached = value is not None and (goal is None or value >= goal)
        axes.bar(
            index,
            height,
            width=0.62,
            zorder=2,
            color=GOOD if reached else BAD_FILL,
            edgecolor=GOOD if reached else BAD,
            hatch=None if reached else "////",
            linewidth=0.8,
        )
        axes.text(
            index,
            height + 2,
            "no items" if value is None else percent(value, places=0),
            ha="center",
            va="bottom",
            fontsize=6.5 if value is not None else 5.5,
            color=INK if value is not None else MUTED,
            zorder=4,  # above the goal line, on a white ground so the line never strikes it
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4},
        )


def outage_timeline(outages: Sequence[Outage], start: int, end: int, timezone: str) -> str:
    """The period as one lane: full outages red, partial amber (height = weight), maintenance grey."""
    zone = ZoneInfo(timezone)
    with plt.rc_context(_STYLE):  # type: ignore[arg-type]  # keys typed as a Literal union
        figure, axes = plt.subplots(figsize=(7.0, 0.9))
        axes.axhspan(0, 1, color="#f0fdf4", zorder=0)
        for outage in outages:
            left = max(outage.start, start)
            right = min(outage.end, end)
            if right <= left:
                continue
            width = max(right - left, (end - start) / 400)  # keep short outages visible
            colour = PLANNED if outage.planned else BAD if outage.weight == 1 else PARTIAL
            height = 1.0 if outage.planned else float(outage.weight)
            axes.broken_barh([(left, width)], (0, height), facecolors=colour, zorder=2)
        days = _day_ticks(start, end, zone)
        axes.set_xticks([tick for tick, _ in days], [label for _, label in days])
        axes.set_xlim(start, end)
        axes.set_ylim(0, 1)
        axes.set_yticks([])
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(length=2)
        return _svg(figure)


def _day_ticks(start: int, end: int, zone: ZoneInfo) -> list[tuple[int, str]]:
    """About eight evenly spaced local-date ticks across ``[start, end)``."""
    step = max((end - start) // 8, 86_400)
    ticks = []
    instant = start
    while instant < end:
        local = datetime.fromtimestamp(instant, tz=zone)
        ticks.append((instant, f"{local.day} {local:%b}"))
        instant += step
    return ticks
