"""``POST /api/v1/events``: a batch of ticket events, stored idempotently, one result per item.

Each item is checked by the same rules as a JSONL import
(``servanda.specs.events.event_from_json``). Result per item, in input order:
``created`` (stored now), ``duplicate`` (already stored with equal content, or
repeated earlier in the batch) or ``rejected`` with a reason (invalid, or an
identity already holding other content). Valid items are stored even when
others are rejected. At most ``MAX_BATCH`` items per request (413 beyond).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from servanda.domain.errors import ConflictError, EventError
from servanda.domain.events import EventType, TicketEvent
from servanda.entrypoints.api.context import Context, Writer
from servanda.entrypoints.api.errors import ApiError
from servanda.services.ingestion import record_events
from servanda.services.ports import Identity, UnitOfWorkFactory
from servanda.specs.events import event_from_json

MAX_BATCH = 1000

router = APIRouter(tags=["events"])

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One ticket event (docs/events.md); checked item by item.",
    "required": ["id", "ticket", "type", "at"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "ticket": {"type": "string", "minLength": 1},
        "type": {
            "type": "string",
            "enum": [kind.value for kind in EventType],
        },
        "at": {"type": "string", "format": "date-time"},
        "source": {"type": "string"},
        "customer": {"type": "string"},
        "service": {"type": "string"},
        "priority": {"type": "string"},
        "status": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "changes": {"type": "object", "additionalProperties": {"type": "string"}},
        "score": {"type": "number"},
    },
}

EventObject = Annotated[Any, WithJsonSchema(EVENT_SCHEMA)]


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventObject] = Field(
        description=f"Up to {MAX_BATCH} events; larger batches are refused with 413.",
        json_schema_extra={"maxItems": MAX_BATCH},
    )


ItemStatus = Literal["created", "duplicate", "rejected"]


class ItemResult(BaseModel):
    index: int = Field(description="Position of the item in the request (0-based).")
    source: str | None
    id: str | None
    status: ItemStatus
    reason: str | None = None


class BatchResult(BaseModel):
    received: int
    created: int
    duplicates: int
    rejected: int
    results: list[ItemResult]


def refuse_nul(value: object) -> None:
    """``EventError`` if any text inside ``value`` holds a NUL character (no database stores it)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise EventError("text must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item)


TEXT_LIMITS = {"id": 200, "ticket": 200, "source": 200, "customer": 200, "service": 200}
TEXT_LIMITS |= {"priority": 100, "status": 100}


def check_lengths(event: TicketEvent) -> TicketEvent:
    """``EventError`` for a name longer than storage keeps (ids 200 characters, priority 100)."""
    for key, limit in TEXT_LIMITS.items():
        value = getattr(event, key)
        if value is not None and len(value) > limit:
            raise EventError(f"{key} is longer than {limit} characters")
    return event


def check_batch_size(count: int) -> None:
    if count > MAX_BATCH:
        raise ApiError(
            413, "batch_too_large", f"a batch holds at most {MAX_BATCH} items, not {count}"
        )


def summarise(results: list[ItemResult]) -> BatchResult:
    return BatchResult(
        received=len(results),
        created=sum(r.status == "created" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        results=results,
    )


def _require_definitions(uow_factory: UnitOfWorkFactory, seen: threading.Event) -> None:
    """``ConflictError`` while no revision is stored; once one is, never asked again
    (revisions are never deleted)."""
    if seen.is_set():
        return
    with uow_factory() as uow:
        if uow.revisions.latest() is None:
            raise ConflictError(
                "no definitions are stored yet: apply them first (POST /api/v1/revisions)"
            )
    seen.set()


@router.post("/events", response_model=BatchResult, summary="Record a batch of ticket events")
def post_events(batch: EventBatch, ctx: Context, principal: Writer) -> BatchResult:
    check_batch_size(len(batch.events))
    results: list[ItemResult | None] = [None] * len(batch.events)
    parsed: list[tuple[int, TicketEvent]] = []
    for index, raw in enumerate(batch.events):
        try:
            refuse_nul(raw)
            parsed.append((index, check_lengths(event_from_json(raw))))
        except EventError as error:
            results[index] = ItemResult(
                index=index,
                source=_field(raw, "source"),
                id=_field(raw, "id"),
                status="rejected",
                reason=str(error),
            )
    storage = ctx.storage
    with ctx.ingestion_slots:  # few CPU-bound batches at once: reads do not queue behind them
        _require_definitions(storage.uow_factory, ctx.definitions_applied)
        outcome = record_events(
            storage.uow_factory, storage.evaluator, [e for _, e in parsed], ctx.now()
        )
    conflicts = {id(event) for event in outcome.conflicts}
    seen: set[Identity] = set()
    for index, event in parsed:
        status: ItemStatus = "created"
        reason = None
        if id(event) in conflicts:
            status = "rejected"
            reason = f"identity {event.source}/{event.id} is already taken by other content"
        elif event.identity in seen or event.identity not in outcome.created:
            status = "duplicate"
        seen.add(event.identity)
        results[index] = ItemResult(
            index=index, source=event.source, id=event.id, status=status, reason=reason
        )
    return summarise([r for r in results if r is not None])


def _field(raw: object, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None
