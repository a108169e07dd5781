"""``POST /api/v1/events``: a batch of ticket events, stored idempotently, one result per item.

Each item is checked by the same rules as a JSONL import
(``servanda.specs.events.event_from_json``). Result per item, in input order:
``created`` (stored now), ``duplicate`` (already stored with equal content, or
repeated earlier in the batch) or ``rejected`` with a reason (invalid, or an
identity already holding other content). Valid items are stored even when
others are rejected. Each result lists the item's unknown values (``warnings``,
``domain.vocabulary``); an item with a value outside a declared vocabulary is
rejected, and with ``?strict=true`` so is one with any unknown value. At most ``MAX_BATCH`` items per request (413 beyond).
The batch is folded by the app's ``Ingestion`` (``servanda.entrypoints.api.ingestion``:
under ``servanda serve``, in a lower-priority ingestion process).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from servanda.domain.events import EventType
from servanda.entrypoints.api.context import Context, Writer
from servanda.entrypoints.api.errors import ApiError
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.entrypoints.api.results import BatchResult

MAX_BATCH = 1000

router = APIRouter(tags=["events"], route_class=StrictJsonRoute)

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

Strict = Annotated[
    bool,
    Query(
        description="Reject (do not store) items with values the definitions do not know, "
        "instead of storing them with warnings."
    ),
]


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventObject] = Field(
        description=f"Up to {MAX_BATCH} events; larger batches are refused with 413.",
        json_schema_extra={"maxItems": MAX_BATCH},
    )


def check_batch_size(count: int) -> None:
    if count > MAX_BATCH:
        raise ApiError(
            413, "batch_too_large", f"a batch holds at most {MAX_BATCH} items, not {count}"
        )


@router.post("/events", response_model=BatchResult, summary="Record a batch of ticket events")
async def post_events(
    batch: EventBatch, request: Request, ctx: Context, principal: Writer, strict: Strict = False
) -> Response:
    check_batch_size(len(batch.events))
    client = request.client.port if request.client else None  # the connection, for affinity
    answer = await ctx.ingestion.answer(batch.events, ctx.now(), client, strict)
    return Response(answer, media_type="application/json")
