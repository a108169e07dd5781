"""Batches of whole tickets for ``servanda events import``: a ticket's events never straddle two.

Why: a batch re-folds the tickets it touches and records their transitions in
one transaction. A ticket split over two batches could have a breach recorded
by the first (its clock still running past the deadline) and withdrawn by the
second (the reply that stopped it in time): the summary counted a transition
that was never kept, and a webhook worker running beside the import could
deliver it in between. So an import groups its input by ticket (tickets in the
order they first appear, each ticket's events in file order) and cuts batches
only between tickets; a ticket with more events than the batch size is a batch
of its own.

Progress: the bar counts input bytes; reading the first pass fills its first
quarter (``READ_SHARE``), storing each pass's batches the rest, in proportion
to the events stored of the share of tickets the pass holds (``1/modulus``).

Memory: a pass holds at most ``hold`` events (``SERVANDA_IMPORT_HOLD``, about
0.8 KB each with its raw line). Input with more is read in
several passes, each keeping one class of tickets: tickets whose
``crc32(ticket) // shares`` is ``residue`` modulo ``modulus`` (``// shares``
keeps the classes independent of the ``--jobs`` share, ``crc32 % shares``).
When a pass holds more than ``hold`` events it halves its class (``r mod m``
becomes ``r mod 2m``; ``r + m mod 2m`` is left to a later pass) and drops what
it held of the other half. Only the first pass reports unreadable records, so
each is reported once; later passes read only their own tickets' lines fully.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from servanda.adapters.importers.records import Rejection

if TYPE_CHECKING:
    from servanda.entrypoints.cli.events import Advance, Item, SourcedEvent

READ_SHARE = 0.25  # of the progress bar, for reading the first pass


def share_of(ticket: str, shares: int) -> int:
    """The ``--jobs`` worker that owns ``ticket`` (stable across processes)."""
    return zlib.crc32(ticket.encode()) % shares


@dataclass(slots=True)
class TicketClass:
    """The tickets one pass keeps: those of ``share`` whose class key is ``residue`` mod ``modulus``."""

    share: int = 0
    shares: int = 1
    residue: int = 0
    modulus: int = 1
    first: bool = True  # the first pass: reports unreadable records (once)
    _keys: dict[str, int] = field(default_factory=dict)

    def owns(self, ticket: str) -> bool:
        """Whether ``ticket`` belongs to this worker's share at all."""
        return self.shares == 1 or share_of(ticket, self.shares) == self.share

    def keeps(self, ticket: str) -> bool:
        """Whether this pass keeps ``ticket``'s events."""
        if not self.owns(ticket):
            return False
        if self.modulus == 1:
            return True
        key = self._keys.get(ticket)
        if key is None:
            key = self._keys[ticket] = zlib.crc32(ticket.encode()) // self.shares
        return key % self.modulus == self.residue

    def halve(self) -> TicketClass:
        """Keep half of this class; the other half, for a later pass."""
        other = TicketClass(
            self.share, self.shares, self.residue + self.modulus, self.modulus * 2, first=False
        )
        self.modulus *= 2
        return other


Reader = Callable[[TicketClass, "Advance"], Iterable["Item"]]
"""Reads the input once for a pass: the events ``keeps`` wants (others may come too; the
caller filters) and, on the first pass, every unreadable record of the share; reports the
bytes and rows it reads to the ``Advance``."""


def whole_ticket_batches(
    groups: Iterable[list[SourcedEvent]], size: int
) -> Iterator[list[SourcedEvent]]:
    """Consecutive tickets' events, about ``size`` per batch, never cutting one ticket."""
    batch: list[SourcedEvent] = []
    for group in groups:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


@dataclass(slots=True)
class Pass:
    """What one pass read: its class, its tickets' events and the unreadable records."""

    tickets: TicketClass
    held: dict[str, list[SourcedEvent]] = field(default_factory=dict)
    count: int = 0


def grouped_passes(
    read: Callable[[TicketClass], Iterable[Item]],
    start: TicketClass,
    hold: int,
    reject: Callable[[Rejection], None],
) -> Iterator[Pass]:
    """Each pass's tickets grouped, after reading the input once per pass (module rules)."""
    pending = [start]
    while pending:
        current = Pass(pending.pop())
        for item in read(current.tickets):
            if isinstance(item, Rejection):
                if current.tickets.first:
                    reject(item)
                continue
            ticket = item.event.ticket
            if not current.tickets.keeps(ticket):
                continue
            current.held.setdefault(ticket, []).append(item)
            current.count += 1
            if current.count > hold and len(current.held) > 1:
                pending.append(current.tickets.halve())
                keeps = current.tickets.keeps
                current.held = {t: group for t, group in current.held.items() if keeps(t)}
                current.count = sum(len(group) for group in current.held.values())
        yield current


def read_share(paths: Iterable[Path], tickets: TicketClass, advance: Advance) -> Iterator[Item]:
    """The records of ``paths`` that ``tickets`` may want (see ``Reader``), in file order.

    JSONL lines are routed by their ``ticket`` before they are fully parsed, so a pass reads
    the other tickets' lines cheaply; lines that are not even JSON belong to share 0.
    """
    from servanda.entrypoints.cli.events import format_of, read_file

    for path in paths:
        if format_of(path) == "csv":
            for item in read_file(path, advance):
                if isinstance(item, Rejection):
                    if tickets.share == 0:
                        yield item
                elif tickets.keeps(item.event.ticket):
                    yield item
        else:
            yield from _jsonl_share(path, tickets, advance)


def _jsonl_share(path: Path, tickets: TicketClass, advance: Advance) -> Iterator[Item]:
    from servanda.adapters.importers.text_files import TextFile
    from servanda.domain.errors import EventError
    from servanda.entrypoints.cli.events import SourcedEvent, counted
    from servanda.specs.events import event_from_json, parse_event_line

    name = str(path)
    with TextFile(path) as text:
        for number, line in enumerate(counted(text, advance), start=1):
            if tickets.share == 0:  # lines that cannot be read belong to share 0, as below
                yield from text.rejections()
            if not line.strip():
                continue
            ticket, data = _route(line)
            if ticket is None:
                if tickets.share != 0 or not tickets.first:
                    continue
            elif not (tickets.keeps(ticket) or (tickets.first and tickets.owns(ticket))):
                continue
            raw = line.rstrip("\n")
            try:
                event = parse_event_line(line) if data is None else event_from_json(data)
                yield SourcedEvent(event, name, number, raw)
            except EventError as error:
                yield Rejection(number, str(error), raw, name)
        if tickets.share == 0:
            yield from text.rejections()


def _route(line: str) -> tuple[str | None, object]:
    """The line's ticket (``None`` when it has none) and its decoded JSON (parsed once)."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None, None
    ticket = data.get("ticket") if isinstance(data, dict) else None
    return (ticket if isinstance(ticket, str) else None), data


class Meter:
    """Turns reading and storing into progress over the input's bytes (module rules)."""

    def __init__(self, advance: Advance) -> None:
        self._advance = advance
        self._read = 0  # bytes read by the first pass
        self._shown = 0.0
        self._reading = True

    def reading(self, amount: int, rows: int) -> None:
        """The ``advance`` to give the reader: counts the first pass, shows a quarter of it."""
        if self._reading:
            self._read += amount
            self._show(amount * READ_SHARE, rows)

    def stored(self, done: Pass, events: int) -> None:
        """``events`` of ``done``'s held events were stored."""
        self._reading = False
        if done.count:
            share = self._read * (1 - READ_SHARE) / done.tickets.modulus
            self._show(share * events / done.count, 0)

    def _show(self, amount: float, rows: int) -> None:
        before = int(self._shown)
        self._shown += amount
        self._advance(int(self._shown) - before, rows)
