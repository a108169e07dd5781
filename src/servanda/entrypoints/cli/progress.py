"""Progress bars for long CLI runs (rich, on stderr): amount done, rate and time left.

Progress is counted in bytes of input read (known up front, so the ETA is
honest); when the total is unknown (compressed input) the bar shows only the
amount done and the rate. Nothing is drawn when stderr is not a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Advance = Callable[[int, int], None]
"""``advance(bytes_read, rows_read)``."""


class RowRateColumn(ProgressColumn):
    """Rows read so far and rows per second."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        elapsed = task.elapsed or 0.0
        rate = f"{rows / elapsed:,.0f}/s" if elapsed > 0 else "-/s"
        return Text(f"{rows:,} rows {rate}", style="progress.data.speed", no_wrap=True)


@contextmanager
def import_progress(total_bytes: int | None) -> Iterator[Advance]:
    """A bar over ``total_bytes``; yields ``advance(bytes, rows)`` to call as input is read."""
    console = Console(stderr=True)
    progress = Progress(
        BarColumn(bar_width=24),
        TaskProgressColumn(),
        DownloadColumn(),
        RowRateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("import", total=total_bytes, rows=0)
        rows_read = 0

        def advance(amount: int, rows: int) -> None:
            nonlocal rows_read
            rows_read += rows
            progress.update(task, advance=amount, rows=rows_read)

        yield advance


@contextmanager
def count_progress(what: str) -> Iterator[Callable[[int, int], None]]:
    """A bar over a known number of items; yields ``advance(done, total)`` (absolute counts)."""
    console = Console(stderr=True)
    progress = Progress(
        TextColumn(what),
        BarColumn(bar_width=24),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task(what, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance
