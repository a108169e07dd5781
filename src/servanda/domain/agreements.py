"""Agreements, their objectives and consequences, and multi-level precedence.

An agreement is one SLA document at one level (corporate, service, customer).
Each objective is one promise: metric + conditions + target. For a ticket and
a metric, the objective that applies is the one of the most specific matching
layer (SEMANTICS "Multi-level precedence"):

    customer+service > customer > group+service > group > service > corporate

Layers below fill in the metrics a more specific layer leaves open. Two
matching objectives at the same specificity for the same metric are a
definitions error (found at load time by ``find_ambiguities``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum

from servanda.domain.calendar.spec import CalendarSpec


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"
    AVAILABILITY = "availability"
    SATISFACTION = "satisfaction"

    @property
    def is_ticket_clock(self) -> bool:
        """Measured per ticket by a business-time clock (vs per period)."""
        return self in TICKET_METRICS


TICKET_METRICS = frozenset({Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION})


class Level(StrEnum):
    CORPORATE = "corporate"
    SERVICE = "service"
    CUSTOMER = "customer"


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Specificity(IntEnum):
    """How specifically an agreement matched a ticket; higher wins."""

    CORPORATE = 1
    SERVICE = 2
    GROUP = 3
    GROUP_SERVICE = 4
    CUSTOMER = 5
    CUSTOMER_SERVICE = 6

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "+")


@dataclass(frozen=True, slots=True)
class Condition:
    """A ticket attribute must take one of ``values`` (compared as strings)."""

    attribute: str
    values: frozenset[str]

    def matches(self, attributes: Mapping[str, str]) -> bool:
        value = attributes.get(self.attribute)
        return value is not None and value in self.values

    def __str__(self) -> str:
        return f"{self.attribute} in {{{', '.join(sorted(self.values))}}}"


def conditions_overlap(a: Iterable[Condition], b: Iterable[Condition]) -> bool:
    """Whether some ticket could satisfy both condition sets.

    An attribute constrained on one side only is free on the other, so only
    attributes constrained on both sides can keep the sets apart.
    """
    left = {c.attribute: c.values for c in a}
    for cond in b:
        other = left.get(cond.attribute)
        if other is not None and not (other & cond.values):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Objective:
    """One promise inside an agreement.

    Units: ``target_seconds`` is business time on ``calendar`` (ticket metrics);
    ``target_value`` is a fraction for availability (0.999) or a mean score for
    satisfaction (4.5). ``goal`` and ``warn_at`` are fractions (0.95, 0.8).
    """

    id: str  # unique inside its agreement, e.g. "resolution-1"
    metric: Metric
    conditions: tuple[Condition, ...] = ()
    target_seconds: int | None = None
    target_value: Decimal | None = None
    calendar: str = "24x7"
    warn_at: tuple[Decimal, ...] = ()
    goal: Decimal | None = None
    period: Period = Period.MONTH
    pause_on: frozenset[str] = frozenset()
    description: str = ""

    def matches(self, attributes: Mapping[str, str]) -> bool:
        return all(c.matches(attributes) for c in self.conditions)

    def describe_conditions(self) -> str:
        return " and ".join(str(c) for c in self.conditions) or "all tickets"


@dataclass(frozen=True, slots=True)
class CreditBand:
    """Below ``below`` (a fraction: attainment or availability) the credit is ``credit`` of the fee."""

    below: Decimal
    credit: Decimal


@dataclass(frozen=True, slots=True)
class BonusBand:
    """At or above ``at_least`` on ``metric`` the provider earns ``bonus`` of the fee."""

    metric: Metric
    at_least: Decimal
    bonus: Decimal


@dataclass(frozen=True, slots=True)
class CreditSchedule:
    """Bands for one metric, ordered from the highest threshold to the lowest."""

    metric: Metric
    bands: tuple[CreditBand, ...]

    def band_for(self, level: Decimal) -> CreditBand | None:
        """The lowest band reached: the band with the smallest ``below`` that ``level`` is under."""
        reached = [band for band in self.bands if level < band.below]
        return min(reached, key=lambda band: band.below) if reached else None


@dataclass(frozen=True, slots=True)
class CreditPolicy:
    schedules: tuple[CreditSchedule, ...] = ()
    bonuses: tuple[BonusBand, ...] = ()
    cap: Decimal | None = None  # fraction of the fee bases of the credits it caps (domain.credits)
    bonus_cap: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Responsibilities:
    provider: tuple[str, ...] = ()
    customer: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Agreement:
    """One SLA document at one level, with its scope and its promises.

    Scope by level: ``corporate`` applies to every ticket; ``service`` to the
    tickets of ``services``; ``customer`` to the tickets of ``customers`` or of
    customers in ``groups``, narrowed to ``services`` when given.
    Effective dates are local dates in the definitions' time zone, both
    inclusive; ``None`` means open-ended.
    """

    id: str
    level: Level
    title: str
    objectives: tuple[Objective, ...]
    customers: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    version: str = ""
    description: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    review_every_months: int | None = None
    pause_on: frozenset[str] = frozenset()
    credits: CreditPolicy | None = None
    responsibilities: Responsibilities = field(default_factory=Responsibilities)

    def is_in_force(self, day: date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    def specificity_for(
        self, customer: str | None, group: str | None, service: str | None
    ) -> Specificity | None:
        """How specifically this agreement's scope matches a ticket, or ``None`` if it does not."""
        if self.services and service not in self.services:
            return None
        if self.level is Level.CORPORATE:
            return Specificity.CORPORATE
        if self.level is Level.SERVICE:
            return Specificity.SERVICE
        narrowed = bool(self.services)
        if customer is not None and customer in self.customers:
            return Specificity.CUSTOMER_SERVICE if narrowed else Specificity.CUSTOMER
        if group is not None and group in self.groups:
            return Specificity.GROUP_SERVICE if narrowed else Specificity.GROUP
        return None

    def next_review(self, after: date) -> date | None:
        """The first review date strictly after ``after``, counted from ``effective_from``."""
        if self.review_every_months is None or self.effective_from is None:
            return None
        step = self.review_every_months
        months = 0
        candidate = self.effective_from
        while candidate <= after:
            months += step
            candidate = add_months(self.effective_from, months)
        return candidate


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the end of a shorter month (Jan 31 + 1 -> Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    role: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Fee:
    """A recurring fee for one service, in ``currency`` (ISO 4217) per month."""

    service: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    group: str | None = None
    reporting_timezone: str = "UTC"
    contacts: tuple[Contact, ...] = ()
    fees: tuple[Fee, ...] = ()

    def fee_for(self, service: str) -> Fee | None:
        return next((fee for fee in self.fees if fee.service == service), None)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    description: str = ""
    owner: str = ""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The values tickets may take, where the definitions declare them (``vocabulary:``).

    ``None`` (or an attribute left out) means "not declared": the known values
    are then inferred from the rest of the definitions (``domain.vocabulary``).
    A declared list is exact: a value outside it is an error, not a warning.
    """

    priorities: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def is_declared(self) -> bool:
        return self.priorities is not None or self.statuses is not None or bool(self.attributes)


@dataclass(frozen=True, slots=True)
class Definitions:
    """A complete, validated definitions set: what one revision stores.

    ``timezone`` is the provider's home zone: effective dates are read in it,
    and it is the reporting zone of customers that name none. ``vocabulary``
    holds the ticket values the definitions declare (empty: none declared).
    """

    calendars: Mapping[str, CalendarSpec]
    services: Mapping[str, Service]
    customers: Mapping[str, Customer]
    agreements: tuple[Agreement, ...]
    timezone: str = "UTC"
    provider: str = ""
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def group_of(self, customer: str | None) -> str | None:
        found = self.customers.get(customer) if customer is not None else None
        return found.group if found is not None else None

    def agreement(self, agreement_id: str) -> Agreement:
        for agreement in self.agreements:
            if agreement.id == agreement_id:
                return agreement
        raise KeyError(agreement_id)
