"""The API's one error boundary: every error becomes ``{code, message, errors}`` with a status.

``ServandaError`` subclasses map to HTTP statuses here and nowhere else
(``STATUS_BY_ERROR``, most specific class first). Request-shape problems map
too: malformed JSON is 400 ``malformed_json`` (every body is read by
``json_bodies.decode_json``); wrong types, missing or unknown
fields are 422 ``invalid_request`` with one located entry per problem; an
oversized body or batch is 413. Anything unexpected is a 500
``internal_error`` whose message reveals nothing (and is logged).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from servanda.domain.errors import (
    CalendarError,
    ConflictError,
    DefinitionError,
    EventError,
    NotFoundError,
    ServandaError,
)
from servanda.domain.periods import PeriodError
from servanda.services.auth import (
    AuthenticationError,
    InvalidTokenRequestError,
    PermissionDeniedError,
)
from servanda.services.ports import StorageContentionError
from servanda.services.webhooks import InvalidSubscriptionError

log = logging.getLogger("servanda.api")


class ErrorDetail(BaseModel):
    """One located problem: a request field (``location``) or a definitions file position."""

    model_config = ConfigDict(extra="forbid")

    message: str
    location: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    code: str | None = None  # a stable name for the problem, e.g. "yaml_too_deep"


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: a machine-readable ``code`` and a sentence for people."""

    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    errors: list[ErrorDetail] = []


class ApiError(Exception):
    """An HTTP-level refusal that is not a domain error (e.g. an oversized batch)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


STATUS_BY_ERROR: tuple[tuple[type[ServandaError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (DefinitionError, 422),
    (EventError, 422),
    (CalendarError, 422),
    (PeriodError, 422),
    (InvalidTokenRequestError, 422),
    (InvalidSubscriptionError, 422),
    (StorageContentionError, 503),
)
"""Domain and service errors -> HTTP status; any other ``ServandaError`` is a 400."""


def _describe(status: int, what: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": what}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _describe(400, "Malformed JSON or a request the server cannot read"),
    401: _describe(401, "No API token, or an unknown or revoked one"),
    403: _describe(403, "The token's role may not use this endpoint"),
    404: _describe(404, "Not found (or not visible to this token)"),
    413: _describe(413, "Body or batch larger than the documented limit"),
    422: _describe(422, "Wrong types, missing or unknown fields, invalid values"),
}
"""Declared on every operation, so the OpenAPI document lists what the handlers can answer."""


def status_for(error: ServandaError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def error_response(
    status: int,
    code: str,
    message: str,
    errors: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, errors=errors or [])
    return JSONResponse(
        body.model_dump(), status_code=status, headers=dict(headers) if headers else None
    )


def _servanda_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServandaError)
    status = status_for(error)
    details: list[ErrorDetail] = []
    message = str(error)
    if isinstance(error, DefinitionError):
        details = [
            ErrorDetail(
                message=i.message,
                location=i.path,
                file=i.file,
                line=i.line,
                column=i.column,
                code=i.code,
            )
            for i in error.issues
        ]
        message = message.splitlines()[0]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_response(status, error.code, message, details, headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    details = [
        ErrorDetail(message=str(p.get("msg", "invalid")), location=_location(p.get("loc", ())))
        for p in jsonable_encoder(problems)
    ]
    shown = "; ".join(f"{d.location}: {d.message}" for d in details[:3])
    return error_response(422, "invalid_request", f"the request is invalid: {shown}", details)


def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message)


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    codes = {
        404: "not_found",
        405: "method_not_allowed",
        401: "unauthenticated",
        413: "body_too_large",
    }
    code = codes.get(error.status_code, f"http_{error.status_code}")
    message = str(error.detail) if error.detail else "request refused"
    if error.status_code == 404:
        message = "there is no such endpoint"
    return error_response(error.status_code, code, message, headers=error.headers)


def _unstorable(request: Request, error: Exception) -> JSONResponse:
    # PostgreSQL refuses NUL characters in text and out-of-range numbers; SQLite may not.
    return error_response(
        422,
        "unstorable_value",
        "a value cannot be stored (a NUL character in text, or a number out of range)",
    )


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(ServandaError, _servanda_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(Exception, _unexpected)
