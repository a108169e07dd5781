"""``record_outages``: store outage and maintenance records idempotently, one transaction.

Identity is ``(source, id)``, as for events: a record already stored with the
same content is a duplicate and is ignored; the same identity with other
content is a conflict and is refused (the first one seen wins). With
``strict`` a conflict stores nothing and raises ``EventError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servanda.domain.errors import EventError
from servanda.domain.outages import Outage
from servanda.services.ports import Identity, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class OutageOutcome:
    received: int
    new: int
    duplicates: int
    conflicts: tuple[Outage, ...]


def record_outages(
    uow_factory: UnitOfWorkFactory, outages: Sequence[Outage], *, strict: bool = False
) -> OutageOutcome:
    """Store the outages not stored yet; report duplicates and conflicts."""
    unique: dict[Identity, Outage] = {}
    conflicts: list[Outage] = []
    duplicates = 0
    for outage in outages:
        prior = unique.setdefault(outage.identity, outage)
        if prior is not outage:
            if prior == outage:
                duplicates += 1
            else:
                conflicts.append(outage)
    with uow_factory() as uow:
        new = uow.outages.add_new(sorted(unique.values(), key=lambda o: o.identity))
        old = [outage for outage in unique.values() if outage.identity not in new]
        stored = uow.outages.existing([outage.identity for outage in old]) if old else {}
        for outage in old:
            if stored.get(outage.identity) == outage:
                duplicates += 1
            else:
                conflicts.append(outage)
        if strict and conflicts:
            shown = ", ".join(f"{o.source}/{o.id}" for o in conflicts[:5])
            raise EventError(
                f"{len(conflicts)} outage(s) reuse an identity taken by other content: {shown}"
            )
        uow.commit()
    return OutageOutcome(len(outages), len(new), duplicates, tuple(conflicts))
