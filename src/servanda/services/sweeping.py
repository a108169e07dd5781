"""``sweep_due_clocks``: make time-driven transitions happen — warnings and breaches nobody pushed.

Rule (SEMANTICS "Ticket clocks" 8-9): a clock still running one second after
its deadline breaches at that second (also in closed time), and each warning
threshold fires once, whether or not an event arrives. The sweep claims tickets whose earliest measurement
``next_due_at <= now`` in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
concurrent workers share the work without waiting on each other), re-folds them
at ``now`` under the revision that measured them and records each transition
exactly once (the transitions table is unique per measurement, kind and
threshold). A ticket is re-folded at most once per sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

from servanda.services.evaluation import Evaluator
from servanda.services.ports import StorageContentionError, Transition, UnitOfWorkFactory

BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    tickets: int
    transitions: tuple[Transition, ...]


def sweep_due_clocks(
    uow_factory: UnitOfWorkFactory,
    evaluator: Evaluator,
    now: int,
    *,
    batch_size: int = BATCH_SIZE,
) -> SweepOutcome:
    """Re-fold every ticket with a clock due at or before ``now``; one transaction per batch."""
    seen: set[str] = set()
    recorded: list[Transition] = []
    while True:
        try:
            with uow_factory() as uow:
                pins = uow.tickets.claim_due(now, batch_size)
                claimed = [t for t in pins if t not in seen]
                if not claimed:
                    break
                outcome = evaluator.refold(uow, claimed, now, pins=pins)
                uow.commit()
        except StorageContentionError:
            continue  # another process held something we needed: claim again
        seen.update(claimed)
        recorded.extend(outcome.transitions)
    return SweepOutcome(len(seen), tuple(recorded))
