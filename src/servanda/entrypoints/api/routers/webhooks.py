"""``/api/v1/webhooks``: subscriptions (admin writes, staff reads) and the delivery log.

A subscription's secret is accepted on creation and never returned. Events are
``warning``, ``breach`` and ``met``; ``customer`` (optional) limits a
subscription to that customer's tickets. See ``servanda.services.webhooks``
for signing, retries and exactly-once fan-out.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from servanda.domain.clock.measurement import iso
from servanda.entrypoints.api.context import Admin, Context, Staff
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.revisions import known_customers
from servanda.services.webhooks import (
    DeliveryRecord,
    DeliveryStatus,
    Subscription,
    subscribe,
    unsubscribe,
)

router = APIRouter(tags=["webhooks"], route_class=StrictJsonRoute)

EventName = Literal["warning", "breach", "met"]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=8, max_length=2000, pattern="^https?://", description="http(s):// receiver"
    )
    events: list[EventName] = Field(min_length=1, max_length=3)
    secret: str = Field(min_length=16, max_length=500, description="HMAC signing secret")
    customer: str | None = Field(default=None, min_length=1, max_length=200)


class SubscriptionOut(BaseModel):
    id: int
    url: str
    events: list[str]
    customer: str | None
    created_at: str | None
    active: bool


class SubscriptionList(BaseModel):
    subscriptions: list[SubscriptionOut]


class DeliveryOut(BaseModel):
    id: int
    subscription_id: int
    transition_id: int
    url: str
    event: str
    ticket: str
    status: str
    attempts: int
    next_attempt_at: str | None
    created_at: str | None
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str
    delivered_at: str | None


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]


def subscription_out(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=s.id,
        url=s.url,
        events=s.events,
        customer=s.customer,
        created_at=iso(s.created_at),
        active=s.active,
    )


def delivery_out(d: DeliveryRecord) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        subscription_id=d.subscription_id,
        transition_id=d.transition_id,
        url=d.url,
        event=d.event,
        ticket=d.ticket,
        status=d.status.value,
        attempts=d.attempts,
        next_attempt_at=iso(d.next_attempt_at),
        created_at=iso(d.created_at),
        last_attempt_at=iso(d.last_attempt_at),
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=iso(d.delivered_at),
    )


@router.post(
    "/webhooks", response_model=SubscriptionOut, status_code=201, summary="Subscribe a receiver"
)
def post_webhook(body: SubscriptionIn, ctx: Context, principal: Admin) -> SubscriptionOut:
    created = subscribe(
        ctx.webhooks,
        url=body.url,
        events=body.events,
        secret=body.secret,
        customer=body.customer,
        now=ctx.now(),
        actor=principal.name,
        known_customers=known_customers(ctx.storage.uow_factory) if body.customer else None,
    )
    return subscription_out(created)


@router.get("/webhooks", response_model=SubscriptionList, summary="Webhook subscriptions")
def get_webhooks(ctx: Context, principal: Staff) -> SubscriptionList:
    return SubscriptionList(
        subscriptions=[subscription_out(s) for s in ctx.webhooks.subscriptions()]
    )


@router.delete(
    "/webhooks/{subscription_id}", response_model=SubscriptionOut, summary="Stop a subscription"
)
def delete_webhook(
    subscription_id: Annotated[int, Path(ge=1, le=2**53)], ctx: Context, principal: Admin
) -> SubscriptionOut:
    return subscription_out(
        unsubscribe(ctx.webhooks, subscription_id, now=ctx.now(), actor=principal.name)
    )


@router.get("/webhooks/deliveries", response_model=DeliveryList, summary="The delivery log")
def get_deliveries(
    ctx: Context,
    principal: Staff,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryList:
    records = ctx.webhooks.deliveries(limit=limit, status=status)
    return DeliveryList(deliveries=[delivery_out(d) for d in records])
