"""``--strict`` file imports: every record is checked before anything is stored.

A record is bad when it cannot be read, or (with a definitions revision
stored) when it carries a value the definitions do not know
(``domain.vocabulary``): under ``--strict`` a warning refuses as much as an
error. When every revision knows the same values the files are read once;
otherwise a first pass finds each ticket's creation instant (the files', or
the stored one), so that each event is checked against the revision its ticket
is measured by, and a second pass checks the events in chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from servanda.adapters.importers.records import Rejection
from servanda.domain.events import EventType
from servanda.domain.vocabulary import Finding, check_event
from servanda.entrypoints.cli.import_reports import RejectSink, refusal_text

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.entrypoints.cli.events import Item, SourcedEvent

CHUNK = 1000


def prescan(files: list[Path], storage: Storage, read: Callable[[Path], Iterator[Item]]) -> int:
    """Report every bad record (read errors, unknown values) of ``files``; how many there were."""
    sink = RejectSink(None)
    with storage.uow_factory() as uow:
        stored = bool(uow.revisions.history())
        uniform = storage.values.uniform(uow) if stored else None
    created: dict[str, int] = {}
    for path in files:
        for item in read(path):
            if isinstance(item, Rejection):
                sink.reject(f"{item.file}:{item.line}", item.message, item.raw)
            elif uniform is not None:
                if found := check_event(item.event, uniform):
                    _refuse(sink, item, found)
            elif item.event.type is EventType.CREATED:
                event = item.event
                created[event.ticket] = min(event.at, created.get(event.ticket, event.at))
    if stored and uniform is None:
        _check_in_chunks(files, storage, read, created, sink)
    sink.close()
    return sink.count


def _check_in_chunks(
    files: list[Path],
    storage: Storage,
    read: Callable[[Path], Iterator[Item]],
    created: dict[str, int],
    sink: RejectSink,
) -> None:
    chunk: list[SourcedEvent] = []

    def check() -> None:
        with storage.uow_factory() as uow:
            findings = storage.values.check_events(uow, [s.event for s in chunk], created)
        for sourced in chunk:
            if found := findings.get(sourced.event.identity):
                _refuse(sink, sourced, found)
        chunk.clear()

    for path in files:
        for item in read(path):
            if not isinstance(item, Rejection):
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    check()
    if chunk:
        check()


def _refuse(sink: RejectSink, sourced: SourcedEvent, found: tuple[Finding, ...]) -> None:
    where = f"{sourced.file}:{sourced.line}" if sourced.line else sourced.file
    sink.reject(where, refusal_text(sourced.event.ticket, found), sourced.raw)
