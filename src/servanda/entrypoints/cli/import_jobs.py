"""Parallel event import: N worker processes, each owning the tickets whose id hashes to it.

Rule: a ticket belongs to exactly one worker (``crc32(ticket) % jobs``, stable
across processes), so workers never wait on each other's ticket locks and each
ticket is folded by one process. Every worker reads every file and keeps its
own share, in batches of whole tickets (``ticket_batches``: JSONL lines are
routed by their ``ticket`` before full parsing; lines that are not even JSON go
to worker 0, which reports them). Worker 0 also reports progress. Each worker commits its own batches, so an interrupted
parallel import, re-run, ends as an uninterrupted one exactly like a serial
import. Rejections, unknown values, progress and per-worker summaries travel to the
parent on a queue; the parent writes the reject and warnings files and prints
the merged summary.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from servanda.entrypoints.cli.events import Advance, ImportSummary, import_items
from servanda.entrypoints.cli.import_reports import RejectSink, WarningSink
from servanda.entrypoints.cli.recording import Recording
from servanda.entrypoints.cli.ticket_batches import TicketClass, read_share


@dataclass(frozen=True, slots=True)
class Job:
    """What one worker does: its share of the tickets of ``files``."""

    files: tuple[Path, ...]
    share: int
    jobs: int
    database_url: str | None
    recording: Recording
    strict: bool


class _QueueRejects:
    def __init__(self, messages: Any) -> None:  # noqa: ANN401 - a multiprocessing queue
        self._messages = messages

    def reject(self, where: str, message: str, raw: str) -> None:
        self._messages.put(("reject", where, message, raw))

    def warn(self, file: str, line: int | None, text: str, code: str) -> None:
        self._messages.put(("warning", file, line, text, code))


def _work(job: Job, messages: Any) -> None:  # noqa: ANN401 - a multiprocessing queue
    """A worker's whole life: import its share, report the summary (or the error)."""
    from servanda.entrypoints.cli.db import open_storage

    def advance(amount: int, rows: int) -> None:
        if job.share == 0:
            messages.put(("progress", amount, rows))

    try:
        with open_storage(job.database_url) as storage:
            summary = import_items(
                storage,
                lambda tickets, meter: read_share(job.files, tickets, meter),
                now=job.recording.now,
                recorded_at=job.recording.recorded_at,
                rejects=_QueueRejects(messages),
                warnings=_QueueRejects(messages),
                strict=job.strict,
                tickets=TicketClass(share=job.share, shares=job.jobs),
                advance=advance,
            )
        messages.put(("summary", summary))
    except Exception as error:  # reported to the parent, which fails the command
        messages.put(("error", f"{type(error).__name__}: {error}"))
        raise


def run_jobs(
    files: list[Path],
    *,
    jobs: int,
    database_url: str | None,
    recording: Recording,
    strict: bool,
    rejects: RejectSink,
    warnings: WarningSink,
    advance: Advance,
) -> ImportSummary:
    """Run ``jobs`` workers to completion; their merged summary, or ``EventError``."""
    from servanda.domain.errors import EventError

    context: Any = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    messages = context.Queue()
    workers: list[BaseProcess] = [
        context.Process(
            target=_work,
            args=(Job(tuple(files), share, jobs, database_url, recording, strict), messages),
        )
        for share in range(jobs)
    ]
    for worker in workers:
        worker.start()
    summary, errors, done = ImportSummary(), [], 0
    while done < jobs:
        try:
            message = messages.get(timeout=0.5)
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers) and messages.empty():
                errors.append("an import worker died")
                break
            continue
        kind = message[0]
        if kind == "progress":
            advance(message[1], message[2])
        elif kind == "reject":
            rejects.reject(*message[1:])
        elif kind == "warning":
            warnings.warn(*message[1:])
        elif kind == "summary":
            summary.merge(message[1])
            done += 1
        else:
            errors.append(message[1])
            done += 1
    for worker in workers:
        worker.join()
    if errors:
        raise EventError("; ".join(errors))
    return summary
