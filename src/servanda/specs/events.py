"""The JSON event format (docs/events.md): one JSON object -> one ``TicketEvent``, and back.

Shape: ``id``, ``ticket``, ``type`` and ``at`` are required strings; ``at`` is
ISO 8601 with an offset (``Z`` or ``+hh:mm``) and is floored to whole UTC
seconds; a naive ``at`` is refused unless the reader is given the zone it is in.
``source`` is optional (default ``"default"``). Per type: ``created`` may carry
``customer``, ``service``, ``priority``, ``status`` and ``fields`` (an object
of strings); ``status_changed`` needs ``status``; ``attributes_changed`` needs
a non-empty ``changes`` object of strings; ``rated`` needs a numeric ``score``.
Unknown keys and keys that do not belong to the type are errors (typos would
otherwise change SLA outcomes silently), and so is a NUL character in any text
(``domain.events.refuse_nul``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import tzinfo
from decimal import Decimal, InvalidOperation

import orjson

from servanda.domain.errors import EventError
from servanda.domain.events import DEFAULT_SOURCE, EventType, TicketEvent, refuse_nul
from servanda.domain.events import parse_instant as domain_parse_instant

_REQUIRED = ("id", "ticket", "type", "at")
_COMMON = frozenset({*_REQUIRED, "source"})
_ALLOWED: dict[EventType, frozenset[str]] = dict.fromkeys(EventType, _COMMON) | {
    EventType.CREATED: _COMMON | {"customer", "service", "priority", "status", "fields"},
    EventType.STATUS_CHANGED: _COMMON | {"status"},
    EventType.ATTRIBUTES_CHANGED: _COMMON | {"changes"},
    EventType.RATED: _COMMON | {"score"},
}
_KNOWN_TYPES = ", ".join(kind.value for kind in EventType)


def parse_instant(value: object, zone: tzinfo | None = None, *, field: str = "at") -> int:
    """Whole epoch seconds (floored) of a JSON value that must be an ISO 8601 string.

    The string rule is ``domain.events.parse_instant``; this adds the JSON type check.
    """
    if not isinstance(value, str):
        raise EventError(f"{field} must be an ISO 8601 string, not {_kind(value)}")
    return domain_parse_instant(value, zone, field=field)


def event_from_json(data: object, *, zone: tzinfo | None = None) -> TicketEvent:
    """The event of one decoded JSON object; ``EventError`` says precisely what is wrong."""
    if not isinstance(data, dict):
        raise EventError(f"an event is a JSON object, not {_kind(data)}")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise EventError(f"missing {', '.join(missing)}")
    kind = _event_type(data["type"])
    unknown = sorted(set(data) - _ALLOWED[kind])
    if unknown:
        raise EventError(f"{', '.join(unknown)} not allowed on a {kind.value} event")
    if kind is EventType.STATUS_CHANGED and data.get("status") is None:
        raise EventError("a status_changed event needs a status")
    if kind is EventType.ATTRIBUTES_CHANGED and not data.get("changes"):
        raise EventError("an attributes_changed event needs a non-empty changes object")
    if kind is EventType.RATED and data.get("score") is None:
        raise EventError("a rated event needs a score")
    return TicketEvent(
        id=_text(data, "id"),
        ticket=_text(data, "ticket"),
        type=kind,
        at=parse_instant(data["at"], zone),
        source=_optional_text(data, "source") or DEFAULT_SOURCE,
        customer=_optional_text(data, "customer"),
        service=_optional_text(data, "service"),
        priority=_optional_text(data, "priority"),
        status=_optional_text(data, "status"),
        fields=_pairs(data, "fields"),
        changes=_pairs(data, "changes"),
        score=_score(data.get("score")),
    )


def parse_event_line(line: str | bytes, *, zone: tzinfo | None = None) -> TicketEvent:
    """One JSONL line -> its event (``EventError`` for invalid JSON too)."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise EventError(f"invalid JSON: {error}") from None
    return event_from_json(data, zone=zone)


def read_events(
    lines: Iterable[str | bytes], *, zone: tzinfo | None = None
) -> Iterator[tuple[int, TicketEvent | EventError]]:
    """``(line_number, event or error)`` for each non-blank line (1-based); never raises per line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, parse_event_line(line, zone=zone)
        except EventError as error:
            yield number, error


def event_to_json(event: TicketEvent) -> dict[str, object]:
    """The JSON object of ``event`` (UTC instants, only the keys that are set)."""
    data: dict[str, object] = {
        "id": event.id,
        "ticket": event.ticket,
        "type": event.type.value,
        "at": event.at_datetime.isoformat(),
    }
    if event.source != DEFAULT_SOURCE:
        data["source"] = event.source
    for key in ("customer", "service", "priority", "status"):
        value = getattr(event, key)
        if value is not None:
            data[key] = value
    if event.fields:
        data["fields"] = dict(event.fields)
    if event.changes:
        data["changes"] = dict(event.changes)
    if event.score is not None:
        data["score"] = (
            int(event.score) if event.score == event.score.to_integral() else float(event.score)
        )
    return data


def event_to_line(event: TicketEvent) -> bytes:
    """One JSONL line (with its newline) for ``event``."""
    return orjson.dumps(event_to_json(event)) + b"\n"


def _event_type(value: object) -> EventType:
    if not isinstance(value, str):
        raise EventError(f"type must be a string, not {_kind(value)}")
    try:
        return EventType(value)
    except ValueError:
        raise EventError(f"unknown type {value!r} (one of: {_KNOWN_TYPES})") from None


def _text(data: Mapping[str, object], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise EventError(f"{key} must be a non-empty string, not {_kind(value)}")
    return refuse_nul(key, value)


def _optional_text(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else _text(data, key)


def _pairs(data: Mapping[str, object], key: str) -> tuple[tuple[str, str], ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise EventError(f"{key} must be an object of strings, not {_kind(value)}")
    for name, item in value.items():
        if not isinstance(item, str):
            raise EventError(f"{key}.{name} must be a string, not {_kind(item)}")
        refuse_nul(f"a name in {key}", name)
        refuse_nul(f"{key}.{name}", item)
    return tuple(sorted(value.items()))


def _score(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise EventError(f"score must be a number, not {_kind(value)}")
    try:
        score = Decimal(str(value))
    except InvalidOperation:
        raise EventError(f"score {value!r} is not a number") from None
    if not score.is_finite():
        raise EventError(f"score {value!r} is not a finite number")
    return score


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
