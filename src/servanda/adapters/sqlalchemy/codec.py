"""Row contents: events, measurements and outages as canonical JSON text, and back.

Canonical means: a dataclass's fields in declaration order, Decimals as their
exact string, enums as their value, tuples as arrays (orjson), so that equal
values always give equal text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson

from servanda.domain.availability import Impact, Outage
from servanda.domain.clock.measurement import Measurement
from servanda.domain.events import EventType, TicketEvent
from servanda.services.documents import decode
from servanda.services.ports import Transition, TransitionKind


def _default(value: object) -> object:
    if isinstance(value, Decimal | frozenset):
        return str(value) if isinstance(value, Decimal) else sorted(value)
    raise TypeError(f"cannot store a {type(value).__name__}")


def dumps(value: object) -> str:
    """Canonical JSON text of a frozen domain value."""
    return orjson.dumps(value, default=_default).decode()


def event_from_json(content: str | bytes) -> TicketEvent:
    raw: dict[str, Any] = orjson.loads(content)
    score = raw.get("score")
    return TicketEvent(
        id=raw["id"],
        ticket=raw["ticket"],
        type=EventType(raw["type"]),
        at=raw["at"],
        source=raw["source"],
        customer=raw.get("customer"),
        service=raw.get("service"),
        priority=raw.get("priority"),
        status=raw.get("status"),
        fields=tuple((key, value) for key, value in raw.get("fields", ())),
        changes=tuple((key, value) for key, value in raw.get("changes", ())),
        score=None if score is None else Decimal(score),
    )


def measurement_from_json(content: str | bytes) -> Measurement:
    restored = decode(Measurement, orjson.loads(content))
    assert isinstance(restored, Measurement)
    return restored


def transition_from_row(values: Sequence[Any]) -> Transition:
    """A transition from its columns ``TRANSITION_COLUMNS``, in that order."""
    ticket, key, kind, threshold, objective_key, metric, at, revision_id = values
    return Transition(
        ticket, key, TransitionKind(kind), threshold, objective_key, metric, at, revision_id
    )


TRANSITION_COLUMNS = (
    "ticket_id",
    "measurement_key",
    "kind",
    "threshold",
    "objective_key",
    "metric",
    "at",
    "revision_id",
)


def outage_from_json(content: str | bytes) -> Outage:
    raw: dict[str, Any] = orjson.loads(content)
    return Outage(
        id=raw["id"],
        service=raw["service"],
        start=raw["start"],
        end=raw["end"],
        source=raw["source"],
        customers=tuple(raw.get("customers", ())),
        impact=Impact(raw.get("impact", Impact.FULL.value)),
        weight=Decimal(raw.get("weight", "1")),
        planned=bool(raw.get("planned", False)),
        description=raw.get("description", ""),
    )
