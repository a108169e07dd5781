"""Service credits and bonuses: what a period's levels cost or earn, line by line.

Rules (SEMANTICS "Periods, compliance and money" 5, docs/reports.md):
- For each objective of an agreement whose metric has a credit schedule, the
  objective's level in the period (attainment, availability as fractions; the
  mean rating for satisfaction) picks a band: the lowest band reached applies
  (``CreditSchedule.band_for``). No items means no level and no credit.
- The fee a credit is a share of: the monthly fees of the services the
  agreement covers that the customer pays for (all the customer's services when
  the agreement names none), per currency.
- A per-agreement ``cap`` (share of that fee) limits the agreement's credits; a
  cap line takes the excess back. Bonuses are bands too: per objective the
  highest ``at_least`` reached applies; ``bonus_cap`` limits them.
- Amounts are exact ``Decimal`` money; totals are rounded half-up to the
  currency's minor unit once, from the exact sum — never the sum of rounded
  lines. A credit is owed to the customer, a bonus to the provider; net is
  credits minus bonuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from servanda.domain.agreements import (
    Agreement,
    BonusBand,
    CreditBand,
    Customer,
    Metric,
    Objective,
)
from servanda.domain.compliance import percent
from servanda.domain.money import Money, total, zero


class LineKind(StrEnum):
    CREDIT = "credit"
    CREDIT_CAP = "credit_cap"
    BONUS = "bonus"
    BONUS_CAP = "bonus_cap"
    NONE = "none"  # an objective that earned neither: listed so every objective is accounted for


@dataclass(frozen=True, slots=True)
class ObjectiveLevel:
    """What one objective reached for one customer in one period (``None``: no items)."""

    objective_key: str  # agreement/objective
    metric: Metric
    level: Decimal | None
    basis: str = ""  # how the level came about, e.g. "12 met, 1 breached"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a credit statement: an exact amount and the sentence that explains it."""

    kind: LineKind
    agreement: str
    objective_key: str | None
    metric: Metric | None
    level: Decimal | None
    threshold: Decimal | None  # the band's ``below`` or the bonus's ``at_least``
    rate: Decimal  # share of the fee
    fee: Money
    services: tuple[str, ...]
    amount: Money  # exact; credits and bonuses positive, cap lines negative
    reason: str

    @property
    def is_credit(self) -> bool:
        return self.kind in (LineKind.CREDIT, LineKind.CREDIT_CAP)

    @property
    def is_bonus(self) -> bool:
        return self.kind in (LineKind.BONUS, LineKind.BONUS_CAP)


@dataclass(frozen=True, slots=True)
class CreditStatement:
    """Every credit and bonus line of one customer in one period, and rounded totals per currency."""

    customer: str
    period: str
    lines: tuple[StatementLine, ...]

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


def covered_fees(
    customer: Customer, agreement: Agreement
) -> dict[str, tuple[Money, tuple[str, ...]]]:
    """Per currency: the monthly fees of the agreement's services this customer pays, and those services."""
    found: dict[str, tuple[Money, tuple[str, ...]]] = {}
    for fee in sorted(customer.fees, key=lambda f: f.service):
        if agreement.services and fee.service not in agreement.services:
            continue
        money = Money(fee.amount, fee.currency)
        if fee.currency in found:
            base, services = found[fee.currency]
            found[fee.currency] = (base + money, (*services, fee.service))
        else:
            found[fee.currency] = (money, (fee.service,))
    return found


def credit_statement(
    customer: Customer,
    agreements: Sequence[Agreement],
    levels: Mapping[str, ObjectiveLevel],
    period: str,
) -> CreditStatement:
    """The statement of ``customer`` for ``period``.

    ``levels`` holds, by ``agreement/objective`` key, the level of every
    objective that applies to this customer in the period (objectives absent
    from it do not apply and get no line).
    """
    lines: list[StatementLine] = []
    for agreement in agreements:
        if agreement.credits is None:
            continue
        for fee, services in covered_fees(customer, agreement).values():
            lines.extend(agreement_lines(agreement, fee, services, levels))
    return CreditStatement(customer.id, period, tuple(lines))


def agreement_lines(
    agreement: Agreement,
    fee: Money,
    services: tuple[str, ...],
    levels: Mapping[str, ObjectiveLevel],
) -> list[StatementLine]:
    """Credit, cap, bonus and bonus-cap lines of one agreement against one fee base."""
    policy = agreement.credits
    assert policy is not None
    base = _LineBase(agreement.id, fee, services)
    credit_lines: list[StatementLine] = []
    bonus_lines: list[StatementLine] = []
    for objective in agreement.objectives:
        level = levels.get(f"{agreement.id}/{objective.id}")
        if level is None:
            continue
        schedule = next((s for s in policy.schedules if s.metric is objective.metric), None)
        bonus_bands = [b for b in policy.bonuses if b.metric is objective.metric]
        if schedule is None and not bonus_bands:
            continue
        credit = base.credit(
            level, schedule.band_for(level.level) if schedule and level.level is not None else None
        )
        bonus = base.bonus(level, _best_bonus(bonus_bands, level.level))
        if credit is not None:
            credit_lines.append(credit)
        if bonus is not None:
            bonus_lines.append(bonus)
        if credit is None and bonus is None:
            credit_lines.append(base.nothing(level, objective, schedule is not None))
    lines = credit_lines + _capped(base, credit_lines, policy.cap, LineKind.CREDIT_CAP)
    return lines + bonus_lines + _capped(base, bonus_lines, policy.bonus_cap, LineKind.BONUS_CAP)


def _best_bonus(bands: Sequence[BonusBand], level: Decimal | None) -> BonusBand | None:
    if level is None:
        return None
    reached = [band for band in bands if level >= band.at_least]
    return max(reached, key=lambda band: band.at_least) if reached else None


def _capped(
    base: _LineBase, lines: Sequence[StatementLine], cap: Decimal | None, kind: LineKind
) -> list[StatementLine]:
    """A line taking back what exceeds ``cap`` of the fee, or nothing when under it."""
    if cap is None or not lines:
        return []
    limit = base.fee.times(cap)
    exact = total((line.amount for line in lines), base.fee.currency)
    if exact.amount <= limit.amount:
        return []
    what = "credits" if kind is LineKind.CREDIT_CAP else "bonuses"
    reason = f"{what} of {base.agreement} capped at {percent(cap)} of {base.fee} ({limit}); {exact} reduced"
    return [
        StatementLine(
            kind,
            base.agreement,
            None,
            None,
            None,
            cap,
            cap,
            base.fee,
            base.services,
            limit - exact,
            reason,
        )
    ]


@dataclass(frozen=True, slots=True)
class _LineBase:
    agreement: str
    fee: Money
    services: tuple[str, ...]

    def credit(self, level: ObjectiveLevel, band: CreditBand | None) -> StatementLine | None:
        if band is None or level.level is None:
            return None
        shown = format_level(level.metric, level.level)
        reason = (
            f"{level.metric.value} {shown} is below {format_level(level.metric, band.below)}: "
            f"{percent(band.credit)} of {self.fee} ({', '.join(self.services)})"
        )
        return self._line(LineKind.CREDIT, level, band.below, band.credit, reason)

    def bonus(self, level: ObjectiveLevel, band: BonusBand | None) -> StatementLine | None:
        if band is None or level.level is None:
            return None
        shown = format_level(level.metric, level.level)
        reason = (
            f"{level.metric.value} {shown} reached {format_level(level.metric, band.at_least)}: "
            f"bonus of {percent(band.bonus)} of {self.fee} ({', '.join(self.services)})"
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
        return self._line(LineKind.NONE, level, None, Decimal(0), reason)

    def _line(
        self,
        kind: LineKind,
        level: ObjectiveLevel,
        threshold: Decimal | None,
        rate: Decimal,
        reason: str,
    ) -> StatementLine:
        amount = self.fee.times(rate) if kind is not LineKind.NONE else zero(self.fee.currency)
        return StatementLine(
            kind, self.agreement, level.objective_key, level.metric, level.level, threshold,
            rate, self.fee, self.services, amount, reason,
        )  # fmt: skip


def format_level(metric: Metric, level: Decimal) -> str:
    """A mean rating as a number (``4.25``), every other level as a percentage (``99.95%``)."""
    if metric is Metric.SATISFACTION:
        return f"{level.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return percent(level, places=3)
