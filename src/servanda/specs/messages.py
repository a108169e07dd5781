"""Pydantic's validation errors as located sentences a service manager understands.

Each error's ``loc`` is a path inside the merged document (after the entry's
prefix); pydantic's union-member tags in it (``str``, ``list[str]``,
``function-before[...]``) are dropped. One message per location: when every
member of a union fails, the first member's message stands for all.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from servanda.specs import models
from servanda.specs.sources import DocPath, Problems

_TYPES = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "must be a date written as YYYY-MM-DD",
    "date_parsing": "must be a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written as YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time of day",
    "list_type": "must be a list (- item, or [a, b])",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "string_too_short": "must not be empty",
}


CODED = frozenset({models.DATE_OUT_OF_RANGE})
"""Validation errors whose pydantic type is also the issue's stable code."""

_MEMBER_NAMES = frozenset(
    {"str", "float", "int", "bool", "decimal", "ExplicitHoliday", *models.__all__}
)
# Not "date": no union in the format has a date member, and ``date`` is a key of holiday
# dates and exceptions, where a date out of range is reported at its value.


def _is_tag(part: str | int) -> bool:
    """Pydantic's names for union members and validators, which are not keys in the file."""
    return isinstance(part, str) and ("[" in part or part in _MEMBER_NAMES)


def _unwrap(annotation: object) -> object:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            if len(members) != 1 and not models:
                return annotation
            annotation = models[0] if models else members[0]
        else:
            return annotation


def _model_at(model: type[BaseModel], loc: DocPath) -> type[BaseModel] | None:
    """The model class that owns the mapping at ``loc`` (to list the keys it allows)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unknown_key(model: type[BaseModel], loc: DocPath, key: str) -> str:
    owner = _model_at(model, loc[:-1])
    if owner is None:
        return f"unknown key {key!r}"
    allowed = list(owner.model_fields)
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {key!r}; {hint}allowed here: {', '.join(allowed)}"


def describe(error: ErrorDetails, model: type[BaseModel], loc: DocPath) -> str:
    """One sentence for one pydantic error."""
    kind = error["type"]
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else "this value"
    if kind == "missing":
        return f"the key {field!r} is required here"
    if kind == "extra_forbidden":
        return _unknown_key(model, loc, field)
    if kind == "value_error":
        return f"{field}: {error['msg'].removeprefix('Value error, ')}"
    if kind in _TYPES:
        return f"{field!r} {_TYPES[kind]}"
    return _constraint(error, field)


def _constraint(error: ErrorDetails, field: str) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in {"enum", "literal_error"}:
        return f"{field!r} must be one of: {ctx.get('expected', '')}".replace("'", "")
    if kind == "string_pattern_mismatch" and field == "currency":
        return "currency must be a three-letter ISO 4217 code in capitals, like EUR or USD"
    if kind == "too_short" and field == "objectives":
        return "an agreement needs at least one objective"
    if kind in {"greater_than_equal", "less_than_equal"}:
        bound = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"{field!r} must be {word} {bound}"
    return f"{field}: {error['msg']}"


def report_validation_error(
    problems: Problems, prefix: DocPath, model: type[BaseModel], error: ValidationError
) -> None:
    """Record every error of one entry's validation, located under ``prefix``."""
    seen: set[DocPath] = set()
    for item in error.errors(include_url=False):
        raw: DocPath = tuple(item["loc"])
        loc: DocPath = tuple(part for part in raw if not _is_tag(part))
        if loc in seen:
            continue
        seen.add(loc)
        at_key = item["type"] == "extra_forbidden"
        code = item["type"] if item["type"] in CODED else None
        problems.add(prefix + loc, describe(item, model, loc), at_key=at_key, code=code)
