"""``record_outages``: store outage and maintenance records idempotently, one transaction.

Identity is ``(source, id)``, as for events: a record already stored with the
same content is a duplicate and is ignored; the same identity with other
content is a conflict and is refused (the first one seen wins). With
``strict`` a conflict stores nothing and raises ``EventError``. With a
``ValueChecker`` the service and customers each record names are checked
(``services.vocabulary``); with ``strict_values`` a record naming an unknown
one is refused (not stored), otherwise it is stored and its findings returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from servanda.domain.availability import Outage
from servanda.domain.errors import EventError
from servanda.domain.vocabulary import Finding
from servanda.services.ports import Identity, UnitOfWorkFactory
from servanda.services.vocabulary import ValueChecker, refusing


@dataclass(frozen=True, slots=True)
class OutageOutcome:
    received: int
    new: int
    duplicates: int
    conflicts: tuple[Outage, ...]
    findings: Mapping[Identity, tuple[Finding, ...]] = field(default_factory=dict)
    refused: frozenset[Identity] = frozenset()  # refused for unknown values: not stored


def record_outages(
    uow_factory: UnitOfWorkFactory,
    outages: Sequence[Outage],
    *,
    strict: bool = False,
    values: ValueChecker | None = None,
    strict_values: bool = False,
) -> OutageOutcome:
    """Store the outages not stored yet; report duplicates, conflicts and unknown values."""
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
        findings = values.check_outages(uow, list(unique.values())) if values else {}
        refused = refusing(findings, strict=strict_values)
        for identity in refused:
            del unique[identity]
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
    return OutageOutcome(len(outages), len(new), duplicates, tuple(conflicts), findings, refused)
