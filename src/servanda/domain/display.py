"""Figures written for people: percentages, durations, levels and money.

The one place that turns a fraction, a number of seconds or an amount into the
text a report, a timeline, an explanation or a terminal shows. Machine formats
(JSON, CSV columns) keep exact values and never come through here.

- ``percent``: a measured fraction, rounded half-up to ``places`` (``99.96%``).
- ``exact_percent``: a fraction someone wrote (a goal, a warning threshold, an
  availability target), unrounded, as they would write it (``99.95%``, ``100%``);
  the inverse of ``specs.units.parse_percentage``.
- ``format_duration``: compact business durations (``2h30m``), the inverse of
  ``specs.units.parse_duration``.
- ``Money.__str__`` (``EUR 1,234.50``) stays with the money type; ``amounts``
  joins several.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from servanda.domain.agreements import Metric

if TYPE_CHECKING:
    from servanda.domain.money import Money

_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def format_duration(seconds: int, *, days: bool = False) -> str:
    """Compact form, largest unit first; days only when ``days`` (they are ambiguous on business
    calendars). ``format_duration(9000) == "2h30m"``; zero is ``0s``."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    rest = abs(seconds)
    parts: list[str] = []
    for unit, size in _UNITS:
        if unit == "d" and not days:
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def minutes(seconds: Decimal | int) -> str:
    """A mean duration in minutes with one decimal: ``754.5 min``."""
    value = Decimal(seconds) / 60
    return f"{value.quantize(Decimal('0.1')):,f} min"


def _trimmed(value: Decimal) -> str:
    """``99.900`` -> ``99.9``, ``100`` -> ``100``, ``0E+2`` -> ``0``: no exponent, no trailing zeros."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(fraction: Decimal | None, places: int = 2) -> str:
    """``Decimal('0.99955')`` -> ``99.96%`` (half-up); trailing zeros dropped; ``None`` -> ``n/a``."""
    if fraction is None:
        return "n/a"
    exponent = Decimal(1).scaleb(-places)
    return f"{_trimmed((fraction * 100).quantize(exponent, rounding=ROUND_HALF_UP))}%"


def exact_percent(fraction: Decimal) -> str:
    """A written fraction as written: ``0.999`` -> ``99.9%``, ``1`` -> ``100%`` (never rounded)."""
    return f"{_trimmed(fraction * 100)}%"


def points(delta: Decimal | None, places: int = 1) -> str:
    """A change of fractions in percentage points: ``+2.5 pp``, ``-0.3 pp``, ``–`` for none."""
    if delta is None:
        return "–"
    value = (delta * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{'+' if value > 0 else ''}{value:f} pp"


def format_level(metric: Metric, level: Decimal) -> str:
    """A mean rating as a number (``4.25``), every other level as a percentage (``99.95%``)."""
    if metric is Metric.SATISFACTION:
        return f"{level.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return percent(level, places=3)


def amounts(values: Sequence[Money]) -> str:
    """``EUR 12.50, USD 3.00``; ``–`` for none."""
    return ", ".join(str(value) for value in values) if values else "–"
