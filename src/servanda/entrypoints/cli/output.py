"""Where CLI tables go: the terminal's width on a terminal, a wide layout when piped.

A table written to a file or a pipe is not cut at 80 columns (rich's default
when it cannot ask a terminal): it gets ``PIPED_WIDTH`` so every column keeps
its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

PIPED_WIDTH = 240


def table_console(file: TextIO | None = None) -> Console:
    from rich.console import Console

    console = Console(file=file, highlight=False)
    if not console.is_terminal:
        console = Console(file=file, highlight=False, width=PIPED_WIDTH)
    return console
