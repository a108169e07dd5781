"""``create_app(settings)``: the FastAPI application of Servanda's HTTP API.

Routes live under ``/api/v1`` (one router per resource); ``/healthz``,
``/metrics``, ``/openapi.json`` and ``/docs`` sit at the root. The interactive
docs load Swagger UI from files bundled in the package (``static/``): no CDN.
Request bodies are limited to ``MAX_BODY_BYTES`` (413 beyond); a URL holding a NUL
character is refused before any route (``NulInUrl``). ``HEAD`` answers
like ``GET`` on every route that has one, without the body (``HeadAsGet``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servanda import __version__
from servanda.bootstrap import Storage
from servanda.config import Settings
from servanda.entrypoints.api import errors
from servanda.entrypoints.api.context import ApiContext, Context, RecheckedTokens
from servanda.entrypoints.api.ingestion import Ingestion, InProcessIngestion, ProcessIngestion
from servanda.entrypoints.api.json_bodies import StrictJsonRoute

MAX_BODY_BYTES = 8 * 1024 * 1024
STATIC = Path(__file__).parent / "static"

DESCRIPTION = """Servanda's HTTP API: push ticket events and outages, read SLA clocks,
agreements, revisions and reports. Authenticate with `Authorization: Bearer <token>`
(tokens from `servanda tokens create`). Every error is `{code, message, errors}`."""


class Health(BaseModel):
    status: str
    database: str
    version: str
    worker: int = Field(description="Process id of the server worker that answered.")


def build_context(
    settings: Settings, storage: Storage | None = None, now: Callable[[], int] | None = None
) -> ApiContext:
    """The API's view of ``storage`` (wired by ``bootstrap.connect`` unless given): tokens
    rechecked against revocation, the ingestion path and the clock (``now`` in tests)."""
    from servanda.bootstrap import connect

    storage = storage or connect(settings)
    ingestion: Ingestion = InProcessIngestion(storage)
    if settings.ingestion_processes > 0:
        ingestion = ProcessIngestion(settings.database_url, settings.ingestion_processes)
    return ApiContext(
        storage=storage,
        tokens=RecheckedTokens(storage.tokens),
        clocks=storage.clocks,
        webhooks=storage.webhooks,
        metrics=storage.metrics,
        now=now or storage.now,
        ingestion=ingestion,
    )


def create_app(
    settings: Settings, *, storage: Storage | None = None, now: Callable[[], int] | None = None
) -> FastAPI:
    """The API for ``settings``; tests may pass their own ``storage`` and ``now``."""
    from servanda.entrypoints.api.routers import ROUTERS, metrics

    ctx = build_context(settings, storage, now)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if isinstance(ctx.ingestion, ProcessIngestion):
            pids = ctx.ingestion.start()  # fail at start-up, not on the first batch
            logging.getLogger("uvicorn.error").info(  # uvicorn's own start-up lines go there
                "Folding event batches in %d ingestion processes %s", len(pids), pids
            )
        try:
            yield
        finally:
            ctx.ingestion.close()
            if storage is None:
                ctx.storage.dispose()

    app = FastAPI(
        title="Servanda",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        responses=errors.ERROR_RESPONSES,
        lifespan=lifespan,
    )
    app.state.servanda = ctx
    errors.install(app)
    api = APIRouter(prefix="/api/v1")
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(_root_router())
    app.include_router(metrics.router)
    app.mount("/docs/static", StaticFiles(directory=STATIC), name="docs-static")
    app.add_middleware(BodyLimit)
    app.add_middleware(NulInUrl)
    app.add_middleware(HeadAsGet)
    return app


def _root_router() -> APIRouter:
    router = APIRouter(route_class=StrictJsonRoute)

    @router.get("/healthz", response_model=Health, tags=["health"], summary="Liveness and DB")
    def healthz(ctx: Context) -> Health:
        ctx.storage.health()
        return Health(status="ok", database="ok", version=__version__, worker=os.getpid())

    @router.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Servanda API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    return router


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` would (status and headers, ``Content-Length`` included) with
    an empty body (RFC 9110 9.3.2), on every ``GET`` route at once.

    Load balancers probe ``/healthz`` with ``HEAD``; FastAPI routes only the methods they
    declare, so without this every ``HEAD`` was a 405. The handler runs as for ``GET``
    (same authentication, same answer), only the body is not sent. A route without ``GET``
    still answers 405 (its ``Allow`` header names its own methods).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the last body message ends the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class BodyLimit:
    """Refuse request bodies over ``MAX_BODY_BYTES`` with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(scope, receive, send)
            return
        await self.app(scope, _counting(receive), send)


def _counting(receive: Receive) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise StarletteHTTPException(413, detail=_TOO_LARGE)
        return message

    return wrapped


_TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES} bytes"


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = errors.error_response(413, "body_too_large", _TOO_LARGE)
    app: ASGIApp = response
    await app(scope, receive, send)


class NulInUrl:
    """Refuse a path or query string holding a NUL character (``%00``) with 422.

    No text Servanda keeps may hold one (``domain.events.refuse_nul``). A NUL in a
    ticket id or a ``customer`` filter reached the database, where PostgreSQL refused
    it (a 500, or a 422 ``unstorable_value``) and SQLite answered; refused here, before
    any route, it is the same 422 on every route and database.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _holds_nul(scope):
            response = errors.error_response(422, "invalid_request", _NUL_IN_URL)
            app: ASGIApp = response
            await app(scope, receive, send)
            return
        await self.app(scope, receive, send)


_NUL_IN_URL = "the URL holds a NUL character (%00), which no text may contain"


def _holds_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query
