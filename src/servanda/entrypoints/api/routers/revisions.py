"""``GET /api/v1/revisions`` (history), ``POST /api/v1/revisions`` (apply definitions) and
``POST /api/v1/revisions/preview`` (what applying them would change; nothing is stored).

The body is one YAML document (``Content-Type: application/yaml`` or
``text/yaml``; options as query parameters) or JSON ``{"files": {name: text},
"effective_from": ..., "comment": ..., "remeasure": ...}`` for a folder of
files. Definitions are validated exactly as ``servanda definitions apply``
does; every problem comes back in one 422 with its file, line and column.
``effective_from`` is an ISO 8601 instant with an offset in the supported
range (1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z; outside it a 422 before
anything is read or stored; default: the beginning for the database's first
revision, now for later ones; ``effective_default`` says which). A revision that would measure stored tickets
needs ``remeasure`` true (re-measure them now) or false (keep their figures);
without it nothing is stored and the answer is 409
``remeasure_choice_required``. Unchanged content stores nothing (200); a new
revision is 201 and is written to the audit log under the token's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.concurrency import run_in_threadpool

from servanda.domain.clock.measurement import iso
from servanda.domain.errors import DefinitionError, Issue
from servanda.domain.events import epoch_seconds
from servanda.domain.money import Money
from servanda.entrypoints.api.context import Admin, ApiContext, Context, Staff
from servanda.entrypoints.api.errors import ApiError, ErrorBody
from servanda.entrypoints.api.json_bodies import StrictJsonRoute, decode_json
from servanda.services.ports import RevisionSummary
from servanda.services.revisions import (
    apply_definitions,
    check_effective_from,
    revision_history,
)

router = APIRouter(tags=["revisions"], route_class=StrictJsonRoute)

YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml")
MAX_FILES = 200


FILE_NAME = r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$"
"""A plain file name: no path separator, no leading dot (so no ``..``), no control character.
Names only label the texts in error messages; nothing is written to disk under them."""


class RevisionFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[Annotated[str, StringConstraints(pattern=FILE_NAME)], str] = Field(
        min_length=1, max_length=MAX_FILES
    )
    effective_from: str | None = None
    comment: str = Field(default="", max_length=2000)
    remeasure: bool | None = None
    allow_empty: bool = False


class RevisionOut(BaseModel):
    id: int
    content_hash: str
    effective_from: str | None
    applied_at: str | None
    comment: str
    created: bool | None = None
    effective_default: str | None = None  # "beginning" or "now" when effective_from was not given
    affected_tickets: int | None = None  # stored tickets the revision measures
    remeasured_tickets: int | None = None  # of those, re-measured now


class AmountOut(BaseModel):
    currency: str
    amount: str  # exact decimal, rounded to the currency's minor unit


class PreviewRowOut(BaseModel):
    customer: str | None
    period: str  # YYYY-MM in the customer's reporting zone, or "open" for running clocks
    closed: bool  # closed for the customer: its figures stay, an adjustment comes later
    tickets: int
    met_to_breached: int
    breached_to_met: int
    net_credits_before: list[AmountOut]
    net_credits_after: list[AmountOut]


class RevisionPreviewOut(BaseModel):
    """What applying the definitions would change for stored tickets (nothing is stored)."""

    effective_from: str | None
    affected_tickets: int
    changed_tickets: int
    rows: list[PreviewRowOut]


class RevisionList(BaseModel):
    revisions: list[RevisionOut]


def revision_out(r: RevisionSummary, created: bool | None = None) -> RevisionOut:
    return RevisionOut(
        id=r.id,
        content_hash=r.content_hash,
        effective_from=iso(r.effective_from),
        applied_at=iso(r.applied_at),
        comment=r.comment,
        created=created,
    )


@router.get(
    "/revisions", response_model=RevisionList, summary="Definitions revisions, oldest first"
)
def get_revisions(ctx: Context, principal: Staff) -> RevisionList:
    return RevisionList(
        revisions=[revision_out(r) for r in revision_history(ctx.storage.uow_factory)]
    )


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": RevisionFiles.model_json_schema()},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/revisions",
    response_model=RevisionOut,
    status_code=201,
    summary="Apply definitions as a new revision",
    openapi_extra=_BODY_DOC,
    responses={
        200: {"model": RevisionOut, "description": "Unchanged: the latest revision"},
        415: {"model": ErrorBody, "description": "Neither JSON nor YAML"},
    },
)
async def post_revision(
    request: Request,
    response: Response,
    ctx: Context,
    principal: Admin,
    effective_from: Annotated[str | None, Query(max_length=64)] = None,
    comment: Annotated[str, Query(max_length=2000)] = "",
    remeasure: Annotated[bool | None, Query()] = None,
    allow_empty: Annotated[bool, Query()] = False,
) -> RevisionOut:
    wanted = await _read_body(request, effective_from, comment, remeasure)
    if allow_empty:
        wanted = wanted.model_copy(update={"allow_empty": True})
    result = await run_in_threadpool(_apply, ctx, wanted, principal.name)
    if not result.created:
        response.status_code = 200
    return result


@router.post(
    "/revisions/preview",
    response_model=RevisionPreviewOut,
    summary="What applying definitions would change for stored tickets; stores nothing",
    openapi_extra=_BODY_DOC,
    responses={415: {"model": ErrorBody, "description": "Neither JSON nor YAML"}},
)
async def preview_revision(
    request: Request,
    ctx: Context,
    principal: Admin,
    effective_from: Annotated[str | None, Query(max_length=64)] = None,
) -> RevisionPreviewOut:
    wanted = await _read_body(request, effective_from, "", None)
    return await run_in_threadpool(_preview, ctx, wanted)


async def _read_body(
    request: Request, effective_from: str | None, comment: str, remeasure: bool | None
) -> RevisionFiles:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind in YAML_TYPES:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "malformed_yaml", "the YAML body is not UTF-8 text") from None
        return RevisionFiles(
            files={"definitions.yaml": text},
            effective_from=effective_from,
            comment=comment,
            remeasure=remeasure,
        )
    if kind != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json or application/yaml")
    document = decode_json(raw)
    try:
        found = RevisionFiles.model_validate(document)
    except ValidationError as error:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(
            [dict(e) | {"loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None
    updates: dict[str, object] = {}
    if effective_from is not None:
        updates["effective_from"] = effective_from
    if comment:
        updates["comment"] = comment
    if remeasure is not None:
        updates["remeasure"] = remeasure
    return found.model_copy(update=updates)


def _apply(ctx: ApiContext, wanted: RevisionFiles, actor: str) -> RevisionOut:
    from servanda.specs.loader import load_definitions_from_texts
    from servanda.specs.snapshot import content_hash

    effective_from = _instant(wanted.effective_from)
    definitions = load_definitions_from_texts(wanted.files)
    applied = apply_definitions(
        ctx.storage.uow_factory,
        definitions,
        fingerprint=content_hash,
        now=ctx.now(),
        effective_from=effective_from,
        comment=wanted.comment,
        sources=dict(wanted.files),
        remeasure=wanted.remeasure,
        evaluator=ctx.storage.evaluator,
        author=actor,
        allow_empty=wanted.allow_empty,
    )
    out = revision_out(applied.revision, applied.created)
    if applied.created:
        out.effective_default = applied.defaulted.value if applied.defaulted else None
        out.affected_tickets = applied.affected
        out.remeasured_tickets = applied.remeasured
    return out


def _preview(ctx: ApiContext, wanted: RevisionFiles) -> RevisionPreviewOut:
    from servanda.services import revision_preview
    from servanda.specs.loader import load_definitions_from_texts

    effective_from = _instant(wanted.effective_from)
    definitions = load_definitions_from_texts(wanted.files)
    found = revision_preview.preview_revision(
        ctx.storage.reports,
        ctx.storage.evaluator,
        definitions,
        now=ctx.now(),
        effective_from=effective_from,
    )
    return RevisionPreviewOut(
        effective_from=iso(found.effective_from),
        affected_tickets=found.affected,
        changed_tickets=found.changed,
        rows=[
            PreviewRowOut(
                customer=row.customer,
                period=row.period,
                closed=row.closed,
                tickets=row.tickets,
                met_to_breached=row.met_to_breached,
                breached_to_met=row.breached_to_met,
                net_credits_before=[_amount(m) for m in row.credits_before],
                net_credits_after=[_amount(m) for m in row.credits_after],
            )
            for row in found.rows
        ],
    )


def _amount(money: Money) -> AmountOut:
    return AmountOut(currency=money.currency, amount=str(money.amount))


def _instant(text: str | None) -> int | None:
    """``effective_from`` as epoch seconds; unreadable or out of range is a 422 before any read."""
    if text is None:
        return None
    try:
        seconds = epoch_seconds(datetime.fromisoformat(text))
    except ValueError:
        raise DefinitionError(
            [
                Issue(
                    f"effective_from {text!r} is not an ISO 8601 instant with an offset",
                    path="effective_from",
                )
            ]
        ) from None
    check_effective_from(seconds, repr(text))
    return seconds
