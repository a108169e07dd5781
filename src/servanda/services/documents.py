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
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Union, get_args, get_origin

import orjson


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
    return _decoder(kind)(raw)


Decoder = Callable[[Any], Any]


@cache
def _decoder(kind: Any) -> Decoder:  # noqa: ANN401 - a type hint
    """The decoder of ``kind``, built once from its type hints (decoding is on the ticket read
    path: stored measurements are decoded per request)."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        inner = _decoder(options[0])
        return lambda raw: None if raw is None else inner(raw)
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda raw: tuple([item(value) for value in raw])
        items = [_decoder(arg) for arg in args]
        return lambda raw: tuple(f(value) for f, value in zip(items, raw, strict=True))
    if origin in (frozenset, set):
        member = _decoder(get_args(kind)[0])
        return lambda raw: frozenset(member(value) for value in raw)
    if origin is not None and _is_mapping(origin):
        entry = _decoder(get_args(kind)[1])
        return lambda raw: {key: entry(value) for key, value in raw.items()}
    if isinstance(kind, type):
        return _plain_decoder(kind)
    raise TypeError(f"cannot restore a {kind!r}")


def _is_mapping(origin: object) -> bool:
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _plain_decoder(kind: type) -> Decoder:
    if dataclasses.is_dataclass(kind):
        return _DataclassDecoder(kind)
    if issubclass(kind, Enum | Decimal):
        return kind
    if kind is date:
        return date.fromisoformat

    def as_is(raw: Any) -> Any:  # noqa: ANN401 - raw JSON
        if kind is object or isinstance(raw, kind):
            return raw
        raise TypeError(f"expected {kind.__name__}, found {type(raw).__name__}")

    return as_is


class _DataclassDecoder:
    """Rebuilds a dataclass from its fields; the field decoders are resolved on first use, so
    a dataclass may refer to itself."""

    def __init__(self, kind: type) -> None:
        self._kind = kind
        self._fields: list[tuple[str, Decoder]] | None = None

    def __call__(self, raw: Any) -> Any:  # noqa: ANN401 - raw JSON
        fields = self._fields
        if fields is None:
            hints = _hints(self._kind)
            fields = [
                (f.name, _decoder(hints[f.name])) for f in dataclasses.fields(self._kind) if f.init
            ]
            self._fields = fields
        return self._kind(**{name: d(raw[name]) for name, d in fields if name in raw})
