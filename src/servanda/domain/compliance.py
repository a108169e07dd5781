"""Compliance per objective and period: attainment, satisfaction and availability against targets.

Rules (SEMANTICS "Periods, compliance and money"):
- Attainment = met / (met + breached) over the measurements that concluded in
  the period (met at their stop, breached at their breach instant; cancelled,
  running and paused clocks never count). With no items it is ``None``, shown
  as "no items", never 100 % or 0 %.
- An objective passes when attainment >= goal (the boundary passes); an
  objective without a goal is informational (``no_goal``).
- Satisfaction = mean rating of the period's rated tickets; passes when the
  mean >= the target mean.
- Availability (``servanda.domain.availability``) passes when >= the target,
  judged by ``judge`` like every other level.
Fractions are exact ``Decimal``; changes are differences of fractions (0.02 is
two percentage points). Instants are epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from servanda.domain.agreements import Metric


class Status(StrEnum):
    """The traffic light of one figure."""

    PASS = "pass"
    FAIL = "fail"
    NO_ITEMS = "no_items"
    NO_GOAL = "no_goal"


def attainment(met: int, breached: int) -> Decimal | None:
    """``met / (met + breached)``; ``None`` when there are no items."""
    items = met + breached
    return Decimal(met) / Decimal(items) if items else None


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """``current - previous`` when both exist, else ``None`` (no change can be told)."""
    if current is None or previous is None:
        return None
    return current - previous


def judge(level: Decimal | None, goal: Decimal | None) -> Status:
    """Pass when ``level >= goal``; no items and no goal are their own states."""
    if level is None:
        return Status.NO_ITEMS
    if goal is None:
        return Status.NO_GOAL
    return Status.PASS if level >= goal else Status.FAIL


@dataclass(frozen=True, slots=True)
class Compliance:
    """One ticket objective for one customer (``None``: all) and service in one period."""

    objective_key: str  # agreement/objective
    metric: Metric
    customer: str | None
    service: str | None
    period: str
    met: int
    breached: int
    goal: Decimal | None
    target_seconds: int | None
    previous_met: int = 0
    previous_breached: int = 0
    timezone: str = "UTC"  # the reporting zone the period was cut in

    @property
    def agreement(self) -> str:
        return self.objective_key.split("/", 1)[0]

    @property
    def items(self) -> int:
        return self.met + self.breached

    @property
    def attainment(self) -> Decimal | None:
        return attainment(self.met, self.breached)

    @property
    def previous_attainment(self) -> Decimal | None:
        return attainment(self.previous_met, self.previous_breached)

    @property
    def change(self) -> Decimal | None:
        return change(self.attainment, self.previous_attainment)

    @property
    def status(self) -> Status:
        return judge(self.attainment, self.goal)


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Mean rating of one satisfaction objective for one customer and service in one period."""

    objective_key: str
    customer: str | None
    service: str | None
    period: str
    ratings: int
    rating_sum: Decimal
    target: Decimal | None
    previous_ratings: int = 0
    previous_rating_sum: Decimal = Decimal(0)
    timezone: str = "UTC"  # the reporting zone the period was cut in

    @property
    def mean(self) -> Decimal | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def previous_mean(self) -> Decimal | None:
        return self.previous_rating_sum / self.previous_ratings if self.previous_ratings else None

    @property
    def change(self) -> Decimal | None:
        return change(self.mean, self.previous_mean)

    @property
    def status(self) -> Status:
        return judge(self.mean, self.target)
