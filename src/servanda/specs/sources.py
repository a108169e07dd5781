"""Definition files as text: reading, YAML 1.2 parsing, merging a folder, and locating problems.

Files are parsed with ruamel.yaml (YAML 1.2: ``NO`` stays the string Norway's
code, ``1:30`` stays a string) which keeps the line and column of every node,
within the limits of ``specs.yaml_limits`` (size, depth, aliases).
A folder's files are merged section by section; a name defined in two files is
an error located at both. ``Problems`` turns a path inside the merged document
(``("agreements", 3, "objectives", 0, "target")``) into a located ``Issue``
(file, 1-based line and column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from servanda.domain.errors import DefinitionError, Issue
from servanda.specs.yaml_limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_SET_BYTES,
    YamlLimitError,
    limited_yaml,
    too_large,
)

DocPath = tuple[str | int, ...]
SCALARS = ("provider", "timezone", "vocabulary")  # each set in one file only
MAPPINGS = ("calendars", "services", "customers")
SECTION_NOUN = {"calendars": "calendar", "services": "service", "customers": "customer"}
TOP_LEVEL = (*SCALARS, *MAPPINGS, "agreements")


def read_sources(path: str | Path) -> dict[str, str]:
    """The texts of a definitions file, or of every ``*.yaml``/``*.yml`` under a folder (sorted).

    Keys are the file names as they will appear in messages; an empty result
    means there was nothing to read (the loader reports it). Files over the size
    limits are refused before they are read (``DefinitionError``).
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    elif root.is_file():
        files = [root]
    else:
        return {}
    sizes = {file: file.stat().st_size for file in files}
    issues = [
        Issue(too_large(str(file), size, MAX_FILE_BYTES, "file"), str(file), 1, 1, code=TOO_LARGE)
        for file, size in sizes.items()
        if size > MAX_FILE_BYTES
    ]
    if not issues and sum(sizes.values()) > MAX_SET_BYTES:
        issues = [
            Issue(
                _set_too_large(str(root), sum(sizes.values())), str(files[0]), 1, 1, code=TOO_LARGE
            )
        ]
    if issues:
        raise DefinitionError(issues)
    return {str(file): file.read_text(encoding="utf-8") for file in files}


TOO_LARGE = "yaml_too_large"


def _set_too_large(name: str, size: int) -> str:
    return too_large(name, size, MAX_SET_BYTES, "the definitions set")


def check_sizes(texts: Mapping[str, str], problems: Problems) -> bool:
    """Whether every text and their sum keep to the size limits (each excess is recorded)."""
    sizes = {name: len(text.encode("utf-8", "surrogatepass")) for name, text in texts.items()}
    for name, size in sizes.items():
        if size > MAX_FILE_BYTES:
            problems.add_at(name, 1, 1, too_large(name, size, MAX_FILE_BYTES, "file"), TOO_LARGE)
    total = sum(sizes.values())
    if total > MAX_SET_BYTES and not problems.issues:
        first = next(iter(sizes))
        problems.add_at(first, 1, 1, _set_too_large(f"of {len(sizes)} file(s)", total), TOO_LARGE)
    return not problems.issues


def _plain(node: object) -> object:
    """ruamel's round-trip nodes as plain Python values (dict, list, str, int, float, bool, date)."""
    if isinstance(node, Mapping):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, bool | dt.date) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def _position(node: CommentedMap | CommentedSeq, step: str | int, *, key: bool) -> tuple[int, int]:
    if isinstance(node, CommentedSeq):
        line, column = node.lc.item(step)
    elif key:
        line, column = node.lc.key(step)
    else:
        line, column = node.lc.value(step)
    return int(line) + 1, int(column) + 1


class Problems:
    """Collects located issues for a merged document; see the module docstring."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        # merged path prefix -> (file, container node, key or index in that node)
        self._origins: dict[DocPath, tuple[str, Any, str | int]] = {}
        self._first_file = "<definitions>"

    def remember(
        self, prefix: DocPath, file: str, container: CommentedMap | CommentedSeq, step: str | int
    ) -> None:
        self._origins.setdefault(prefix, (file, container, step))

    def locate(self, path: DocPath, *, at_key: bool = False) -> tuple[str, int, int]:
        for size in (2, 1):
            origin = self._origins.get(path[:size])
            if origin is not None:
                return self._descend(origin, path[size:], at_key=at_key)
        return self._first_file, 1, 1

    @staticmethod
    def _descend(
        origin: tuple[str, Any, str | int], rest: DocPath, *, at_key: bool
    ) -> tuple[str, int, int]:
        file, container, step = origin
        line, column = _position(container, step, key=at_key and not rest)
        node = container[step]
        for index, part in enumerate(rest):
            last = index == len(rest) - 1
            if isinstance(node, CommentedMap) and part in node:
                line, column = _position(node, part, key=at_key and last)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, column = _position(node, part, key=False)
                node = node[part]
            # anything else (a pydantic union tag, a missing key): keep the last position
        return file, line, column

    def note_file(self, file: str) -> None:
        """The file that problems without a better place are reported against (the first one)."""
        if self._first_file == "<definitions>":
            self._first_file = file

    def where(self, path: DocPath, *, at_key: bool = False) -> str:
        file, line, column = self.locate(path, at_key=at_key)
        return f"{file}:{line}:{column}"

    def add(
        self, path: DocPath, message: str, *, at_key: bool = False, code: str | None = None
    ) -> None:
        file, line, column = self.locate(path, at_key=at_key)
        self.issues.append(Issue(message, file, line, column, dotted(path), code))

    def add_at(
        self, file: str, line: int, column: int, message: str, code: str | None = None
    ) -> None:
        self.issues.append(Issue(message, file, line, column, code=code))

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.file or "", i.line or 0, i.column or 0))


def dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_text(name: str, text: str, problems: Problems) -> CommentedMap | None:
    """One file's YAML tree, or ``None`` (with the problem recorded) when it cannot be used."""
    try:
        root = limited_yaml().load(text)
    except YamlLimitError as error:
        mark = error.problem_mark
        problems.add_at(name, mark.line + 1, mark.column + 1, str(error.problem), error.code)
        return None
    except MaxDepthExceededError as error:  # the composer's fence behind the scanner's check
        mark = error.problem_mark
        message = f"the document is nested more than {MAX_DEPTH} levels deep here"
        problems.add_at(name, mark.line + 1, mark.column + 1, message, "yaml_too_deep")
        return None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "unreadable YAML"
        context = error.context_mark
        if error.problem and error.context and context and context is not mark:
            problem += f" ({error.context} that starts at line {context.line + 1}, column {context.column + 1})"
        problems.add_at(name, line, column, f"this is not valid YAML: {_plain_words(problem)}")
        return None
    except YAMLError as error:  # unmarked reader errors (e.g. a control character)
        problems.add_at(name, 1, 1, f"this is not valid YAML: {error}")
        return None
    if root is None:
        return CommentedMap()
    if not isinstance(root, CommentedMap):
        problems.add_at(
            name, 1, 1, "a definitions file must be a mapping of sections: " + ", ".join(TOP_LEVEL)
        )
        return None
    return root


_JARGON = {
    "quoted scalar": "quoted text",
    "flow mapping": "{...} mapping",
    "flow sequence": "[...] list",
    "block mapping": "mapping",
    "block collection": "list or mapping",
    "<stream end>": "the end of the file",
    "end of stream": "end of the file",
}


def _plain_words(text: str) -> str:
    for jargon, words in _JARGON.items():
        text = text.replace(jargon, words)
    return text


def merge(trees: dict[str, CommentedMap], problems: Problems) -> dict[str, Any]:
    """One plain document from several files' trees; conflicts are recorded as problems."""
    merged: dict[str, Any] = {"calendars": {}, "services": {}, "customers": {}, "agreements": []}
    agreement_ids: dict[str, int] = {}
    for file, root in trees.items():
        problems.note_file(file)
        for key in root:
            if key not in TOP_LEVEL:
                line, column = _position(root, key, key=True)
                problems.add_at(
                    file,
                    line,
                    column,
                    f"unknown section {key!r}; a definitions file holds: {', '.join(TOP_LEVEL)}",
                )
            elif key in SCALARS:
                _merge_scalar(file, root, key, merged, problems)
            elif key in MAPPINGS:
                _merge_mapping(file, root, key, merged, problems)
            else:
                _merge_agreements(file, root, merged, agreement_ids, problems)
    return merged


def _merge_scalar(
    file: str, root: CommentedMap, key: str, merged: dict[str, Any], problems: Problems
) -> None:
    if key in merged:
        line, column = _position(root, key, key=True)
        first = problems.where((key,))
        problems.add_at(file, line, column, f"{key} is set twice: here and at {first}")
        return
    problems.remember((key,), file, root, key)
    merged[key] = _plain(root[key])


def _merge_mapping(
    file: str, root: CommentedMap, key: str, merged: dict[str, Any], problems: Problems
) -> None:
    section = root[key]
    if section is None:
        return
    if not isinstance(section, CommentedMap):
        line, column = _position(root, key, key=False)
        noun = SECTION_NOUN[key]
        problems.add_at(
            file, line, column, f"{key} must be a mapping from each {noun}'s id to its {noun}"
        )
        return
    problems.remember((key,), file, root, key)
    for name in section:
        if name in merged[key]:
            line, column = _position(section, name, key=True)
            first = problems.where((key, name), at_key=True)
            noun = SECTION_NOUN[key]
            problems.add_at(
                file, line, column, f"{noun} {name!r} is defined twice: here and at {first}"
            )
            continue
        problems.remember((key, name), file, section, name)
        merged[key][name] = _plain(section[name])


def _merge_agreements(
    file: str,
    root: CommentedMap,
    merged: dict[str, Any],
    seen: dict[str, int],
    problems: Problems,
) -> None:
    section = root["agreements"]
    if section is None:
        return
    if not isinstance(section, CommentedSeq):
        line, column = _position(root, "agreements", key=False)
        problems.add_at(file, line, column, "agreements must be a list of agreements (- id: ...)")
        return
    for local, item in enumerate(section):
        index = len(merged["agreements"])
        agreement_id = item.get("id") if isinstance(item, CommentedMap) else None
        if isinstance(agreement_id, str) and agreement_id in seen:
            line, column = _position(item, "id", key=False)
            first = problems.where(("agreements", seen[agreement_id], "id"))
            problems.add_at(
                file,
                line,
                column,
                f"agreement {agreement_id!r} is defined twice: here and at {first}",
            )
            continue
        if isinstance(agreement_id, str):
            seen[agreement_id] = index
        problems.remember(("agreements", index), file, section, local)
        merged["agreements"].append(_plain(item))
