"""The API's routers, one per resource, mounted under ``/api/v1`` in this order."""

from __future__ import annotations

from fastapi import APIRouter

from servanda.entrypoints.api.routers import clocks, events, tickets

ROUTERS: tuple[APIRouter, ...] = (events.router, tickets.router, clocks.router)
