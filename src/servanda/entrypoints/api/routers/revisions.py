"""``GET /api/v1/revisions`` (history) and ``POST /api/v1/revisions`` (apply definitions).

The body is one YAML document (``Content-Type: application/yaml`` or
``text/yaml``; options as query parameters) or JSON ``{"files": {name: text},
"effective_from": ..., "comment": ...}`` for a folder of files. Definitions are
validated exactly as ``servanda definitions apply`` does; every problem comes
back in one 422 with its file, line and column. ``effective_from`` is an ISO
8601 instant with an offset (default: now). Unchanged content stores nothing
(200); a new revision is 201.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from servanda.domain.errors import DefinitionError, Issue
from servanda.domain.events import epoch_seconds
from servanda.domain.measurements import iso
from servanda.entrypoints.api.context import Admin, ApiContext, Context, Staff
from servanda.entrypoints.api.errors import ApiError, ErrorBody
from servanda.services.ports import RevisionSummary
from servanda.services.revisions import apply_definitions, revision_history

router = APIRouter(tags=["revisions"])

YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml")
MAX_FILES = 200


class RevisionFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(min_length=1, max_length=MAX_FILES)
    effective_from: str | None = None
    comment: str = Field(default="", max_length=2000)


class RevisionOut(BaseModel):
    id: int
    content_hash: str
    effective_from: str | None
    applied_at: str | None
    comment: str
    created: bool | None = None


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
) -> RevisionOut:
    wanted = await _read_body(request, effective_from, comment)
    result = await run_in_threadpool(_apply, ctx, wanted)
    if not result.created:
        response.status_code = 200
    return result


async def _read_body(request: Request, effective_from: str | None, comment: str) -> RevisionFiles:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind in YAML_TYPES:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "malformed_yaml", "the YAML body is not UTF-8 text") from None
        return RevisionFiles(
            files={"definitions.yaml": text}, effective_from=effective_from, comment=comment
        )
    if kind != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json or application/yaml")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "malformed_json", "the request body is not valid JSON") from None
    try:
        return RevisionFiles.model_validate(document)
    except ValidationError as error:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(
            [dict(e) | {"loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None


def _apply(ctx: ApiContext, wanted: RevisionFiles) -> RevisionOut:
    from servanda.specs.loader import load_definitions_from_texts
    from servanda.specs.snapshot import content_hash

    definitions = load_definitions_from_texts(wanted.files)
    applied = apply_definitions(
        ctx.storage.uow_factory,
        definitions,
        fingerprint=content_hash,
        now=ctx.now(),
        effective_from=_instant(wanted.effective_from),
        comment=wanted.comment,
        sources=dict(wanted.files),
    )
    return revision_out(applied.revision, applied.created)


def _instant(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return epoch_seconds(datetime.fromisoformat(text))
    except ValueError:
        raise DefinitionError(
            [Issue(f"effective_from {text!r} is not an ISO 8601 instant with an offset")]
        ) from None
