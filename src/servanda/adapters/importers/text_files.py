"""Import files as lines of text, so that a line that cannot be read is one rejected record.

Every file importer (events JSONL and CSV, outages, ServiceNow) reads its files
through ``TextFile``. A file is gzip when it starts with the gzip magic bytes,
whatever its name. Bytes are decoded as UTF-8 (a leading byte-order mark is
dropped) with ``surrogateescape``, so a line holding bytes that are not UTF-8
still arrives: ``TextFile`` sets it aside as a ``Rejection`` at its line,
naming the first such byte, and hands the parser an empty line in its place
(every parser skips empty lines, so the numbering of the lines after it is
kept). A compressed file that ends early or is damaged stops after its last
whole line, with a ``Rejection`` at the next line that names how far it got;
the records before it are kept (damage inside the deflate data may show only
at the end, by the checksum: the lines before it are checked like any other). Parsers drain the set-aside rejections with
``rejections()`` as they go, which keeps them in file order.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from types import TracebackType

from servanda.adapters.importers.records import Rejection

GZIP_MAGIC = b"\x1f\x8b"
ENCODING = "utf-8-sig"  # UTF-8; a byte-order mark at the start is not part of the first line


def undecodable(line: str) -> str | None:
    """Why a line read with ``surrogateescape`` is not UTF-8 text, or ``None`` when it is."""
    if line.isascii():
        return None
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = ord(line[error.start]) - 0xDC00
        return (
            f"the line is not UTF-8 text: byte 0x{byte:02X} at character {error.start + 1} "
            "cannot be decoded (save the file as UTF-8)"
        )
    return None


def shown(line: str) -> str:
    """The line as it can be written and printed: undecodable bytes as ``\\xNN``."""
    return line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class TextFile:
    """The lines of one import file, plain or gzip; iterate once, inside ``with``.

    Lines keep their line endings (the CSV reader needs them); ``line_number`` is
    the number of the last line handed out.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.line_number = 0
        self._pending: list[Rejection] = []
        self._open = ExitStack()
        self._binary: io.BufferedIOBase | None = None
        self._text: io.TextIOWrapper | None = None

    def __enter__(self) -> TextFile:
        raw = self._open.enter_context(self.path.open("rb"))
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        self._binary = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        self._text = io.TextIOWrapper(
            self._binary, encoding=ENCODING, errors="surrogateescape", newline=""
        )
        self._open.callback(_close, self._text)  # closes the gzip reader too, not ``raw``
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._open.close()

    def __iter__(self) -> Iterator[str]:
        if self._text is None:
            raise RuntimeError("read a TextFile inside 'with'")
        lines = iter(self._text)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except (EOFError, OSError, zlib.error) as error:  # a truncated or damaged .gz
                self._pending.append(self._cut_short(error))
                return
            self.line_number += 1
            if (problem := undecodable(line)) is not None:
                self._pending.append(Rejection(self.line_number, problem, shown(line), self.name))
                line = "\n"
            yield line

    def rejections(self) -> list[Rejection]:
        """The lines set aside since the last call (undecodable, or where the file broke off)."""
        found, self._pending = self._pending, []
        return found

    def _cut_short(self, error: BaseException) -> Rejection:
        read = self._position()
        return Rejection(
            self.line_number + 1,
            f"the compressed file ends early or is damaged after line {self.line_number}"
            f"{read}: {error}; the lines before it were read",
            "",
            self.name,
        )

    def _position(self) -> str:
        """`` (N bytes decompressed)``, when the gzip reader can say."""
        try:
            offset = self._binary.tell() if self._binary is not None else None
        except (EOFError, OSError, ValueError, zlib.error):
            offset = None
        return "" if offset is None else f" ({offset:,} bytes decompressed)"


def _close(stream: io.TextIOWrapper) -> None:
    with suppress(EOFError, OSError, zlib.error):  # a damaged file may fail to close too
        stream.close()
