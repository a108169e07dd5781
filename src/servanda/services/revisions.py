"""Definitions revisions: apply a definitions set, list the history, diff two revisions.

Rules (docs/definitions.md "Revisions"):
- A revision is immutable. ``apply_definitions`` stores a new one only when the
  content (its canonical snapshot's hash) differs from the latest revision's;
  re-applying unchanged definitions is a no-op that names the revision in force.
- ``effective_from`` is an instant (epoch seconds, UTC) from which newly created
  tickets are measured by the revision. Without one, the first revision of a
  database is effective from ``BEGINNING`` (it measures every ticket there will
  be) and a later one from the apply instant; ``AppliedRevision.defaulted`` says
  which default was taken, so the caller can say so.
- A stored ticket keeps the revision that measured it. A revision effective
  from before some stored tickets' creation would measure them
  (``affected_tickets``); the apply then needs an explicit choice: re-measure
  them now (``remeasure=True``: in the same transaction as the revision, so a
  crash leaves the old figures or the new ones, never a mix) or keep their
  figures (``remeasure=False``). Without a choice nothing is stored
  (``RemeasureChoiceRequiredError``). Either way the choice is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from servanda.domain.agreements import Definitions
from servanda.domain.errors import ConflictError, DefinitionError, Issue
from servanda.domain.instants import is_supported, unsupported
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.evaluation import Evaluator, RevisionSchedule
from servanda.services.ports import RevisionSummary, TicketPin, UnitOfWork, UnitOfWorkFactory

BEGINNING = 0
"""1970-01-01T00:00:00Z: where the first revision of a database starts by default."""

REMEASURE_CHUNK = 500
Progress = Callable[[int, int], None]
"""Called with (tickets re-measured so far, tickets to re-measure)."""


class EffectiveDefault(StrEnum):
    """Which default gave a revision its ``effective_from`` (none: the caller chose it)."""

    BEGINNING = "beginning"  # the first revision of the database
    NOW = "now"  # a later revision, applied without --effective-from


class RemeasureChoiceRequiredError(ConflictError):
    """The revision would measure stored tickets: re-measure them, or keep their figures."""

    code = "remeasure_choice_required"

    def __init__(self, message: str, affected: int) -> None:
        super().__init__(message)
        self.affected = affected


@dataclass(frozen=True, slots=True)
class AppliedRevision:
    revision: RevisionSummary
    created: bool  # False: the content equals the latest revision's, nothing was stored
    defaulted: EffectiveDefault | None = None
    affected: int = 0  # stored tickets the revision would measure
    remeasured: int = 0  # of those, re-measured now (the rest keep their revision)
    audit: AuditEntry | None = None


INSTANT_OUT_OF_RANGE = "instant_out_of_range"


def check_effective_from(effective_from: int | None, shown: str | None = None) -> None:
    """Refuse an ``effective_from`` outside the supported instants (``domain.instants``).

    Called before anything is read or stored: a revision effective from 1900 or
    from year 9999 would be stored and then break every answer that shows it.
    ``shown`` is the caller's own spelling of the instant, for the message.
    """
    if effective_from is None or is_supported(effective_from):
        return
    message = unsupported("effective_from", shown or f"{effective_from} (epoch seconds)")
    raise DefinitionError([Issue(message, path="effective_from", code=INSTANT_OUT_OF_RANGE)])


def default_effective_from(
    history: list[RevisionSummary], now: int
) -> tuple[int, EffectiveDefault]:
    """The first revision starts at the beginning; later ones at ``now``."""
    if not history:
        return BEGINNING, EffectiveDefault.BEGINNING
    return now, EffectiveDefault.NOW


def affected_tickets(
    uow: UnitOfWork, history: list[RevisionSummary], effective_from: int
) -> dict[str, TicketPin]:
    """The stored tickets a new revision effective from ``effective_from`` would measure.

    That is every stored ticket whose creation instant the new revision would be
    in force at: from ``effective_from`` up to the next later revision's start (a
    revision applied later wins a tie). When the new revision would be the
    earliest, tickets created before it that fell back to the earliest revision
    are among them too.
    """
    new_id = max((r.id for r in history), default=0) + 1
    pending = RevisionSummary(new_id, "", effective_from, 0, "")
    schedule = RevisionSchedule([*history, pending])
    later = [r.effective_from for r in history if r.effective_from > effective_from]
    earliest = min((r.effective_from for r in history), default=effective_from)
    start = -(2**62) if effective_from <= earliest else effective_from
    found = uow.tickets.created_between(start, min(later) if later else None)
    return {
        ticket: pin
        for ticket, pin in found.items()
        if pin.created_at is not None and schedule.revision_at(pin.created_at) == new_id
    }


def apply_definitions(
    uow_factory: UnitOfWorkFactory,
    definitions: Definitions,
    *,
    fingerprint: Callable[[Definitions], str],
    now: int,
    effective_from: int | None = None,
    comment: str = "",
    sources: dict[str, str] | None = None,
    remeasure: bool | None = None,
    evaluator: Evaluator | None = None,
    author: str = "",
    progress: Progress | None = None,
    allow_empty: bool = False,
) -> AppliedRevision:
    """Store ``definitions`` as a new revision unless they equal the latest one.

    ``remeasure`` is the caller's choice for stored tickets the revision would
    measure (see the module docstring); ``evaluator`` folds them when it is True.
    Definitions without any agreement are refused unless ``allow_empty``: from
    their effective date on, no ticket would get a clock. Everything is checked
    before the transaction stores anything; the revision, the re-measured
    tickets and the audit entry are one transaction.
    """
    check_effective_from(effective_from)
    if not definitions.agreements and not allow_empty:
        raise DefinitionError(
            [
                Issue(
                    "the definitions hold no agreement: from their effective date no ticket "
                    "would get a clock (apply them with --allow-empty / allow_empty=true if "
                    "that is what you want)"
                )
            ]
        )
    content_hash = fingerprint(definitions)
    with uow_factory() as uow:
        uow.tickets.lock_all()  # no ticket is measured by the old schedule meanwhile
        history = uow.revisions.history()
        latest = max(history, key=lambda r: r.id) if history else None
        if latest is not None and latest.content_hash == content_hash:
            return AppliedRevision(latest, created=False)
        defaulted: EffectiveDefault | None = None
        if effective_from is None:
            effective_from, defaulted = default_effective_from(history, now)
        affected = affected_tickets(uow, history, effective_from)
        if affected and remeasure is None:
            raise RemeasureChoiceRequiredError(
                f"the revision would measure {len(affected):,} stored ticket(s) created from "
                "its effective date on: re-measure them now (--remeasure) or keep their "
                "figures (--no-remeasure)",
                len(affected),
            )
        stored = uow.revisions.add(
            definitions,
            content_hash=content_hash,
            effective_from=effective_from,
            applied_at=now,
            comment=comment,
            sources=dict(sources or {}),
        )
        remeasured = 0
        if affected and remeasure:
            if evaluator is None:
                raise ValueError("re-measuring needs the evaluator")
            remeasured = _remeasure(uow, evaluator, affected, stored.id, now, progress)
        entry = uow.audit.add(
            _applied_entry(stored, author, comment, defaulted, len(affected), remeasured)
        )
        uow.commit()
    return AppliedRevision(stored, True, defaulted, len(affected), remeasured, entry)


def _remeasure(
    uow: UnitOfWork,
    evaluator: Evaluator,
    affected: Mapping[str, TicketPin],
    revision_id: int,
    now: int,
    progress: Progress | None,
) -> int:
    """Re-fold the affected tickets under the new revision, in chunks, inside ``uow``."""
    ids = sorted(affected)
    done = 0
    for start in range(0, len(ids), REMEASURE_CHUNK):
        chunk = ids[start : start + REMEASURE_CHUNK]
        uow.tickets.lock(chunk)
        evaluator.remeasure(uow, {t: affected[t] for t in chunk}, revision_id, now)
        done += len(chunk)
        if progress is not None:
            progress(done, len(ids))
    return done


def _applied_entry(
    revision: RevisionSummary,
    author: str,
    comment: str,
    defaulted: EffectiveDefault | None,
    affected: int,
    remeasured: int,
) -> AuditEntry:
    from servanda.domain.clock.measurement import iso

    if not affected:
        outcome = "no stored ticket affected"
    elif remeasured:
        outcome = f"re-measured {remeasured} stored ticket(s)"
    else:
        outcome = f"kept the figures of {affected} stored ticket(s) (--no-remeasure)"
    details: dict[str, object] = {
        "revision": revision.id,
        "content_hash": revision.content_hash,
        "effective_from": iso(revision.effective_from),
        "effective_default": defaulted.value if defaulted else "given",
        "affected_tickets": affected,
        "remeasured_tickets": remeasured,
        "outcome": outcome,
    }
    return AuditEntry.of(
        revision.applied_at,
        author,
        AuditAction.DEFINITIONS_APPLIED,
        f"revision {revision.id}",
        comment,
        details,
    )


def known_customers(uow_factory: UnitOfWorkFactory) -> frozenset[str]:
    """Every customer any stored revision names."""
    with uow_factory() as uow:
        return frozenset(
            name
            for r in uow.revisions.history()
            for name in uow.revisions.definitions(r.id).customers
        )


def revision_history(uow_factory: UnitOfWorkFactory) -> list[RevisionSummary]:
    """Every revision, oldest first."""
    with uow_factory() as uow:
        return uow.revisions.history()


def revision_definitions(
    uow_factory: UnitOfWorkFactory, revision_id: int
) -> tuple[RevisionSummary, Definitions]:
    """A revision and its definitions; ``NotFoundError`` if it does not exist."""
    with uow_factory() as uow:
        return uow.revisions.get(revision_id), uow.revisions.definitions(revision_id)
