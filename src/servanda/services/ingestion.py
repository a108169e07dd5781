"""``record_events``: append a batch of ticket events idempotently and re-fold what they touch.

Rules (SEMANTICS "Ticket clocks" 10): identity is ``(source, id)``. An event
already stored with the same content is a duplicate and is ignored; the same
identity with other content is a conflict and is refused (the first one seen —
stored, or earlier in the batch — wins). One batch is one transaction: its new
events, the re-folded measurements of every ticket they touch (each ticket
folded once per batch, against the revision in force at its creation), the
tickets' attributes and the newly due transitions commit together or not at all.

A touched ticket that existed before is re-folded from its whole history: the
earlier events come from the evaluator's per-process ``HistoryCache`` when the
remembered history has as many events as the ticket's stored ``event_count``
(read under its row lock), otherwise from the event log.

Unknown values (``services.vocabulary``): with a ``ValueChecker`` every event
is checked before anything is stored; its findings come back per identity.
An event with an error (a value outside a declared vocabulary) — with
``strict_values`` also one with a warning — is refused: it is not stored and
nothing of it is folded, as if it had not been sent.

Concurrency: events are appended in identity order, then the touched tickets
are locked in id order before their histories are read, so of two batches that
touch one ticket the one that commits last folds the events of both. A
deadlock or serialization failure (``StorageContentionError``) retries the
whole batch, which is safe because it is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from servanda.domain.clock.measurement import iso
from servanda.domain.errors import EventError
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.vocabulary import Finding, FindingCode, Severity
from servanda.services.evaluation import Evaluator, RefoldOutcome
from servanda.services.ports import (
    Identity,
    StorageContentionError,
    TicketPin,
    Transition,
    TransitionKind,
    UnitOfWork,
    UnitOfWorkFactory,
)
from servanda.services.vocabulary import ValueChecker, refusing

ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one batch did. ``conflicts`` were refused; everything else is stored."""

    received: int
    new: int
    duplicates: int
    conflicts: tuple[TicketEvent, ...]
    tickets: int
    measurements: int
    transitions: tuple[Transition, ...]
    touched: frozenset[str] = frozenset()  # the tickets that received new events
    created: frozenset[Identity] = frozenset()  # the identities this batch stored
    findings: Mapping[Identity, tuple[Finding, ...]] = field(default_factory=dict)
    """Unknown values per identity (only with a ``ValueChecker``); refused ones included."""
    refused: frozenset[Identity] = frozenset()  # refused for their values: not stored

    @property
    def breaches(self) -> int:
        """Breaches recorded by this batch (measurements that became breached)."""
        return sum(1 for t in self.transitions if t.kind is TransitionKind.BREACHED)


def record_events(
    uow_factory: UnitOfWorkFactory,
    evaluator: Evaluator,
    events: Sequence[TicketEvent],
    now: int,
    *,
    strict: bool = False,
    values: ValueChecker | None = None,
    strict_values: bool = False,
    recorded_at: int | None = None,
) -> BatchOutcome:
    """Store ``events`` (one transaction) and re-fold the tickets they touch at ``now``.

    With ``strict`` a conflicting duplicate raises ``EventError`` and nothing of
    the batch is stored. With ``values`` unknown values are reported, and
    refused as the module docstring says (``strict_values``: warnings too).
    New transitions are recorded at ``recorded_at`` (default ``now``): a webhook
    subscription receives the transitions recorded after it was created, so an
    import folding at a past ``now`` notifies by recording them at the present.
    """
    policy = (values, strict_values)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _record_once(
                uow_factory,
                evaluator,
                events,
                (now, now if recorded_at is None else recorded_at),
                strict=strict,
                policy=policy,
            )
        except StorageContentionError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _record_once(
    uow_factory: UnitOfWorkFactory,
    evaluator: Evaluator,
    events: Sequence[TicketEvent],
    instants: tuple[int, int],
    *,
    strict: bool,
    policy: tuple[ValueChecker | None, bool],
) -> BatchOutcome:
    now, recorded_at = instants
    unique: dict[Identity, TicketEvent] = {}
    conflicts: list[TicketEvent] = []
    duplicates = 0
    for event in events:
        prior = unique.setdefault((event.source, event.id), event)
        if prior is not event:
            if prior == event:
                duplicates += 1
            else:
                conflicts.append(event)
    batch = [unique[identity] for identity in sorted(unique)]
    histories = _by_ticket(batch)
    prefolded = (
        evaluator.prefold(uow_factory, histories, now) if batch and evaluator.prefolds else None
    )
    with uow_factory() as uow:
        findings, refused = _check_values(uow, batch, policy)
        if refused:
            dropped = {event.ticket for event in batch if event.identity in refused}
            batch = [event for event in batch if event.identity not in refused]
            histories = _by_ticket(batch)
            prefolded = prefolded.without(dropped) if prefolded is not None else None
        new = uow.events.add_new(batch)
        if len(new) < len(batch):
            old = [event for event in batch if (event.source, event.id) not in new]
            stored = uow.events.existing([(event.source, event.id) for event in old])
            for event in old:
                if stored.get((event.source, event.id)) == event:
                    duplicates += 1
                else:
                    conflicts.append(event)
        if strict and conflicts:
            raise EventError(_describe_conflicts(conflicts))
        fresh = [e for e in batch if (e.source, e.id) in new] if len(new) < len(batch) else batch
        touched = {event.ticket for event in fresh}
        refolded = RefoldOutcome(0, 0, ())
        if touched:
            existed = uow.tickets.lock(touched)
            complete = _complete_histories(evaluator, fresh, existed, histories)
            if prefolded is not None:
                prefolded = prefolded.without(existed)
            refolded = evaluator.refold(
                uow, touched, now, complete, prefolded, existed, recorded_at=recorded_at
            )
        uow.commit()
        evaluator.histories.remember(refolded.histories)
    return BatchOutcome(
        received=len(events),
        new=len(new),
        duplicates=duplicates,
        conflicts=tuple(conflicts),
        tickets=refolded.tickets,
        measurements=refolded.measurements,
        transitions=refolded.transitions,
        touched=frozenset(touched),
        created=frozenset(new),
        findings=findings,
        refused=refused,
    )


def _check_values(
    uow: UnitOfWork, batch: Sequence[TicketEvent], policy: tuple[ValueChecker | None, bool]
) -> tuple[dict[Identity, tuple[Finding, ...]], frozenset[Identity]]:
    """The batch's unknown values and creations before every revision, and the identities to
    refuse for them."""
    checker, strict_values = policy
    findings = dict(checker.check_events(uow, batch)) if checker is not None else {}
    for identity, early in _created_too_early(uow, batch).items():
        findings[identity] = (*findings.get(identity, ()), early)
    return findings, refusing(findings, strict=strict_values)


def _created_too_early(uow: UnitOfWork, batch: Sequence[TicketEvent]) -> dict[Identity, Finding]:
    """``created`` events dated before every revision's effective date: no definitions were in
    force, so the ticket cannot be measured; each is refused with what to do about it."""
    history = uow.revisions.history()
    if not history:
        return {}
    first = min(history, key=lambda r: r.effective_from)
    found = {}
    for event in batch:
        if event.type is EventType.CREATED and event.at < first.effective_from:
            message = (
                f"{event.ticket}: created at {iso(event.at)}, before the earliest definitions "
                f"(revision {first.id}, effective from {iso(first.effective_from)}): apply "
                "definitions effective from an earlier date first (servanda definitions apply "
                "--effective-from DATE)"
            )
            found[event.identity] = Finding(
                FindingCode.CREATED_BEFORE_DEFINITIONS, Severity.ERROR, "created",
                iso(event.at) or "", message,
            )  # fmt: skip
    return found


def _by_ticket(events: Sequence[TicketEvent]) -> dict[str, list[TicketEvent]]:
    histories: dict[str, list[TicketEvent]] = {}
    for event in events:
        histories.setdefault(event.ticket, []).append(event)
    return histories


def _complete_histories(
    evaluator: Evaluator,
    fresh: Sequence[TicketEvent],
    existed: Mapping[str, TicketPin],
    batch: Mapping[str, Sequence[TicketEvent]],
) -> dict[str, list[TicketEvent]]:
    """The touched tickets whose whole history is at hand without reading the event log: a
    ticket new with this batch, or one whose earlier history this process remembers."""
    complete: dict[str, list[TicketEvent]] = {}
    for event in fresh:
        complete.setdefault(event.ticket, []).append(event)
    for ticket in list(complete):
        if ticket in existed:
            earlier = evaluator.histories.get(ticket, existed[ticket].event_count)
            if earlier is None:
                del complete[ticket]  # read its stored events back
            else:
                complete[ticket] = [*earlier, *complete[ticket]]
        elif len(complete[ticket]) != len(batch[ticket]):
            del complete[ticket]  # some of its events were stored before: read them back
    return complete


def _describe_conflicts(conflicts: Sequence[TicketEvent]) -> str:
    shown = ", ".join(f"{e.source}/{e.id}" for e in conflicts[:5])
    more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
    return (
        f"{len(conflicts)} event(s) reuse an identity already taken by other content: {shown}{more}"
    )
