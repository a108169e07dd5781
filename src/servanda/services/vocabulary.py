"""Checking the values of a batch of events or outages against what the definitions know.

Rule: an event is checked against the known values (``domain.vocabulary``) of
the revision its ticket is measured by, chosen as the re-fold chooses it
(``RevisionSchedule.for_ticket``): a stored ticket keeps the revision it is
pinned to while no earlier ``created`` arrives; otherwise it is the revision
in force at the ticket's creation (the earliest ``created`` among the batch,
what the caller knows of the input, and the stored ticket), or at its earliest
event at hand when no ``created`` is known yet. An outage is checked against
the revision in force at its start. When every stored revision knows the same
values, which one applies does not matter and no ticket is looked up (the
usual case).

The known values of each revision are computed once per process and checker
(revisions are immutable). Statuses a state map produces are added by the
caller (``ValueChecker(statuses=...)``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from servanda.domain.availability import Outage
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.vocabulary import Finding, KnownValues, check_event, check_outage
from servanda.services.evaluation import RevisionSchedule
from servanda.services.ports import Identity, RevisionSummary, UnitOfWork

Findings = dict[Identity, tuple[Finding, ...]]
"""The findings of each checked item that has any, by identity ``(source, id)``."""


class ValueChecker:
    """Checks events' and outages' values; see the module docstring."""

    def __init__(self, statuses: Iterable[str] = ()) -> None:
        self.statuses = frozenset(statuses)
        self._known: dict[int, KnownValues] = {}
        self._lock = threading.Lock()

    def with_statuses(self, statuses: Iterable[str]) -> ValueChecker:
        """A checker that also knows ``statuses`` (those of an import's state map)."""
        return ValueChecker(self.statuses | frozenset(statuses))

    def known(
        self, uow: UnitOfWork, revisions: Sequence[RevisionSummary]
    ) -> dict[int, KnownValues]:
        """The known values of each of ``revisions`` (computed once per revision)."""
        found: dict[int, KnownValues] = {}
        for revision in revisions:
            with self._lock:
                known = self._known.get(revision.id)
            if known is None:
                known = KnownValues.of(uow.revisions.definitions(revision.id), self.statuses)
                with self._lock:
                    self._known[revision.id] = known
            found[revision.id] = known
        return found

    def uniform(self, uow: UnitOfWork) -> KnownValues | None:
        """The known values when every stored revision has the same ones, else ``None``
        (no revision stored: ``None`` too, nothing can be checked)."""
        revisions = uow.revisions.history()
        distinct = _distinct(self.known(uow, revisions).values())
        return distinct[0] if len(distinct) == 1 else None

    def check_events(
        self,
        uow: UnitOfWork,
        events: Sequence[TicketEvent],
        created: Mapping[str, int] | None = None,
    ) -> Findings:
        """The findings of ``events``; ``created`` holds creation instants the caller knows of
        tickets whose ``created`` event is not among ``events`` (a whole file, checked in parts)."""
        revisions = uow.revisions.history()
        if not revisions or not events:
            return {}
        known = self.known(uow, revisions)
        distinct = _distinct(known.values())
        if len(distinct) == 1:
            only = distinct[0]
            return {e.identity: found for e in events if (found := check_event(e, only))}
        schedule = RevisionSchedule(revisions)
        measured_by = _revisions_of(uow, events, created or {}, schedule)
        findings: Findings = {}
        for event in events:
            found = check_event(event, known[measured_by[event.ticket]])
            if found:
                findings[event.identity] = found
        return findings

    def check_outages(self, uow: UnitOfWork, outages: Sequence[Outage]) -> Findings:
        """The findings of ``outages``, each against the revision in force at its start."""
        revisions = uow.revisions.history()
        if not revisions or not outages:
            return {}
        known = self.known(uow, revisions)
        schedule = RevisionSchedule(revisions)
        findings: Findings = {}
        for outage in outages:
            found = check_outage(
                outage, known[schedule.revision_at(outage.start) or schedule.earliest]
            )
            if found:
                findings[outage.identity] = found
        return findings


def refusing(findings: Findings, *, strict: bool) -> frozenset[Identity]:
    """The items to refuse: those with an error, and with ``strict`` those with any finding."""
    return frozenset(
        identity
        for identity, found in findings.items()
        if strict or any(finding.is_error for finding in found)
    )


def _distinct(values: Iterable[KnownValues]) -> list[KnownValues]:
    distinct: list[KnownValues] = []
    for value in values:
        if value not in distinct:
            distinct.append(value)
    return distinct


def _revisions_of(
    uow: UnitOfWork,
    events: Sequence[TicketEvent],
    created: Mapping[str, int],
    schedule: RevisionSchedule,
) -> dict[str, int]:
    """Per ticket of ``events``: the revision that will measure it (module rule)."""
    earliest: dict[str, int] = {}
    creations: dict[str, int] = {}
    for event in events:
        ticket = event.ticket
        earliest[ticket] = min(event.at, earliest.get(ticket, event.at))
        if event.type is EventType.CREATED:
            creations[ticket] = min(event.at, creations.get(ticket, event.at))
    for ticket in earliest.keys() & created.keys():
        creations[ticket] = min(created[ticket], creations.get(ticket, created[ticket]))
    pins = uow.tickets.pins(list(earliest))
    measured_by: dict[str, int] = {}
    for ticket, first in earliest.items():
        pin, made = pins.get(ticket), creations.get(ticket)
        if pin is not None and pin.created_at is not None:
            if pin.revision_id is not None and (made is None or made >= pin.created_at):
                measured_by[ticket] = pin.revision_id  # kept: its creation is unchanged
                continue
            made = pin.created_at if made is None else min(made, pin.created_at)
        # Before every revision: refused at ingestion anyway (created_before_definitions).
        at = first if made is None else made
        measured_by[ticket] = schedule.revision_at(at) or schedule.earliest
    return measured_by
