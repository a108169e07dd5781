"""JSON request bodies: one strict decoder for every route that reads one.

FastAPI reads a JSON body with the standard library, which accepts a lone
surrogate (``"\\ud800"``: a string no encoder can write back, so a 500 later)
and nests as deep as the body goes, and it answers invalid UTF-8, deep nesting
or a 5,000-digit number with an undocumented ``400 http_400``. Here every body
is decoded once by orjson, which refuses invalid UTF-8, lone surrogates, ``NaN``,
content after the document and numbers beyond a double, and is then refused
beyond ``MAX_DEPTH`` levels of arrays and objects (no request needs more than
five; the item checks and the answers recurse). Every such body is a 400
``malformed_json`` whose message says what is wrong and where.

``StrictJsonRoute`` makes a route decode its body this way before FastAPI looks
at it; every router of the API uses it (a test checks that no route reads a
body otherwise), and ``POST /api/v1/revisions``, which reads its own body,
calls ``decode_json``.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any, cast

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from servanda.entrypoints.api.errors import ApiError

MAX_DEPTH = 32
"""Levels of nested arrays and objects a body may have (an event batch has four)."""


def decode_json(raw: bytes) -> object:
    """The value of a JSON body, or ``ApiError`` 400 ``malformed_json`` saying what is wrong."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ApiError(
            400, "malformed_json", f"the request body is not valid JSON: {error}"
        ) from None
    if _deeper_than(value, MAX_DEPTH):
        raise ApiError(
            400,
            "malformed_json",
            f"the request body nests arrays and objects more than {MAX_DEPTH} levels deep",
        )
    return value


def _deeper_than(value: object, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of arrays and objects.

    Level by level, without recursion (a deep value is what is being refused);
    about 1 ms for a batch of 1,000 events, a little less than what orjson saves
    over the standard library's parser.
    """
    level: list[object] = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        nested: list[object] = []
        add = nested.append
        for node in level:
            for child in node.values() if isinstance(node, dict) else cast(list[object], node):
                kind = type(child)
                if kind is dict or kind is list:
                    add(child)
        level = nested
    return False


def is_json(content_type: str | None) -> bool:
    """Whether FastAPI would read a body of this content type as JSON (``application/*json``)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class _DecodedRequest(Request):
    """A request whose ``json()`` is the value ``decode_json`` already read."""

    decoded: object = None

    async def json(self) -> object:
        return self.decoded


class StrictJsonRoute(APIRoute):
    """An API route whose JSON body, if it takes one, is read by ``decode_json`` first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict(request: Request) -> Response:
            if is_json(request.headers.get("content-type")):
                decoded = _DecodedRequest(request.scope, request.receive)
                body = await decoded.body()
                if body:  # FastAPI reads an empty body as no body
                    decoded.decoded = decode_json(body)
                request = decoded
            return await handler(request)

        return strict
