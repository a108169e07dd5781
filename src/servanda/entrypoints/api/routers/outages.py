"""``POST /api/v1/outages``: outage and maintenance records, stored idempotently, one result per item.

Each item is read by the same rules as an outage file import
(``servanda.adapters.importers.outages.outage_from_mapping``): ``id``,
``service``, ``start``, ``end`` (ISO 8601 with an offset), optional
``impact``, ``weight``, ``planned``, ``customers``, ``source``,
``description``. At most ``MAX_BATCH`` items per request (413 beyond).
A service or customer the definitions do not know is a warning on the item's
result; with ``?strict=true`` the item is rejected instead.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from servanda.adapters.importers.outages import outage_from_mapping
from servanda.domain.availability import Outage
from servanda.entrypoints.api.context import Context, Writer
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.entrypoints.api.results import BatchResult, ItemResult, stored_results, summarise
from servanda.entrypoints.api.routers.events import MAX_BATCH, Strict, check_batch_size
from servanda.services.outages import record_outages

router = APIRouter(tags=["outages"], route_class=StrictJsonRoute)

OUTAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One outage or maintenance window; checked item by item.",
    "required": ["id", "service", "start", "end"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "service": {"type": "string", "minLength": 1},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "impact": {"type": "string", "enum": ["full", "partial"]},
        "weight": {"type": "string", "description": "0.25 or 25%"},
        "planned": {"type": "boolean"},
        "customers": {"type": "array", "items": {"type": "string"}},
        "source": {"type": "string"},
        "description": {"type": "string"},
    },
}


class OutageBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outages: list[Annotated[Any, WithJsonSchema(OUTAGE_SCHEMA)]] = Field(
        description=f"Up to {MAX_BATCH} outages; larger batches are refused with 413.",
        json_schema_extra={"maxItems": MAX_BATCH},
    )


@router.post("/outages", response_model=BatchResult, summary="Record outages and maintenance")
def post_outages(
    batch: OutageBatch, ctx: Context, principal: Writer, strict: Strict = False
) -> BatchResult:
    check_batch_size(len(batch.outages))
    results: list[ItemResult | None] = [None] * len(batch.outages)
    parsed: list[tuple[int, Outage]] = []
    for index, raw in enumerate(batch.outages):
        try:
            if not isinstance(raw, dict):
                raise ValueError("an outage is a JSON object")
            parsed.append((index, outage_from_mapping(raw)))
        except (ValueError, TypeError, ArithmeticError) as error:
            results[index] = ItemResult(
                index=index, source=None, id=None, status="rejected", reason=str(error)
            )
    with ctx.storage.uow_factory() as uow:
        before = uow.outages.existing(sorted({o.identity for _, o in parsed}))
    outcome = record_outages(
        ctx.storage.uow_factory,
        [o for _, o in parsed],
        values=ctx.storage.values,
        strict_values=strict,
    )
    for result in stored_results(
        parsed,
        outcome.conflicts,
        lambda i: i not in before,
        outcome.findings,
        outcome.refused,
    ):
        results[result.index] = result
    return summarise([r for r in results if r is not None])
