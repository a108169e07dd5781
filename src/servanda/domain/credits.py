"""Service credits and bonuses: what a period's levels cost or earn, line by line.

Rules (SEMANTICS "Periods, compliance and money" 5, docs/reports.md):
- For each objective of an agreement whose metric has a credit schedule, the
  objective's level in the period (attainment, availability as fractions; the
  mean rating for satisfaction) picks a band: the lowest band reached applies
  (``CreditSchedule.band_for``). No items means no level and no credit.
- The fee base a credit or bonus is a share of: the monthly fees, per
  currency, of the services in scope of its objective (``objective_services``):
  the agreement's services (every service when it names none), narrowed by the
  objective's own ``when: service`` condition, that the customer pays for.
- A per-agreement ``cap`` limits the agreement's credits in each currency to a
  share of the union of the fee bases of the credit lines it caps (each service
  once); a cap line takes the excess back. Objectives that earned no credit do
  not widen it. Bonuses are bands too: per objective the highest ``at_least``
  reached applies; ``bonus_cap`` limits them in the same way.
- Amounts are exact ``Decimal`` money; totals are rounded half-up to the
  currency's minor unit once, from the exact sum — never the sum of rounded
  lines. A credit is owed to the customer, a bonus to the provider; net is
  credits minus bonuses.
- An *adjustment after close* corrects the net credits of an earlier, closed
  period that later events, revisions or re-measurements changed: its amount is
  that period's net credits now, less what its statement stated at the close,
  less adjustments of it already booked; it counts as a credit (negative when
  the customer is owed less) and names the closed period and its fee base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from servanda.domain.agreements import (
    Agreement,
    BonusBand,
    CreditBand,
    CreditPolicy,
    Customer,
    Metric,
    Objective,
)
from servanda.domain.display import format_level, percent
from servanda.domain.money import Money, total, zero


class LineKind(StrEnum):
    CREDIT = "credit"
    CREDIT_CAP = "credit_cap"
    BONUS = "bonus"
    BONUS_CAP = "bonus_cap"
    NONE = "none"  # an objective that earned neither: listed so every objective is accounted for
    ADJUSTMENT = "adjustment"  # a closed period's net credits recomputed since its close


@dataclass(frozen=True, slots=True)
class ObjectiveLevel:
    """What one objective reached for one customer in one period (``None``: no items)."""

    objective_key: str  # agreement/objective
    metric: Metric
    level: Decimal | None
    basis: str = ""  # how the level came about, e.g. "12 met, 1 breached"


@dataclass(frozen=True, slots=True)
class ServiceFee:
    """The monthly fee the customer pays for one service."""

    service: str
    fee: Money


@dataclass(frozen=True, slots=True)
class FeeBase:
    """The monthly fees a line is a share of: one currency, each service once, sorted by service."""

    currency: str
    fees: tuple[ServiceFee, ...]

    @property
    def total(self) -> Money:
        return total((item.fee for item in self.fees), self.currency)

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(item.service for item in self.fees)

    def union(self, other: FeeBase) -> FeeBase:
        """Both bases' services, each once (a service has one fee per customer)."""
        merged = {item.service: item for item in (*self.fees, *other.fees)}
        return FeeBase(self.currency, tuple(merged[name] for name in sorted(merged)))

    def __str__(self) -> str:
        """``EUR 3,000.00 (hosting)``; ``EUR 4,000.00 (email 1,000.00 + hosting 3,000.00)``."""
        if len(self.fees) == 1:
            return f"{self.total} ({self.fees[0].service})"
        parts = " + ".join(f"{item.service} {item.fee.digits()}" for item in self.fees)
        return f"{self.total} ({parts})"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a credit statement: an exact amount and the sentence that explains it."""

    kind: LineKind
    agreement: str
    objective_key: str | None
    metric: Metric | None
    level: Decimal | None
    threshold: Decimal | None  # the band's ``below`` or the bonus's ``at_least``
    rate: Decimal  # share of the fee base
    fee_base: FeeBase
    amount: Money  # exact; credits and bonuses positive, cap lines negative
    reason: str
    adjusts: str | None = None  # an adjustment's closed period (its label)

    @property
    def fee(self) -> Money:
        return self.fee_base.total

    @property
    def services(self) -> tuple[str, ...]:
        return self.fee_base.services

    @property
    def is_credit(self) -> bool:
        return self.kind in (LineKind.CREDIT, LineKind.CREDIT_CAP, LineKind.ADJUSTMENT)

    @property
    def is_bonus(self) -> bool:
        return self.kind in (LineKind.BONUS, LineKind.BONUS_CAP)


@dataclass(frozen=True, slots=True)
class CreditStatement:
    """Every credit and bonus line of one customer in one period, and rounded totals per currency.

    ``timezone`` is the customer's reporting zone, in which the period was cut.
    """

    customer: str
    period: str
    lines: tuple[StatementLine, ...]
    timezone: str = "UTC"

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({line.amount.currency for line in self.lines}))

    def credits(self, currency: str) -> Money:
        """Credits owed to the customer, rounded once from the exact sum."""
        chosen = (ln.amount for ln in self.lines if ln.is_credit and ln.amount.currency == currency)
        return total(chosen, currency).rounded()

    def bonuses(self, currency: str) -> Money:
        chosen = (ln.amount for ln in self.lines if ln.is_bonus and ln.amount.currency == currency)
        return total(chosen, currency).rounded()

    def net(self, currency: str) -> Money:
        """Credits minus bonuses, from the exact sums, rounded once."""
        exact = (
            ln.amount if ln.is_credit else -ln.amount
            for ln in self.lines
            if ln.amount.currency == currency and ln.kind is not LineKind.NONE
        )
        return total(exact, currency).rounded()

    def own_net(self, currency: str) -> Money:
        """``net`` of the period's own lines: adjustments of earlier periods left out."""
        own = CreditStatement(
            self.customer,
            self.period,
            tuple(ln for ln in self.lines if ln.kind is not LineKind.ADJUSTMENT),
            self.timezone,
        )
        return own.net(currency)

    @property
    def adjustments(self) -> tuple[StatementLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind is LineKind.ADJUSTMENT)


def adjustment_line(
    closed_period: str, amount: Money, fee_base: FeeBase, detail: str
) -> StatementLine:
    """The line correcting ``closed_period``'s net credits by ``amount`` (see the module rules)."""
    reason = f"adjustment after close of {closed_period}: {amount} ({detail}); fee base {fee_base}"
    return StatementLine(
        LineKind.ADJUSTMENT, "", None, None, None, None, Decimal(0), fee_base, amount, reason,
        closed_period,
    )  # fmt: skip


def objective_services(agreement: Agreement, objective: Objective) -> frozenset[str] | None:
    """The services in scope of ``objective``; ``None``: every service.

    The agreement's services (every service when it names none), narrowed by
    each ``when: service`` condition of the objective.
    """
    scope = agreement.services or None
    for condition in objective.conditions:
        if condition.attribute == "service":
            scope = condition.values if scope is None else scope & condition.values
    return scope


def fee_bases(customer: Customer, services: frozenset[str] | None) -> tuple[FeeBase, ...]:
    """Per currency (sorted): the customer's monthly fees for ``services`` (``None``: all)."""
    found: dict[str, list[ServiceFee]] = {}
    for fee in sorted(customer.fees, key=lambda f: f.service):
        if services is None or fee.service in services:
            item = ServiceFee(fee.service, Money(fee.amount, fee.currency))
            found.setdefault(fee.currency, []).append(item)
    return tuple(FeeBase(currency, tuple(found[currency])) for currency in sorted(found))


def credit_statement(
    customer: Customer,
    agreements: Sequence[Agreement],
    levels: Mapping[str, ObjectiveLevel],
    period: str,
) -> CreditStatement:
    """The statement of ``customer`` for ``period`` (cut in the customer's reporting zone).

    ``levels`` holds, by ``agreement/objective`` key, the level of every
    objective that applies to this customer in the period (objectives absent
    from it do not apply and get no line).
    """
    lines: list[StatementLine] = []
    for agreement in agreements:
        if agreement.credits is not None:
            lines.extend(agreement_lines(customer, agreement, levels))
    return CreditStatement(customer.id, period, tuple(lines), customer.reporting_timezone)


@dataclass(slots=True)
class _CurrencyLines:
    """One agreement's credit and bonus lines in one currency, before the caps."""

    credits: list[StatementLine] = field(default_factory=list)
    bonuses: list[StatementLine] = field(default_factory=list)

    def capped(self, agreement: str, policy: CreditPolicy) -> list[StatementLine]:
        """Credits, their cap line, bonuses, their cap line."""
        credit_cap = _capped(agreement, self.credits, policy.cap, LineKind.CREDIT_CAP)
        bonus_cap = _capped(agreement, self.bonuses, policy.bonus_cap, LineKind.BONUS_CAP)
        return self.credits + credit_cap + self.bonuses + bonus_cap


def agreement_lines(
    customer: Customer, agreement: Agreement, levels: Mapping[str, ObjectiveLevel]
) -> list[StatementLine]:
    """Credit, cap, bonus and bonus-cap lines of one agreement, per currency (sorted)."""
    policy = agreement.credits
    assert policy is not None
    by_currency: dict[str, _CurrencyLines] = {}
    for objective in agreement.objectives:
        level = levels.get(f"{agreement.id}/{objective.id}")
        if level is None:
            continue
        schedule = next((s for s in policy.schedules if s.metric is objective.metric), None)
        bonus_bands = [b for b in policy.bonuses if b.metric is objective.metric]
        if schedule is None and not bonus_bands:
            continue
        band = schedule.band_for(level.level) if schedule and level.level is not None else None
        best = _best_bonus(bonus_bands, level.level)
        for base in fee_bases(customer, objective_services(agreement, objective)):
            line = _LineBase(agreement.id, base)
            credits, bonuses = line.earned(level, band, best, objective, schedule is not None)
            found = by_currency.setdefault(base.currency, _CurrencyLines())
            found.credits += credits
            found.bonuses += bonuses
    return [
        line
        for currency in sorted(by_currency)
        for line in by_currency[currency].capped(agreement.id, policy)
    ]


def _best_bonus(bands: Sequence[BonusBand], level: Decimal | None) -> BonusBand | None:
    if level is None:
        return None
    reached = [band for band in bands if level >= band.at_least]
    return max(reached, key=lambda band: band.at_least) if reached else None


def _capped(
    agreement: str, lines: Sequence[StatementLine], cap: Decimal | None, kind: LineKind
) -> list[StatementLine]:
    """A line taking back what exceeds ``cap`` of the capped lines' fee bases, or nothing under it.

    The capped lines are those that earned money (credits, or bonuses); their
    fee bases are joined, each service once.
    """
    earned = [line for line in lines if line.kind is not LineKind.NONE]
    if cap is None or not earned:
        return []
    base = earned[0].fee_base
    for line in earned[1:]:
        base = base.union(line.fee_base)
    limit = base.total.times(cap)
    exact = total((line.amount for line in earned), base.currency)
    if exact.amount <= limit.amount:
        return []
    what = "credits" if kind is LineKind.CREDIT_CAP else "bonuses"
    reason = f"{what} of {agreement} capped at {percent(cap)} of {base} = {limit}; {exact} reduced"
    return [StatementLine(kind, agreement, None, None, None, cap, cap, base, limit - exact, reason)]


@dataclass(frozen=True, slots=True)
class _LineBase:
    agreement: str
    fee_base: FeeBase

    def earned(
        self,
        level: ObjectiveLevel,
        band: CreditBand | None,
        best: BonusBand | None,
        objective: Objective,
        scheduled: bool,
    ) -> tuple[list[StatementLine], list[StatementLine]]:
        """The objective's credit and bonus lines; a line saying so when it earned neither."""
        credit, bonus = self.credit(level, band), self.bonus(level, best)
        if credit is None and bonus is None:
            return [self.nothing(level, objective, scheduled)], []
        return ([credit] if credit else []), ([bonus] if bonus else [])

    def credit(self, level: ObjectiveLevel, band: CreditBand | None) -> StatementLine | None:
        if band is None or level.level is None:
            return None
        shown = format_level(level.metric, level.level)
        reason = (
            f"{level.metric.value} {shown} is below {format_level(level.metric, band.below)}: "
            f"{percent(band.credit)} of {self.fee_base}"
        )
        return self._line(LineKind.CREDIT, level, band.below, band.credit, reason)

    def bonus(self, level: ObjectiveLevel, band: BonusBand | None) -> StatementLine | None:
        if band is None or level.level is None:
            return None
        shown = format_level(level.metric, level.level)
        reason = (
            f"{level.metric.value} {shown} reached {format_level(level.metric, band.at_least)}: "
            f"bonus of {percent(band.bonus)} of {self.fee_base}"
        )
        return self._line(LineKind.BONUS, level, band.at_least, band.bonus, reason)

    def nothing(
        self, level: ObjectiveLevel, objective: Objective, scheduled: bool
    ) -> StatementLine:
        if level.level is None:
            reason = f"{objective.metric.value}: no items in the period, so no credit"
        elif scheduled:
            reason = (
                f"{objective.metric.value} {format_level(level.metric, level.level)} "
                "reached no credit band"
            )
        else:
            reason = f"{objective.metric.value} {format_level(level.metric, level.level)}: no bonus reached"
        reason += f"; fee base {self.fee_base}"
        return self._line(LineKind.NONE, level, None, Decimal(0), reason)

    def _line(
        self,
        kind: LineKind,
        level: ObjectiveLevel,
        threshold: Decimal | None,
        rate: Decimal,
        reason: str,
    ) -> StatementLine:
        fee = self.fee_base.total
        amount = fee.times(rate) if kind is not LineKind.NONE else zero(fee.currency)
        return StatementLine(
            kind, self.agreement, level.objective_key, level.metric, level.level, threshold,
            rate, self.fee_base, amount, reason,
        )  # fmt: skip
