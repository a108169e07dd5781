"""Business durations as people write them: ``90m``, ``4h``, ``2h30m``, ``1d`` (24x7 only).

Durations are whole seconds. Formatting is the inverse of the specs' parser
(``servanda.specs.units.parse_duration``): ``format_duration(9000) == "2h30m"``.
"""

from __future__ import annotations

_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def format_duration(seconds: int, *, days: bool = False) -> str:
    """Compact form, largest unit first; days only when ``days`` (they are ambiguous on business calendars)."""
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
