"""``GET /api/v1/audit``: the audit log (who changed definitions, periods, tokens, webhooks).

Oldest first; ``action`` and ``since`` narrow it, ``limit`` keeps the newest N.
Staff tokens (admin, viewer) read it; customers and integrations may not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servanda.domain.clock.measurement import iso
from servanda.domain.errors import NotFoundError
from servanda.entrypoints.api.context import Context, Staff
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.audit import AuditAction
from servanda.services.queries import audit_entries
from servanda.specs.events import parse_instant

router = APIRouter(tags=["audit"], route_class=StrictJsonRoute)


class AuditEntryOut(BaseModel):
    id: int | None
    at: str | None
    actor: str
    action: str
    subject: str
    reason: str
    details: dict[str, str]


class AuditLogOut(BaseModel):
    entries: list[AuditEntryOut]


@router.get("/audit", response_model=AuditLogOut, summary="The audit log, oldest first")
def get_audit(
    ctx: Context,
    principal: Staff,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=64, description="ISO 8601 instant")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AuditLogOut:
    wanted = None
    if action is not None:
        try:
            wanted = AuditAction(action)
        except ValueError:
            known = ", ".join(a.value for a in AuditAction)
            raise NotFoundError(f"unknown audit action {action!r} (one of: {known})") from None
    start = parse_instant(since, field="since") if since is not None else None
    entries = audit_entries(ctx.storage.uow_factory, action=wanted, since=start, limit=limit)
    return AuditLogOut(
        entries=[
            AuditEntryOut(
                id=e.id,
                at=iso(e.at),
                actor=e.actor,
                action=e.action.value,
                subject=e.subject,
                reason=e.reason,
                details=e.detail_map,
            )
            for e in entries
        ]
    )
