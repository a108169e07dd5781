"""The read model reports need: aggregates computed by the database, returned as plain rows.

Heavy figures (counts over millions of measurements, mean ratings) are grouped
in the database; a use case receives one row per group, never the measurements
themselves. ``windows`` are consecutive half-open periods ``[start, end)`` of
epoch seconds (UTC), oldest first, already cut in the reporting time zone; a
row's ``window`` is the index of the period it counts in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Window:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Scope:
    """Which tickets a query looks at.

    ``customers``: only these (``None``: any); ``exclude_customers``: none of
    these (tickets without a customer are kept); ``service`` and ``agreement``
    narrow further when given.
    """

    customers: tuple[str, ...] | None = None
    exclude_customers: tuple[str, ...] = ()
    service: str | None = None
    agreement: str | None = None


@dataclass(frozen=True, slots=True)
class ComplianceCount:
    """Met and breached items of one objective x customer x service in one window.

    ``previous_*`` are the counts of the same group in the window before
    (``0`` when that window had none), found with a window function.
    """

    window: int
    objective_key: str
    metric: str
    customer: str | None
    service: str | None
    met: int
    breached: int
    target_seconds: int | None
    previous_met: int
    previous_breached: int


@dataclass(frozen=True, slots=True)
class RatingCount:
    """How many tickets got ``score`` as their last rating in one window, per customer and service."""

    window: int
    customer: str | None
    service: str | None
    score: Decimal
    tickets: int


@dataclass(frozen=True, slots=True)
class BreachRow:
    """One breached measurement that concluded in the period, with the ticket's attributes."""

    ticket: str
    objective_key: str
    metric: str
    cycle: int
    customer: str | None
    service: str | None
    priority: str | None
    target_seconds: int
    elapsed_seconds: int
    started_at: int | None
    breached_at: int
    stopped_at: int | None
    revision_id: int | None


@dataclass(frozen=True, slots=True)
class TrailEvent:
    """One event of a ticket, for the drill-down appendix."""

    ticket: str
    at: int
    type: str
    detail: str


class ReportReadModel(Protocol):
    def compliance_counts(
        self, windows: Sequence[Window], scope: Scope
    ) -> list[ComplianceCount]: ...

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]: ...

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        """Breached measurements concluded in ``window``, by objective then breach instant."""
        ...

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        """Every event of ``tickets``, in event-time order."""
        ...
