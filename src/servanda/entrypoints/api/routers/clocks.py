"""``GET /api/v1/clocks``: SLA clocks sorted by deadline, filtered and paginated.

``state`` is a clock state (``running``, ``paused``, ``breached``, ``met``,
``cancelled``) or ``at_risk`` (running with a warning threshold crossed, see
``servanda.services.queries``). A customer token sees only its customer's
clocks; asking for another customer gives an empty page, never an error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servanda.domain.clock.measurement import iso
from servanda.entrypoints.api.context import ClockReader, Context, only_customer
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.queries import ClockFilter, ClockFilterState, ClockRow, list_clocks

router = APIRouter(tags=["clocks"], route_class=StrictJsonRoute)

MAX_PAGE = 500
Name = Annotated[str | None, Query(min_length=1, max_length=200)]


class ClockOut(BaseModel):
    ticket: str
    key: str
    agreement: str
    objective: str
    metric: str
    cycle: int
    state: str
    at_risk: bool
    target_seconds: int | None
    elapsed_seconds: int | None
    remaining_seconds: int | None
    deadline: str | None
    breached_at: str | None
    next_due_at: str | None
    evaluated_at: str | None
    customer: str | None
    service: str | None
    priority: str | None


class ClockPageOut(BaseModel):
    items: list[ClockOut]
    limit: int
    offset: int
    next_offset: int | None


def clock_out(row: ClockRow) -> ClockOut:
    remaining = (
        None
        if row.target_seconds is None or row.elapsed_seconds is None
        else row.target_seconds - row.elapsed_seconds
    )
    return ClockOut(
        ticket=row.ticket,
        key=row.key,
        agreement=row.agreement,
        objective=row.objective,
        metric=row.metric,
        cycle=row.cycle,
        state=row.state,
        at_risk=row.at_risk,
        target_seconds=row.target_seconds,
        elapsed_seconds=row.elapsed_seconds,
        remaining_seconds=remaining,
        deadline=iso(row.deadline),
        breached_at=iso(row.breached_at),
        next_due_at=iso(row.next_due_at),
        evaluated_at=iso(row.evaluated_at),
        customer=row.customer,
        service=row.service,
        priority=row.priority,
    )


@router.get("/clocks", response_model=ClockPageOut, summary="SLA clocks, soonest deadline first")
def get_clocks(
    ctx: Context,
    principal: ClockReader,
    state: ClockFilterState | None = None,
    customer: Name = None,
    service: Name = None,
    agreement: Name = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> ClockPageOut:
    wanted = ClockFilter(
        now=ctx.now(),
        state=state,
        customer=customer,
        service=service,
        agreement=agreement,
        limit=limit,
        offset=offset,
    )
    page = list_clocks(ctx.clocks, wanted, only_customer=only_customer(principal))
    return ClockPageOut(
        items=[clock_out(row) for row in page.items],
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
    )
