"""``/api/v1/periods``: close a customer's reporting period, reopen it, list the closes.

``POST /api/v1/periods/{period}/close`` ``{"customer": ..., "reason": ...}`` freezes
the period's figures for the customer (every customer when none is named);
``POST /api/v1/periods/{period}/reopen`` ``{"customer": ..., "reason": ...}``
(a reason is required) undoes it; both are admin-only and audited under the
token's name. ``GET /api/v1/periods`` lists every close (staff). Rules:
docs/reports.md, "Closed periods".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from servanda.domain.clock.measurement import iso
from servanda.entrypoints.api.context import Admin, ApiContext, Context, Staff
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.closing import close_period, closed_periods, reopen_period

router = APIRouter(tags=["periods"], route_class=StrictJsonRoute)

PeriodText = Annotated[
    str,
    Path(
        min_length=4,
        max_length=32,
        pattern=r"^[0-9Qq.-]+$",
        description="2026-03, 2026-Q1, 2026 or 2026-03-01..2026-03-15",
    ),
]


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=2000)


class AmountOut(BaseModel):
    currency: str
    amount: str


class BookedOut(BaseModel):
    period: str
    currency: str
    amount: str


class ClosedPeriodOut(BaseModel):
    customer: str
    period: str
    start: str | None
    end: str | None
    closed_at: str | None
    closed_by: str
    reason: str
    revision_ceiling: int
    content_hash: str
    net_credits: list[AmountOut]
    booked_adjustments: list[BookedOut]
    reopened_at: str | None
    reopened_by: str | None
    reopen_reason: str


class ClosedPeriodList(BaseModel):
    periods: list[ClosedPeriodOut]


def closed_out(c: ClosedPeriod) -> ClosedPeriodOut:
    return ClosedPeriodOut(
        customer=c.customer,
        period=c.period,
        start=iso(c.start),
        end=iso(c.end),
        closed_at=iso(c.closed_at),
        closed_by=c.closed_by,
        reason=c.reason,
        revision_ceiling=c.revision_ceiling,
        content_hash=c.content_hash,
        net_credits=[AmountOut(currency=k, amount=str(v)) for k, v in c.net_credits],
        booked_adjustments=[BookedOut(period=p, currency=k, amount=str(v)) for p, k, v in c.booked],
        reopened_at=iso(c.reopened_at),
        reopened_by=c.reopened_by,
        reopen_reason=c.reopen_reason,
    )


@router.get("/periods", response_model=ClosedPeriodList, summary="Every close, oldest first")
def get_periods(
    ctx: Context,
    principal: Staff,
    customer: Annotated[str | None, Query(max_length=200)] = None,
) -> ClosedPeriodList:
    return ClosedPeriodList(
        periods=[closed_out(c) for c in closed_periods(ctx.storage.uow_factory, customer)]
    )


@router.post(
    "/periods/{period}/close",
    response_model=ClosedPeriodList,
    status_code=201,
    summary="Close a period: its figures become final",
)
async def post_close(
    period: PeriodText, body: CloseIn, ctx: Context, principal: Admin
) -> ClosedPeriodList:
    closed = await run_in_threadpool(_close, ctx, period, body, principal.name)
    return ClosedPeriodList(periods=[closed_out(c) for c in closed])


@router.post(
    "/periods/{period}/reopen",
    response_model=ClosedPeriodList,
    summary="Reopen a closed period (a reason is required)",
)
def post_reopen(
    period: PeriodText, body: CloseIn, ctx: Context, principal: Admin
) -> ClosedPeriodList:
    reopened = reopen_period(
        ctx.storage.uow_factory,
        period,
        customer=body.customer,
        now=ctx.now(),
        author=principal.name,
        reason=body.reason,
    )
    return ClosedPeriodList(periods=[closed_out(c) for c in reopened])


def _close(ctx: ApiContext, period: str, body: CloseIn, actor: str) -> list[ClosedPeriod]:

    return close_period(
        ctx.storage.reports,
        period,
        customer=body.customer,
        now=ctx.now(),
        author=actor,
        reason=body.reason,
    )
