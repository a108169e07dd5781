"""Closed periods: the values and the repository port (the use cases are ``services.closing``).

A closed period is one customer's reporting period (``2026-03`` in its
reporting zone) whose report inputs were frozen at the close
(``services.frozen_figures``); at most one close of a (customer, period) is in
force, and reopening ends it without deleting it. Besides the frozen inputs a
close keeps the net credits it stated (per currency) and the adjustments after
close of earlier periods it booked, so later statements never book an amount
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from servanda.services.frozen_figures import Recording


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    customer: str
    period: str  # the period's label (2026-03, 2026-Q1, ...) in the customer's zone
    start: int
    end: int
    closed_at: int
    closed_by: str
    reason: str
    revision_ceiling: int  # the newest revision when it closed
    content_hash: str  # SHA-256 of the frozen inputs' canonical text
    net_credits: tuple[tuple[str, Decimal], ...] = ()  # (currency, amount) as stated
    booked: tuple[tuple[str, str, Decimal], ...] = ()  # (period adjusted, currency, amount)
    id: int | None = None
    reopened_at: int | None = None
    reopened_by: str | None = None
    reopen_reason: str = ""

    @property
    def in_force(self) -> bool:
        return self.reopened_at is None

    def booked_for(self, period: str) -> dict[str, Decimal]:
        """Adjustments of ``period`` this close booked, per currency."""
        return {currency: amount for p, currency, amount in self.booked if p == period}


class ClosedPeriodRepository(Protocol):
    def add(self, closed: ClosedPeriod, snapshot: str) -> ClosedPeriod:
        """Store a close with its frozen inputs (``Recording.to_json()``); the stored value."""
        ...

    def in_force(self, customer: str | None = None) -> list[ClosedPeriod]:
        """Closes in force (of ``customer``, or of everyone), by customer then start."""
        ...

    def history(self, customer: str | None = None) -> list[ClosedPeriod]:
        """Every close, reopened ones included, oldest first."""
        ...

    def snapshot(self, closed_id: int) -> str: ...

    def reopen(self, closed_id: int, at: int, by: str, reason: str) -> ClosedPeriod: ...


class ClosedLookup(Protocol):
    """Which (customer, period) is closed, with its frozen inputs; what report sources consult."""

    def find(self, customer: str, period: str) -> tuple[ClosedPeriod, Recording] | None:
        """The close in force of ``customer``'s ``period`` (its label), with its frozen inputs."""
        ...

    def in_force(self, customer: str) -> list[ClosedPeriod]: ...

    def customers_closed(self, period: str) -> list[str]:
        """The customers for whom ``period`` (its label) is closed, sorted."""
        ...
