"""ServiceNow incident audit log -> ticket events (docs/importing.md, "ServiceNow").

Each incident's usable rows, in update order (``servicenow_rows``), are walked
once, comparing every row with the incident as the previous rows left it:

- ``created`` at ``opened_at`` with customer, service and priority (``P1``..)
  and the fields ``assignment_group`` and ``channel`` (``contact_type``,
  lower-cased: ``phone``, ``email``);
- ``attributes_changed`` when priority, service, customer or assignment
  group take a new known value (``?`` never erases a value);
- ``status_changed`` when an open state maps to another status (state map);
- ``responded`` at the first row in a ``responded`` state (the proxy);
- ``resolved`` on entering a resolved state, ``reopened`` on leaving a
  resolved or closed state for an open one, ``closed`` on entering a closed
  state (preceded by ``resolved`` at ``resolved_at``, or the closing instant,
  when the incident was not resolved).

Event time is the row's ``sys_updated_at``, kept non-decreasing within an
incident and never before ``opened_at``; an event that would sort before one
already emitted for the same instant (same-instant rank, SEMANTICS "Ticket
clocks" 10) moves one second later, so the fold applies them in update
order. Ids are ``<number>:<sys_mod_count>:<type>`` (``~2``.. when one update
repeats them), source ``servicenow``: re-importing the same file is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo
from pathlib import Path

from servanda.adapters.importers.records import Rejection
from servanda.adapters.importers.servicenow_rows import (
    Columns,
    IncidentRow,
    in_update_order,
    read_rows,
)
from servanda.adapters.importers.state_maps import StateMap, load_state_map
from servanda.adapters.importers.text_files import TextFile
from servanda.domain.events import SAME_INSTANT_RANK, EventType, TicketEvent

SOURCE = "servicenow"
DEFAULT_TIMEZONE = "UTC"
_ATTRIBUTES = ("priority", "service", "customer", "assignment_group")


@dataclass(frozen=True, slots=True)
class ServiceNowOptions:
    state_map: StateMap
    columns: Columns = field(default_factory=Columns)
    zone: tzinfo = UTC
    source: str = SOURCE


@dataclass(slots=True)
class ServiceNowConversion:
    """The events of a whole file, the rows left out, and the counts for a summary."""

    events: list[TicketEvent] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file line of the row of each event
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    incidents: int = 0  # distinct incident numbers among the usable rows
    tickets: int = 0  # incidents that produced events

    def count(self, kind: EventType) -> int:
        return sum(1 for event in self.events if event.type is kind)


class _Incident:
    """One incident's walk: the state its rows have reached and the events emitted so far."""

    def __init__(self, first: IncidentRow, options: ServiceNowOptions) -> None:
        self.number = first.number
        self.options = options
        self.events: list[TicketEvent] = []
        self.lines: list[int] = []
        self.used_ids: set[str] = set()
        self.at = first.opened_at
        self.rank = -1
        self.phase = "open"
        self.status = options.state_map.statuses[options.state_map.initial]
        self.last_seen = (first.priority, first.service, first.customer, first.group)
        self.attributes: dict[str, str | None] = dict(zip(_ATTRIBUTES, self.last_seen, strict=True))
        self.responded = False
        fields = tuple(
            (name, value)
            for name, value in (("assignment_group", first.group), ("channel", first.channel))
            if value is not None
        )
        self.emit(first, EventType.CREATED, first.opened_at)
        self.events[0] = replace(
            self.events[0],
            customer=first.customer,
            service=first.service,
            priority=first.priority,
            fields=fields,
        )

    def emit(
        self,
        row: IncidentRow,
        kind: EventType,
        at: int | None = None,
        *,
        status: str | None = None,
        changes: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Append a ``kind`` event for ``row`` at ``at`` (default the row's update instant)."""
        instant = max(self.at, row.updated_at if at is None else at)
        rank = SAME_INSTANT_RANK[kind]
        if instant == self.at and rank <= self.rank:
            instant += 1
        self.at, self.rank = instant, rank
        event_id = f"{self.number}:{row.mod}:{kind.value}"
        repeat = 1
        while event_id in self.used_ids:
            repeat += 1
            event_id = f"{self.number}:{row.mod}:{kind.value}~{repeat}"
        self.used_ids.add(event_id)
        self.lines.append(row.line)
        self.events.append(
            TicketEvent(
                id=event_id,
                ticket=self.number,
                type=kind,
                at=instant,
                source=self.options.source,
                status=status,
                changes=changes,
            )
        )

    def apply(self, row: IncidentRow) -> None:
        """Emit what ``row`` changed, in same-instant rank order (see the module rules)."""
        states = self.options.state_map
        opening = states.is_open(row.state)
        if opening:
            self._respond_and_status(row, states)
        self._attribute_changes(row)
        if opening and self.phase != "open":
            self.emit(row, EventType.REOPENED)
            self.phase = "open"
        if row.state in states.resolved and self.phase == "open":
            self.emit(row, EventType.RESOLVED)
            self.phase = "resolved"
        if row.state in states.closed and self.phase != "closed":
            if self.phase == "open":
                self.emit(row, EventType.RESOLVED, at=_resolution(row, self.at))
            self.emit(row, EventType.CLOSED)
            self.phase = "closed"

    def _respond_and_status(self, row: IncidentRow, states: StateMap) -> None:
        if not self.responded and row.state in states.responded:
            self.emit(row, EventType.RESPONDED)
            self.responded = True
        status = states.statuses[row.state]
        if status != self.status:
            self.emit(row, EventType.STATUS_CHANGED, status=status)
            self.status = status

    def _attribute_changes(self, row: IncidentRow) -> None:
        seen = (row.priority, row.service, row.customer, row.group)
        if seen == self.last_seen:
            return
        self.last_seen = seen
        changes = {
            name: value
            for name, value in zip(_ATTRIBUTES, seen, strict=True)
            if value is not None and self.attributes.get(name) != value
        }
        if changes:
            self.attributes.update(changes)
            self.emit(row, EventType.ATTRIBUTES_CHANGED, changes=tuple(sorted(changes.items())))


def _resolution(row: IncidentRow, earliest: int) -> int:
    """When an incident closed without a resolved row: ``resolved_at`` if it fits, else the close."""
    if row.resolved_at is not None and earliest <= row.resolved_at <= row.updated_at:
        return row.resolved_at
    return row.updated_at


def incident_events(
    rows: list[IncidentRow], options: ServiceNowOptions
) -> tuple[list[TicketEvent], list[int], list[Rejection]]:
    """The events of one incident from its rows (any order), the line of the row of each, and
    the rows rejected (those in unknown states)."""
    ordered, rejections = in_update_order(rows)
    usable: list[IncidentRow] = []
    for row in ordered:
        if options.state_map.is_known(row.state):
            usable.append(row)
        else:
            message = f"{row.number}: incident_state {row.state!r} is not in the state map"
            rejections.append(Rejection(row.line, message))
    if not usable:
        return [], [], rejections
    incident = _Incident(usable[0], options)
    for row in usable:
        incident.apply(row)
    return incident.events, incident.lines, rejections


def convert_rows(
    rows: Iterable[IncidentRow | Rejection], options: ServiceNowOptions
) -> ServiceNowConversion:
    """Group rows by incident and convert each; events come out incident by incident."""
    result = ServiceNowConversion()
    incidents: dict[str, list[IncidentRow]] = {}
    for row in rows:
        result.rows_read += 1
        if isinstance(row, Rejection):
            result.rejections.append(row)
        else:
            incidents.setdefault(row.number, []).append(row)
    result.incidents = len(incidents)
    for number in sorted(incidents):
        events, lines, rejections = incident_events(incidents[number], options)
        result.events.extend(events)
        result.lines.extend(lines)
        result.rejections.extend(rejections)
        result.tickets += bool(events)
    result.rejections.sort(key=lambda rejection: rejection.line)
    return result


def convert_servicenow_file(
    path: Path, options: ServiceNowOptions | None = None
) -> ServiceNowConversion:
    """Read a ServiceNow incident log (plain or gzip CSV) into events; see the module rules."""
    options = options or ServiceNowOptions(state_map=load_state_map())
    with TextFile(path) as text:
        result = convert_rows(_with_unreadable(text, options), options)
    result.rejections = [Rejection(r.line, r.message, r.raw, str(path)) for r in result.rejections]
    return result


def _with_unreadable(
    text: TextFile, options: ServiceNowOptions
) -> Iterator[IncidentRow | Rejection]:
    """The file's rows, and its lines that cannot be read (not UTF-8, a broken-off gzip)."""
    for row in read_rows(text, options.columns, options.zone):
        yield from text.rejections()
        yield row
    yield from text.rejections()
