"""Which objective applies to a ticket, per metric, and why — in words people read.

A thin presentation of ``domain.precedence.resolve_objectives``: for each metric
the winning objective with its agreement, level, target (as written: ``4h``,
``99.9%``, ``4.5``), calendar, goal, pause states, and the less specific
candidates it overrode with the reason. ``on`` is the ticket's creation date,
a local date in the definitions' time zone. Used by ``servanda definitions
explain`` and the demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from servanda.domain.agreements import Definitions, Metric, Objective
from servanda.domain.display import exact_percent, format_duration
from servanda.domain.errors import NotFoundError
from servanda.domain.precedence import AppliedObjective, TicketScope, resolve_objectives


@dataclass(frozen=True, slots=True)
class Explanation:
    """One metric's applicable objective, ready to print or serialise."""

    metric: Metric
    agreement: str
    agreement_title: str
    level: str
    specificity: str
    objective: str
    conditions: str
    target: str
    calendar: str
    goal: str | None
    warn_at: tuple[str, ...]
    period: str
    pause_on: tuple[str, ...]
    overridden: tuple[tuple[str, str, str], ...]  # (agreement id, objective id, reason)

    def as_json(self) -> dict[str, object]:
        return {
            "metric": self.metric.value,
            "agreement": self.agreement,
            "agreement_title": self.agreement_title,
            "level": self.level,
            "specificity": self.specificity,
            "objective": self.objective,
            "conditions": self.conditions,
            "target": self.target,
            "calendar": self.calendar,
            "goal": self.goal,
            "warn_at": list(self.warn_at),
            "period": self.period,
            "pause_on": list(self.pause_on),
            "overridden": [agreement for agreement, _, _ in self.overridden],
            "overridden_details": [
                {"agreement": agreement, "objective": objective, "reason": reason}
                for agreement, objective, reason in self.overridden
            ],
        }


def format_target(objective: Objective, *, always_open: bool = False) -> str:
    """The target as people write it: ``4h``, ``99.9%``, ``4.5``; days (``2d``) only on 24x7."""
    if objective.target_seconds is not None:
        return format_duration(objective.target_seconds, days=always_open)
    if objective.metric is Metric.AVAILABILITY and objective.target_value is not None:
        return exact_percent(objective.target_value)
    return format(objective.target_value or Decimal(0), "f")


def _explanation(applied: AppliedObjective, definitions: Definitions) -> Explanation:
    objective = applied.objective
    calendar = definitions.calendars.get(objective.calendar)
    always_open = calendar is not None and calendar.is_always_open
    return Explanation(
        metric=applied.metric,
        agreement=applied.agreement.id,
        agreement_title=applied.agreement.title,
        level=applied.agreement.level.value,
        specificity=applied.specificity.label,
        objective=objective.id,
        conditions=objective.describe_conditions(),
        target=format_target(objective, always_open=always_open),
        calendar=objective.calendar,
        goal=exact_percent(objective.goal) if objective.goal is not None else None,
        warn_at=tuple(exact_percent(level) for level in objective.warn_at),
        period=objective.period.value,
        pause_on=tuple(sorted(applied.pause_on)),
        overridden=tuple((o.agreement_id, o.objective_id, o.reason) for o in applied.overridden),
    )


def explain(
    definitions: Definitions,
    *,
    customer: str | None,
    service: str | None,
    attributes: Mapping[str, str],
    on: date,
) -> list[Explanation]:
    """The applicable objective per metric, in metric order; unknown names are an error."""
    if customer is not None and customer not in definitions.customers:
        known = ", ".join(sorted(definitions.customers)) or "none"
        raise NotFoundError(f"unknown customer {customer!r}; customers defined: {known}")
    if service is not None and service not in definitions.services:
        known = ", ".join(sorted(definitions.services)) or "none"
        raise NotFoundError(f"unknown service {service!r}; services defined: {known}")
    scope = TicketScope(customer=customer, service=service, attributes=dict(attributes))
    applied = resolve_objectives(definitions, scope, on)
    return [_explanation(item, definitions) for item in applied.values()]
