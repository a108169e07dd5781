"""The API's routers, one per resource, mounted under ``/api/v1`` in this order."""

from __future__ import annotations

from fastapi import APIRouter

from servanda.entrypoints.api.routers import (
    agreements,
    audit,
    clocks,
    events,
    outages,
    periods,
    reports,
    revisions,
    tickets,
    webhooks,
)

ROUTERS: tuple[APIRouter, ...] = (
    events.router,
    outages.router,
    tickets.router,
    clocks.router,
    agreements.router,
    revisions.router,
    reports.router,
    webhooks.router,
    audit.router,
    periods.router,
)
