"""Run the demo's story on a fresh SQLite database: definitions, history, imports, time.

The same steps a provider runs by hand (docs/tour.md): ``definitions apply``,
``outages import``, ``events import`` month by month with "now" at the end of
each month (as a monthly feed would deliver them), and a ``sweep`` at each
month's end so the warnings and breaches nobody pushed are recorded. The files
written under ``DIR/history`` (``events.jsonl``, ``outages.csv``) are the very
files imported, so every step can be repeated with the CLI; measurements are
re-folded from each ticket's whole history, so importing the file at once and
sweeping at the end gives the same figures. The database ``DIR/servanda.sqlite`` is deleted and rebuilt on
every run; nothing reads the wall clock (the revision is applied "at" the
start of the period, tokens are created "at" its end).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from servanda.bootstrap import Storage, connect, load_settings
from servanda.demo.history import (
    DemoPeriod,
    generate_demo_outages,
    generate_tickets,
    is_created,
    month_of,
)
from servanda.domain.agreements import Definitions
from servanda.domain.availability import Outage
from servanda.domain.events import TicketEvent
from servanda.services.ports import TransitionKind

Advance = Callable[[int, int], None]
BATCH_SIZE = 2_000


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the demo writes: everything lives under ``root``."""

    root: Path

    @property
    def definitions(self) -> Path:
        return self.root / "definitions"

    @property
    def history(self) -> Path:
        return self.root / "history"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def database(self) -> Path:
        return self.root / "servanda.sqlite"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def events_file(self) -> Path:
        return self.history / "events.jsonl"

    @property
    def outages_file(self) -> Path:
        return self.history / "outages.csv"

    def reset(self) -> None:
        """Remove what an earlier run wrote (never anything else under ``root``)."""
        for folder in (self.history, self.reports):
            if folder.exists():
                shutil.rmtree(folder)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        self.history.mkdir(parents=True)
        self.reports.mkdir(parents=True)


@dataclass(frozen=True, slots=True)
class History:
    """What was written to ``history/``: the events (in time order) and the outages."""

    events: Path
    event_count: int
    tickets: int
    outages: int
    maintenance: int

    @property
    def event_bytes(self) -> int:
        return self.events.stat().st_size


@dataclass(slots=True)
class Recorded:
    """What importing and sweeping recorded."""

    revision: int = 0
    events: int = 0
    outages: int = 0
    warnings: int = 0
    breaches: int = 0
    swept_tickets: int = 0

    def count(self, kinds: Iterable[TransitionKind]) -> None:
        for kind in kinds:
            if kind is TransitionKind.WARNING:
                self.warnings += 1
            elif kind is TransitionKind.BREACHED:
                self.breaches += 1


def write_history(
    layout: Layout,
    definitions: Definitions,
    customers: Sequence[str],
    period: DemoPeriod,
    seed: int,
) -> History:
    """Generate the period's tickets and outages and write them as importable files."""
    from servanda.specs.events import event_to_line

    events = generate_tickets(definitions, customers, period, seed)
    with layout.events_file.open("wb") as file:
        file.writelines(event_to_line(event) for event in events)
    outages = generate_demo_outages(definitions, customers, period, seed)
    _write_outages(layout.outages_file, outages, period)
    return History(
        layout.events_file,
        event_count=len(events),
        tickets=sum(1 for event in events if is_created(event)),
        outages=sum(1 for outage in outages if not outage.planned),
        maintenance=sum(1 for outage in outages if outage.planned),
    )


def _write_outages(path: Path, outages: Sequence[Outage], period: DemoPeriod) -> None:
    """The CSV format of ``servanda outages import`` (docs/importing.md), local times with offsets."""
    from servanda.adapters.importers.outages import CSV_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for o in outages:
            writer.writerow(
                (
                    o.id,
                    o.service,
                    period.local(o.start).isoformat(),
                    period.local(o.end).isoformat(),
                    o.impact.value,
                    str(o.weight),
                    "true" if o.planned else "false",
                    ";".join(o.customers),
                    o.source,
                    o.description,
                )
            )


def open_database(layout: Layout) -> Storage:
    """A fresh, migrated SQLite database in ``layout``."""
    return connect(load_settings(database_url=layout.database_url), migrate=True)


def apply_revision(storage: Storage, layout: Layout, definitions: Definitions, at: int) -> int:
    """Store the definitions as revision 1, effective from (and applied at) ``at``."""
    from servanda.services.revisions import apply_definitions
    from servanda.specs.loader import read_sources
    from servanda.specs.snapshot import content_hash

    sources = {str(name): text for name, text in read_sources(layout.definitions).items()}
    applied = apply_definitions(
        storage.uow_factory,
        definitions,
        fingerprint=content_hash,
        now=at,
        effective_from=at,
        comment="servanda demo",
        sources=sources,
        author="servanda demo",
    )
    return applied.revision.id


def import_history(
    storage: Storage, layout: Layout, history: History, period: DemoPeriod, advance: Advance
) -> Recorded:
    """Import outages, then each month's events at that month's end, sweeping there."""
    recorded = Recorded()
    recorded.outages = _import_outages(storage, layout.outages_file)
    _import_events(storage, history.events, period, advance, recorded)
    return recorded


def _import_outages(storage: Storage, path: Path) -> int:
    from servanda.adapters.importers.outages import read_outages
    from servanda.adapters.importers.records import collect
    from servanda.domain.errors import EventError
    from servanda.services.outages import record_outages

    collected = collect(read_outages(path))
    if collected.rejections:
        raise EventError(f"the demo wrote a bad outage record: {collected.rejections[0]}")
    return record_outages(storage.uow_factory, collected.values, strict=True).new


def _import_events(
    storage: Storage, path: Path, period: DemoPeriod, advance: Advance, recorded: Recorded
) -> None:
    """The parsing of ``servanda events import``; each month evaluated and swept at its end."""
    from servanda.services.ingestion import record_events
    from servanda.services.sweeping import sweep_due_clocks

    batch: list[TicketEvent] = []
    month = 0

    def flush() -> None:
        if not batch:
            return
        now = period.month_bounds(month)[1]
        outcome = record_events(storage.uow_factory, storage.evaluator, batch, now, strict=True)
        recorded.events += outcome.new
        recorded.count(t.kind for t in outcome.transitions)
        batch.clear()

    def close_month() -> None:
        flush()
        swept = sweep_due_clocks(
            storage.uow_factory, storage.evaluator, period.month_bounds(month)[1]
        )
        recorded.swept_tickets += swept.tickets
        recorded.count(t.kind for t in swept.transitions)

    for event in _read_events(path, advance):
        while month_of(event, period) > month:
            close_month()
            month += 1
        batch.append(event)
        if len(batch) >= BATCH_SIZE:
            flush()
    while month < len(period.months):
        close_month()
        month += 1


def _read_events(path: Path, advance: Advance) -> Iterator[TicketEvent]:
    """The events of ``path``, parsed as ``servanda events import`` parses them."""
    from servanda.adapters.importers.records import Rejection
    from servanda.domain.errors import EventError
    from servanda.entrypoints.cli.events import read_file

    for item in read_file(path, advance):
        if isinstance(item, Rejection):
            raise EventError(f"the demo wrote a bad event: {item.file}:{item.line}: {item.message}")
        yield item.event
