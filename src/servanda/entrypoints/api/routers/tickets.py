"""``GET /api/v1/tickets``: the tickets list (``?measured=false``: those without a clock, each
with the reason); ``GET /api/v1/tickets/{id}``: a ticket's attributes, clocks and timeline.

The timeline merges the ticket's events (in application order) and its
recorded transitions (warning, breached, met) by instant. A customer token
sees only its customer's tickets: any other id is the same 404 as a missing one,
and the list is narrowed to its customer. Of a ticket moved to it from another
customer, it sees only what happened while the ticket was its own
(``services.queries.seen_by``). Instants are ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from servanda.domain.clock.measurement import Measurement, iso
from servanda.domain.coverage import UnmeasuredCode
from servanda.entrypoints.api.context import ClockReader, Context, only_customer
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.queries import TicketView, ticket_view
from servanda.services.tickets import TicketFilter, TicketRow, list_tickets
from servanda.specs.events import event_to_json

router = APIRouter(tags=["tickets"], route_class=StrictJsonRoute)

TicketId = Annotated[str, Path(min_length=1, max_length=200, description="The ticket id.")]


class WarningOut(BaseModel):
    threshold: str
    at: str | None


class ChangeOut(BaseModel):
    at: str | None
    cause: str
    target_seconds: int
    deadline: str | None
    objective: str
    event_id: str | None
    detail: str


class MeasurementOut(BaseModel):
    """One SLA clock of the ticket (an objective applied to it, one cycle)."""

    key: str
    revision_id: int | None
    agreement: str
    level: str
    objective: str
    metric: str
    cycle: int
    state: str
    target_seconds: int
    elapsed_seconds: int
    remaining_seconds: int
    paused_seconds: int
    started_at: str | None
    deadline: str | None
    stopped_at: str | None
    breached_at: str | None
    calendar: str
    warnings: list[WarningOut]
    history: list[ChangeOut]
    next_due_at: str | None
    evaluated_at: str | None


class TimelineEntry(BaseModel):
    at: str | None
    kind: Literal["event", "transition"]
    type: str = ""
    event: dict[str, object] | None = None
    measurement: str | None = None
    objective: str | None = None
    threshold: str | None = None


class TicketOut(BaseModel):
    id: str
    customer: str | None
    service: str | None
    priority: str | None
    status: str | None
    attributes: dict[str, str]
    created_at: str | None
    last_event_at: str | None
    event_count: int
    revision_id: int | None
    evaluated_at: str | None
    next_due_at: str | None
    owned_since: str | None = Field(
        description="For a customer token: when the ticket last became the customer's; the "
        "timeline, clock histories and custom fields show only what happened while it was "
        "theirs. Null for staff tokens."
    )
    measurements: list[MeasurementOut]
    timeline: list[TimelineEntry]


class UnmeasuredOut(BaseModel):
    code: UnmeasuredCode = Field(description="Why the ticket has no clock; stable.")
    message: str = Field(description="The reason, with the attribute values that decided it.")


class TicketListItem(BaseModel):
    id: str
    customer: str | None
    service: str | None
    priority: str | None
    status: str | None
    attributes: dict[str, str]
    created_at: str | None
    last_event_at: str | None
    event_count: int
    revision_id: int | None
    evaluated_at: str | None
    clocks: int = Field(description="How many clocks (measurements) the ticket has.")
    unmeasured: UnmeasuredOut | None = Field(
        description="Why the ticket has no clock; null when it has one."
    )


class TicketPageOut(BaseModel):
    items: list[TicketListItem]
    limit: int
    offset: int
    next_offset: int | None


def list_item(row: TicketRow) -> TicketListItem:
    state = row.state
    reason = row.unmeasured
    return TicketListItem(
        id=state.id,
        customer=state.customer,
        service=state.service,
        priority=state.priority,
        status=state.status,
        attributes=dict(state.attributes),
        created_at=iso(state.created_at),
        last_event_at=iso(state.last_event_at),
        event_count=state.event_count,
        revision_id=state.revision_id,
        evaluated_at=iso(state.evaluated_at),
        clocks=row.clocks,
        unmeasured=None
        if reason is None
        else UnmeasuredOut(code=reason.code, message=reason.message),
    )


MAX_PAGE = 500
Name = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get("/tickets", response_model=TicketPageOut, summary="Tickets, by id")
def get_tickets(
    ctx: Context,
    principal: ClockReader,
    measured: Annotated[
        bool | None,
        Query(description="false: only tickets without any clock; true: only those with one."),
    ] = None,
    customer: Name = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> TicketPageOut:
    wanted = TicketFilter(measured=measured, customer=customer, limit=limit, offset=offset)
    page = list_tickets(
        ctx.storage.uow_factory,
        wanted,
        only_customer=only_customer(principal),
        values=ctx.storage.values,
    )
    return TicketPageOut(
        items=[list_item(row) for row in page.items],
        limit=limit,
        offset=offset,
        next_offset=page.next_offset,
    )


def measurement_out(key: str, revision_id: int | None, m: Measurement) -> MeasurementOut:
    return MeasurementOut.model_validate({"key": key, "revision_id": revision_id} | m.to_dict())


def ticket_out(view: TicketView) -> TicketOut:
    state = view.state
    timeline = [
        (
            e.at,
            0,
            TimelineEntry(at=iso(e.at), kind="event", type=e.type.value, event=event_to_json(e)),
        )
        for e in view.events
    ] + [
        (
            t.at,
            1,
            TimelineEntry(
                at=iso(t.at),
                kind="transition",
                type=t.kind.value,
                measurement=t.measurement_key,
                objective=t.objective_key,
                threshold=t.threshold or None,
            ),
        )
        for t in view.transitions
    ]
    timeline.sort(key=lambda item: (item[0], item[1]))
    return TicketOut(
        id=state.id,
        customer=state.customer,
        service=state.service,
        priority=state.priority,
        status=state.status,
        attributes=dict(state.attributes),
        created_at=iso(state.created_at),
        last_event_at=iso(state.last_event_at),
        event_count=state.event_count,
        revision_id=state.revision_id,
        evaluated_at=iso(state.evaluated_at),
        next_due_at=iso(state.next_due_at),
        owned_since=iso(view.owned_since),
        measurements=[
            measurement_out(s.key, s.revision_id, s.measurement) for s in view.measurements
        ],
        timeline=[entry for _, _, entry in timeline],
    )


@router.get("/tickets/{ticket_id}", response_model=TicketOut, summary="A ticket and its clocks")
def get_ticket(ticket_id: TicketId, ctx: Context, principal: ClockReader) -> Response:
    view = ticket_view(ctx.storage.uow_factory, ticket_id, customer=only_customer(principal))
    # Serialised here, once: FastAPI would validate the model again and encode it twice.
    return Response(ticket_out(view).model_dump_json(), media_type="application/json")
