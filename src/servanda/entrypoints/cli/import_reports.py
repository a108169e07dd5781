"""How file imports report records they could not use and values they did not recognise.

Rejections (records not stored) are printed as ``file:line: reason`` on
stderr, the first ``MAX_SHOWN_REJECTIONS`` of them, and their raw lines are
written to ``--reject-file``. Unknown values (``domain.vocabulary``) are
counted per kind for the summary; when the import ends, the first
``SHOWN_PER_KIND`` of each kind *in file order* are printed as
``file:line: ticket: message [code]`` (so the same input always shows the same
ones, parallel workers or not), and ``--warnings-file`` receives every one as
it is found.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import typer

from servanda.domain.vocabulary import Finding

MAX_SHOWN_REJECTIONS = 20
SHOWN_PER_KIND = 5


class Rejects(Protocol):
    def reject(self, where: str, message: str, raw: str) -> None: ...


class Warnings(Protocol):
    def warn(self, file: str, line: int | None, text: str, code: str) -> None: ...


class RejectSink:
    """Reports rejections on stderr (the first few) and writes their raw lines to a file."""

    def __init__(self, path: Path | None) -> None:
        self._stream = path.open("w", encoding="utf-8") if path is not None else None
        self.count = 0

    def reject(self, where: str, message: str, raw: str) -> None:
        self.count += 1
        if self.count <= MAX_SHOWN_REJECTIONS:
            typer.echo(f"{where}: {message}", err=True)
        if self._stream is not None:
            self._stream.write(raw + "\n")

    def close(self) -> None:
        if self.count > MAX_SHOWN_REJECTIONS:
            typer.echo(f"... and {self.count - MAX_SHOWN_REJECTIONS} more rejected", err=True)
        if self._stream is not None:
            self._stream.close()


class WarningSink:
    """Counts unknown values per kind, keeps the first few of each in file order, and writes
    every one to a file (``files`` gives the order of the input files)."""

    def __init__(self, path: Path | None, files: Sequence[str] = ()) -> None:
        self._stream = path.open("w", encoding="utf-8") if path is not None else None
        self._order = {name: index for index, name in enumerate(files)}
        self.counts: Counter[str] = Counter()
        # (file order, file, line, arrival): one record's findings keep their fixed order
        self._first: dict[str, list[tuple[tuple[int, str, int, int], str]]] = {}

    def warn(self, file: str, line: int | None, text: str, code: str) -> None:
        self.counts[code] += 1
        entry = f"{file}:{line}: {text} [{code}]" if line else f"{file}: {text} [{code}]"
        first = self._first.setdefault(code, [])
        key = (self._order.get(file, len(self._order)), file, line or 0, self.counts.total())
        insort(first, (key, entry))
        if len(first) > SHOWN_PER_KIND:
            first.pop()
        if self._stream is not None:
            self._stream.write(entry + "\n")

    def close(self) -> None:
        """Print the first few of each kind in file order, and how many more each kind had."""
        kept = sorted(item for first in self._first.values() for item in first)
        for _, entry in kept:
            typer.echo(entry, err=True)
        for code in sorted(self._first):
            more = self.counts[code] - len(self._first[code])
            if more:
                typer.echo(f"... and {more:,} more {code}", err=True)
        if self._stream is not None:
            self._stream.close()


def describe_counts(counts: Counter[str], refused: int = 0) -> str:
    """The summary line: ``unknown values: 3 (unknown_priority: 2, unknown_status: 1)``."""
    total = sum(counts.values())
    if not total:
        return "unknown values: none"
    kinds = ", ".join(f"{code}: {count:,}" for code, count in sorted(counts.items()))
    line = f"unknown values: {total:,} ({kinds})"
    if refused:
        line += f"; {refused:,} record(s) refused for them"
    return line


def refusal_text(ticket: str, findings: Iterable[Finding]) -> str:
    """Why a record was refused for its values (``ticket: ...``)."""
    found = list(findings)
    errors = [f.message for f in found if f.is_error]
    if errors:
        return f"{ticket}: " + "; ".join(errors)
    return f"{ticket}: unknown values refused (--strict): " + "; ".join(f.message for f in found)
