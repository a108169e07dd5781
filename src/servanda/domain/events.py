"""Ticket events: the values the clock fold consumes.

Instants are integer epoch seconds (UTC) inside the domain: the fold's hot path
works on integers and converts to datetimes only at its edges. Event time has
one-second resolution; sub-second parts are dropped (floored) at ingestion.

Ordering rule (the integration contract, docs/events.md): events are applied in
``at`` order; events with the same ``at`` apply in the order of ``EventType``
below (created first), then by id. Identity is ``(source, id)``: a duplicate
with the same content is ignored, the same identity with other content is an
error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum

from servanda.domain.errors import EventError
from servanda.domain.instants import is_supported, unsupported


class EventType(StrEnum):
    """Event types, in the order they apply when they share an instant."""

    CREATED = "created"
    RESPONDED = "responded"
    STATUS_CHANGED = "status_changed"
    CUSTOMER_REPLIED = "customer_replied"
    ATTRIBUTES_CHANGED = "attributes_changed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    RATED = "rated"


SAME_INSTANT_RANK: dict[EventType, int] = {kind: rank for rank, kind in enumerate(EventType)}

DEFAULT_SOURCE = "default"


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One thing that happened to a ticket.

    ``customer``, ``service``, ``priority`` and ``fields`` are set on ``created``;
    ``changes`` on ``attributes_changed`` (keys: ``priority``, ``service``,
    ``customer`` or any custom field); ``status`` on ``status_changed``;
    ``score`` on ``rated``. ``fields`` and ``changes`` are sorted key/value pairs
    so that events are hashable and compare by content.
    """

    id: str
    ticket: str
    type: EventType
    at: int  # epoch seconds, UTC
    source: str = DEFAULT_SOURCE
    customer: str | None = None
    service: str | None = None
    priority: str | None = None
    status: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    changes: tuple[tuple[str, str], ...] = ()
    score: Decimal | None = None

    @property
    def identity(self) -> tuple[str, str]:
        return (self.source, self.id)

    @property
    def order_key(self) -> tuple[int, int, str, str]:
        """Total order of application: instant, same-instant rank, id, source."""
        return (self.at, SAME_INSTANT_RANK[self.type], self.id, self.source)

    @property
    def at_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.at, tz=UTC)


def epoch_seconds(instant: datetime) -> int:
    """Whole epoch seconds of an aware instant (floored); naive instants are refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()} has no time zone")
    return int(instant.timestamp() // 1)


def from_epoch(seconds: int) -> datetime:
    """The aware UTC instant of whole epoch ``seconds``."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def parse_instant(text: str, zone: tzinfo | None = None, *, field: str | None = None) -> int:
    """Whole epoch seconds (floored) of an ISO 8601 timestamp; a naive one needs ``zone``.

    ``Z`` and ``+hh:mm`` offsets are accepted (SEMANTICS "Business time" 6).
    An instant outside ``domain.instants`` (1970-2199 UTC) is refused here, where
    every event, outage and ``--now`` enters, so none is ever stored: near the
    ends of ``datetime`` an offset overflows the date, and every later
    conversion of the stored instant would fail. ``field`` names the value in
    messages (``None``: a bare timestamp, as in a file cell). Errors are
    ``EventError`` (a ``ValueError``).
    """
    value = text.strip()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        lead = f"{field} " if field else ""
        raise EventError(f"{lead}{value!r} is not an ISO 8601 timestamp") from None
    if instant.tzinfo is None:
        if zone is None:
            name = field or "timestamp"
            raise EventError(f"{name} {value!r} has no UTC offset (add Z or +hh:mm)")
        instant = instant.replace(tzinfo=zone)
    try:
        seconds = epoch_seconds(instant)
    except (OverflowError, ValueError):  # the offset took the instant past year 1 or 9999
        seconds = None
    if seconds is None or not is_supported(seconds):
        raise EventError(unsupported(field or "timestamp", repr(value)))
    return seconds


def refuse_nul(name: str, text: str) -> str:
    """``text``, or ``EventError`` when it holds a NUL character (U+0000).

    No text Servanda keeps may hold one: PostgreSQL cannot store it, SQLite
    would, and precedence uses it to mean "any other value". Every reader of
    events and outages (the API, JSONL, CSV, outage and ServiceNow files) checks
    each text it keeps here, so a NUL rejects its record with the same message
    on every path and database, and the other records are kept.
    """
    if "\x00" in text:
        raise EventError(f"{name} holds a NUL character (U+0000), which no text may contain")
    return text
