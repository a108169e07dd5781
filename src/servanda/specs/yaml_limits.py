"""The limits of a definitions set, enforced while its YAML is read (CLI and API alike).

A definitions file comes from people and, through ``POST /api/v1/revisions``,
from the network. Each limit stops one way a small text costs unbounded time
or memory, before that cost is paid, and is refused as a located problem with a
stable code:

- ``yaml_too_large``: a file over ``MAX_FILE_BYTES`` or a set over
  ``MAX_SET_BYTES`` (UTF-8) is not parsed at all;
- ``yaml_too_deep``: nesting over ``MAX_DEPTH`` levels. Checked by the scanner,
  at the bracket or indentation that opens the level: the composer recurses
  once per level (20,000 brackets reached ``RecursionError``), and the scanner
  itself is quadratic in the depth of nested flow collections (20,000 ``[``
  took 15 s to scan), so the check must come before either;
- ``yaml_too_many_aliases``: over ``MAX_ALIASES`` aliases (``*name``);
- ``yaml_alias_expansion``: over ``MAX_ALIAS_NODES`` nodes reached through
  aliases, counted as if every alias were expanded ("billion laughs": 539 bytes
  expanded to 2.8 GB). The composer keeps each anchored node's expanded size,
  so counting costs one addition per alias and nothing is expanded to count;
- ``yaml_recursive_alias``: an alias inside the node it names (an infinite
  document).

A date the YAML timestamp rules accept but the calendar has not (``0000-01-01``,
``2026-02-30``) stays text, so the model refuses it where a date is expected
instead of the parser failing without a location.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.scanner import RoundTripScanner

MAX_FILE_BYTES = 1024 * 1024
"""One definitions file: 1 MiB (the examples are 2-3 KB; ruamel reads about 150 KB/s)."""
MAX_SET_BYTES = 2 * 1024 * 1024
"""A whole definitions set (a folder, or the files of one API request): 2 MiB."""
MAX_DEPTH = 64
"""Nesting levels (block indentation plus flow brackets); the format needs about 8."""
MAX_ALIASES = 1000
"""Aliases (``*name``) in one file."""
MAX_ALIAS_NODES = 20_000
"""Nodes (mappings, lists, scalars) reached through aliases in one file, as if expanded."""


class YamlLimitError(MarkedYAMLError):
    """A limit of this module was passed; ``code`` names which (see the module docstring)."""

    def __init__(self, code: str, problem: str, mark: Any) -> None:  # noqa: ANN401 - ruamel's mark
        super().__init__(problem=problem, problem_mark=mark)
        self.code = code


def too_large(name: str, size: int, limit: int, what: str) -> str:
    """The sentence refusing a file or set of ``size`` bytes over ``limit``."""
    return f"{what} {name} is {size:,} bytes; the limit is {limit:,} bytes ({limit // 1024} KiB)"


def _too_deep(mark: Any) -> YamlLimitError:  # noqa: ANN401 - ruamel's mark
    return YamlLimitError(
        "yaml_too_deep",
        f"the document is nested more than {MAX_DEPTH} levels deep here",
        mark,
    )


class _LimitedScanner(RoundTripScanner):
    """Refuses nesting deeper than ``MAX_DEPTH`` at the token that opens the extra level."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: ANN401 - ruamel's signature
        if len(self.indents) + self.flow_level >= MAX_DEPTH:
            raise _too_deep(self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        if self.indent < column and len(self.indents) + self.flow_level >= MAX_DEPTH:
            raise _too_deep(self.reader.get_mark())
        return bool(super().add_indent(column))


class _CountingComposer(Composer):
    """Counts aliases and the nodes reached through them while the node graph is built."""

    def __init__(self, loader: Any = None) -> None:  # noqa: ANN401 - ruamel's loader
        super().__init__(loader)
        self._aliases = 0
        self._expanded = 0  # nodes so far, every alias counted as its anchor's expansion
        self._through_aliases = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> its expanded size, once closed

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - ruamel's nodes
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        start = self._expanded
        self._expanded += 1
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self._sizes[id(node)] = self._expanded - start
        return node

    def _count_alias(self, event: AliasEvent) -> None:
        self._aliases += 1
        if self._aliases > MAX_ALIASES:
            raise YamlLimitError(
                "yaml_too_many_aliases",
                f"more than {MAX_ALIASES} aliases (*name) in one file",
                event.start_mark,
            )
        target = self.anchors.get(event.anchor)
        if target is None:
            return  # an undefined alias: ruamel reports it
        size = self._sizes.get(id(target))
        if size is None:
            raise YamlLimitError(
                "yaml_recursive_alias",
                f"the alias *{event.anchor} is inside the node it names (an endless document)",
                event.start_mark,
            )
        self._expanded += size
        self._through_aliases += size
        if self._through_aliases > MAX_ALIAS_NODES:
            raise YamlLimitError(
                "yaml_alias_expansion",
                f"aliases here expand to more than {MAX_ALIAS_NODES:,} values in one file",
                event.start_mark,
            )


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:  # noqa: ANN401 - ruamel's nodes
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):  # 0000-01-01, 2026-02-30, 9999-12-31T23:00:00-05:00
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def limited_yaml() -> YAML:
    """A round-trip (YAML 1.2, line and column kept) reader with the limits above."""
    yaml = YAML(typ="rt")
    yaml.Scanner = _LimitedScanner
    yaml.Composer = _CountingComposer
    yaml.Constructor = _Constructor
    yaml.max_depth = MAX_DEPTH + 1  # ruamel's own check in the composer: a second fence
    return yaml
