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

from servanda.domain.outages import Outage

INK = "#1f2a37"
MUTED = "#6b7280"
GRID = "#e5e7eb"
GOOD = "#15803d"
BAD = "#b91c1c"
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


def trend_chart(points: Sequence[tuple[str, Decimal | None]], goal: Decimal | None) -> str:
    """Attainment per period as bars (green at or above the goal, red below), the goal as a line.

    Periods without items get no bar and the label "no items".
    """
    with plt.rc_context(_STYLE):  # type: ignore[arg-type]  # keys typed as a Literal union
        figure, axes = plt.subplots(figsize=(3.3, 1.45))
        labels = [label for label, _ in points]
        values = [float(value * 100) if value is not None else 0.0 for _, value in points]
        colours = [
            GOOD if value is not None and (goal is None or value >= goal) else BAD
            for _, value in points
        ]
        bars = axes.bar(range(len(points)), values, color=colours, width=0.62, zorder=2)
        for bar, (_, value) in zip(bars, points, strict=True):
            text = "–" if value is None else f"{float(value * 100):.0f}%"
            axes.text(
                bar.get_x() + bar.get_width() / 2,
                max(bar.get_height(), 0) + 2,
                text,
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=INK if value is not None else MUTED,
            )
        if goal is not None:
            axes.axhline(float(goal * 100), color=ACCENT, linewidth=1, linestyle="--", zorder=3)
            axes.text(
                len(points) - 0.5,
                float(goal * 100) + 1,
                f"goal {float(goal * 100):g}%",
                ha="right",
                va="bottom",
                fontsize=6,
                color=ACCENT,
            )
        axes.set_xticks(range(len(points)), [label[2:] for label in labels])
        axes.set_ylim(0, 118)
        axes.set_yticks([0, 50, 100], ["0", "50", "100%"])
        axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(length=0)
        return _svg(figure)


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
