"""Parallel event import: N worker processes, each owning the tickets whose id hashes to it.

Rule: a ticket belongs to exactly one worker (``crc32(ticket) % jobs``, stable
across processes), so workers never wait on each other's ticket locks and each
ticket is folded by one process. Every worker reads every file and keeps its
own share (JSONL lines are routed by their ``ticket`` before full parsing;
lines that are not even JSON go to worker 0, which reports them). Worker 0
also reports progress. Each worker commits its own batches, so an interrupted
parallel import, re-run, ends as an uninterrupted one exactly like a serial
import. Rejections, unknown values, progress and per-worker summaries travel to the
parent on a queue; the parent writes the reject and warnings files and prints
the merged summary.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson

from servanda.adapters.importers.records import Rejection
from servanda.entrypoints.cli.events import (
    Advance,
    ImportSummary,
    Item,
    SourcedEvent,
    format_of,
    import_items,
    open_text,
    read_file,
)
from servanda.entrypoints.cli.import_reports import RejectSink, WarningSink


@dataclass(frozen=True, slots=True)
class Job:
    """What one worker does: its share of the tickets of ``files``."""

    files: tuple[Path, ...]
    share: int
    jobs: int
    database_url: str | None
    now: int
    strict: bool


def owner(ticket: str, jobs: int) -> int:
    return zlib.crc32(ticket.encode()) % jobs


def _route(line: str, jobs: int) -> tuple[int, object]:
    """The worker that owns the line's ticket, and the decoded JSON (parsed only once)."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return 0, None
    ticket = data.get("ticket") if isinstance(data, dict) else None
    return (owner(ticket, jobs) if isinstance(ticket, str) else 0), data


def _share_of(path: Path, job: Job, advance: Advance) -> Iterator[Item]:
    if format_of(path) == "csv":
        for item in read_file(path, advance):
            if isinstance(item, Rejection):
                if job.share == 0:
                    yield item
            elif owner(item.event.ticket, job.jobs) == job.share:
                yield item
        return
    from servanda.domain.errors import EventError
    from servanda.specs.events import event_from_json, parse_event_line

    name = str(path)
    with open_text(path) as stream:
        for number, line in _numbered(stream, advance):
            if not line.strip():
                continue
            share, data = _route(line, job.jobs)
            if share != job.share:
                continue
            raw = line.rstrip("\n")
            try:
                event = parse_event_line(line) if data is None else event_from_json(data)
                yield SourcedEvent(event, name, number, raw)
            except EventError as error:
                yield Rejection(number, str(error), raw, name)


def _numbered(stream: Any, advance: Advance) -> Iterator[tuple[int, str]]:  # noqa: ANN401 - text IO
    pending = rows = 0
    for number, line in enumerate(stream, start=1):
        pending += len(line)
        rows += 1
        if pending >= 1 << 16:
            advance(pending, rows)
            pending = rows = 0
        yield number, line
    advance(pending, rows)


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
            items = (item for path in job.files for item in _share_of(path, job, advance))
            summary = import_items(
                storage,
                items,
                now=job.now,
                batch_size=storage.settings.import_batch_size,
                rejects=_QueueRejects(messages),
                warnings=_QueueRejects(messages),
                strict=job.strict,
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
    now: int,
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
            args=(Job(tuple(files), share, jobs, database_url, now, strict), messages),
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
