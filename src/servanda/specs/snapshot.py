"""Canonical JSON snapshots of a ``Definitions`` set: what a stored revision keeps.

A revision stores the *resolved* definitions (holiday dates materialised by the
specs layer), never a pointer to the YAML or to the ``holidays`` package, so a
revision recomputes identically after an upgrade of either.

Encoding rule, driven by the dataclass field types of the domain values:
``Decimal`` -> its string (``"0.95"``), ``date`` -> ISO ``YYYY-MM-DD``,
``frozenset`` -> sorted list, ``tuple`` -> list, ``Mapping`` -> object with
sorted keys, ``StrEnum`` -> its value. ``canonical_bytes`` is sorted-key
compact JSON, so equal definitions give equal bytes and equal ``content_hash``.
A ``vocabulary`` that declares nothing is left out of the document, so
definitions written before the vocabulary existed keep their bytes and hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson

from servanda.domain.agreements import Definitions
from servanda.services.documents import decode, encode

SNAPSHOT_FORMAT = 1
"""Bumped when the snapshot layout changes incompatibly; stored with every revision."""


def to_document(definitions: Definitions) -> dict[str, Any]:
    """The JSON-ready document of ``definitions`` (plain dicts, lists, strings, numbers)."""
    encoded = encode(definitions)
    assert isinstance(encoded, dict)
    if not definitions.vocabulary.is_declared:
        del encoded["vocabulary"]
    return {"format": SNAPSHOT_FORMAT, "definitions": encoded}


def from_document(document: Mapping[str, Any]) -> Definitions:
    """The ``Definitions`` a document made by ``to_document`` describes."""
    version = document.get("format")
    if version != SNAPSHOT_FORMAT:
        raise ValueError(f"unknown definitions snapshot format {version!r}")
    restored = decode(Definitions, document["definitions"])
    assert isinstance(restored, Definitions)
    return restored


def canonical_bytes(definitions: Definitions) -> bytes:
    """Compact JSON with sorted keys: equal definitions give equal bytes."""
    return orjson.dumps(to_document(definitions), option=orjson.OPT_SORT_KEYS)


def content_hash(definitions: Definitions) -> str:
    """SHA-256 (hex) of ``canonical_bytes``: the identity of a revision's content."""
    return hashlib.sha256(canonical_bytes(definitions)).hexdigest()


@lru_cache(maxsize=8)
def loads(data: bytes | str) -> Definitions:
    """Inverse of ``canonical_bytes``.

    Memoized: a stored revision is immutable and ``Definitions`` is a frozen
    value, so each snapshot is decoded once per process however many batches,
    requests or reports read it (decoding costs ~0.2 s for a real provider).
    """
    return from_document(orjson.loads(data))


class SnapshotCodec:
    """This module as the storage's ``DefinitionsCodec`` port."""

    def dumps(self, definitions: Definitions) -> bytes:
        return canonical_bytes(definitions)

    def loads(self, data: bytes | str) -> Definitions:
        return loads(data)


CODEC = SnapshotCodec()
