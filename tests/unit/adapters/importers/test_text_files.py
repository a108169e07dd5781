"""``TextFile``: lines of plain or gzip UTF-8 files; an undecodable line or a broken-off gzip
is a located rejection and the reading goes on (or stops) cleanly."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from servanda.adapters.importers.text_files import TextFile, shown, undecodable

LINES = [f'{{"n": {n}, "pad": "{n:064d}"}}\n'.encode() for n in range(4000)]


def read(path: Path) -> tuple[list[str], list[str]]:
    """The lines handed out, and every rejection as text, draining after each line."""
    lines, rejections = [], []
    with TextFile(path) as text:
        for line in text:
            lines.append(line)
            rejections.extend(str(r) for r in text.rejections())
        rejections.extend(str(r) for r in text.rejections())
    return lines, rejections


@pytest.mark.parametrize("packed", [False, True])
def test_a_line_that_is_not_utf8_is_set_aside_and_the_numbering_kept(
    tmp_path: Path, packed: bool
) -> None:
    data = b"\xef\xbb\xbfa,b\r\ncaf\xe9 \xff\nlast\n"
    path = tmp_path / "file.csv"
    path.write_bytes(gzip.compress(data) if packed else data)
    lines, rejections = read(path)
    assert lines == ["a,b\r\n", "\n", "last\n"]
    assert rejections == [
        f"{path}:2: the line is not UTF-8 text: byte 0xE9 at character 4 cannot be decoded "
        "(save the file as UTF-8)"
    ]


def test_a_gzip_cut_short_stops_after_its_last_whole_line_and_says_where(tmp_path: Path) -> None:
    whole = gzip.compress(b"".join(LINES))
    path = tmp_path / "file.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    lines, rejections = read(path)
    assert 0 < len(lines) < len(LINES)
    assert [line.encode() for line in lines] == LINES[: len(lines)]
    assert len(rejections) == 1
    assert rejections[0].startswith(
        f"{path}:{len(lines) + 1}: the compressed file ends early or is damaged after line "
        f"{len(lines)} ("
    )
    assert rejections[0].endswith("; the lines before it were read")


def test_a_damaged_gzip_is_one_rejection_at_the_end_of_what_was_read(tmp_path: Path) -> None:
    whole = bytearray(gzip.compress(b"".join(LINES)))
    middle = len(whole) // 2
    whole[middle : middle + 64] = bytes(64)
    path = tmp_path / "file.jsonl.gz"
    path.write_bytes(bytes(whole))
    with pytest.raises((zlib.error, OSError, EOFError)):
        gzip.decompress(bytes(whole))
    lines, rejections = read(path)
    assert [line.encode() for line in lines[:100]] == LINES[:100]  # before the damage: intact
    damage = [r for r in rejections if "the compressed file ends early or is damaged" in r]
    assert damage == rejections[-1:]
    assert damage[0].startswith(f"{path}:{len(lines) + 1}: ")


def test_undecodable_and_shown_speak_of_the_raw_bytes() -> None:
    line = b"ok \xc3\xa9 then \x80".decode("utf-8", "surrogateescape")
    assert undecodable("plain ascii") is None
    assert undecodable("caf\u00e9") is None
    assert undecodable(line) == (
        "the line is not UTF-8 text: byte 0x80 at character 11 cannot be decoded "
        "(save the file as UTF-8)"
    )
    assert shown(line) == "ok \u00e9 then \\x80"
