"""What every importer yields besides domain values: located rejections, and instant parsing.

Instants in files are ISO 8601. A timestamp without an offset is rejected
unless the import names the zone it is in (SEMANTICS "Business time" 6); the
result is whole epoch seconds, UTC, floored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servanda.domain.errors import EventError
from servanda.domain.events import parse_instant as parse_event_instant

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rejection:
    """One input line that could not be used: where it is, why, and the line itself."""

    line: int  # 1-based physical line of the file (the CSV header is line 1)
    message: str
    raw: str = ""
    file: str = ""

    def __str__(self) -> str:
        return f"{self.file or '<input>'}:{self.line}: {self.message}"


@dataclass(slots=True)
class Collected(Generic[T]):
    """The values and rejections of one file, in file order."""

    values: list[T] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def collect(items: Iterable[T | Rejection]) -> Collected[T]:
    collected: Collected[T] = Collected()
    for item in items:
        if isinstance(item, Rejection):
            collected.rejections.append(item)
        else:
            collected.values.append(item)
    return collected


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name``; an unknown name is an ``EventError`` that says so."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise EventError(f"unknown time zone {name!r}") from error


def parse_instant(text: str, zone: tzinfo | None = None) -> int:
    """Epoch seconds of an ISO 8601 timestamp; naive ones need ``zone``.

    The event format's rule (``domain.events.parse_instant``), worded for file
    cells; raises ``EventError`` (a ``ValueError``) with a readable message.
    """
    return parse_event_instant(text, zone, field=None)
