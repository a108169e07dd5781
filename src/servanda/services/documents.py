"""Plain JSON documents of frozen domain values, and back, driven by the dataclass field types.

Encoding rule: ``Decimal`` -> its string (``"0.95"``, digits kept exactly),
``date`` -> ISO ``YYYY-MM-DD``, ``frozenset`` -> sorted list, ``tuple`` -> list,
``Mapping`` -> object with sorted keys, ``StrEnum`` -> its value, dataclass ->
object of its fields. ``decode(Kind, document)`` rebuilds ``Kind`` from the
type hints of its fields, so equal values round-trip to equal values. Used for
definitions snapshots (``servanda.specs.snapshot``) and stored measurements.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

import orjson

T = TypeVar("T")


def encode(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted((encode(item) for item in value), key=_sort_key)
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in sorted(value.items())}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot snapshot a {type(value).__name__}")


def _sort_key(item: object) -> bytes:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, raw: Any) -> Any:  # noqa: ANN401 - type hints and JSON are untyped here
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        return None if raw is None else decode(options[0], raw)
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in raw)
        return tuple(decode(arg, item) for arg, item in zip(args, raw, strict=True))
    if origin in (frozenset, set):
        return frozenset(decode(get_args(kind)[0], item) for item in raw)
    if origin is not None and _is_mapping(origin):
        value_kind = get_args(kind)[1]
        return {key: decode(value_kind, item) for key, item in raw.items()}
    if isinstance(kind, type):
        return _decode_plain(kind, raw)
    raise TypeError(f"cannot restore a {kind!r}")


def _is_mapping(origin: object) -> bool:
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _decode_plain(kind: type[T], raw: Any) -> T:  # noqa: ANN401 - raw JSON
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        given = {
            f.name: decode(hints[f.name], raw[f.name])
            for f in dataclasses.fields(kind)
            if f.init and f.name in raw
        }
        return kind(**given)
    if issubclass(kind, Enum | Decimal):
        return kind(raw)
    if kind is date:
        return date.fromisoformat(raw)  # type: ignore[return-value]
    if kind is object or isinstance(raw, kind):
        return raw  # type: ignore[no-any-return]
    raise TypeError(f"expected {kind.__name__}, found {type(raw).__name__}")
