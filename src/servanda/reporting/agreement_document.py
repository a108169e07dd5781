"""The agreement as a contract document (Markdown, HTML, PDF), from the definitions the engine enforces.

The document is derived, never written by hand: parties, services, targets per
priority, calendars with their holidays, pause rules, credits, responsibilities,
dates and review cadence all come from one ``Definitions``. Holidays listed are
those of the twelve months from the agreement's start (or from ``on``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from servanda.domain.agreements import Agreement, Definitions, Level, Metric, Objective, add_months
from servanda.domain.calendar.spec import ALWAYS_OPEN, WEEKDAYS, CalendarSpec, Holiday
from servanda.domain.display import format_duration, format_level, percent

if TYPE_CHECKING:
    from jinja2 import Environment

METRIC_NAMES = {
    Metric.FIRST_RESPONSE: "First response",
    Metric.NEXT_RESPONSE: "Next response",
    Metric.RESOLUTION: "Resolution",
    Metric.AVAILABILITY: "Availability",
    Metric.SATISFACTION: "Satisfaction",
}


@dataclass(frozen=True, slots=True)
class TargetCell:
    target: str
    goal: str
    calendar: str
    note: str  # conditions other than priority


@dataclass(frozen=True, slots=True)
class CalendarView:
    name: str
    description: str
    timezone: str
    hours: tuple[tuple[str, str], ...]  # (weekday, windows)
    holidays: tuple[Holiday, ...]
    exceptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    definitions: Definitions
    agreement: Agreement
    parties: tuple[str, ...]
    services: tuple[tuple[str, str, str], ...]  # (id, name, description)
    priorities: tuple[str, ...]
    ticket_metrics: tuple[Metric, ...]
    grid: dict[tuple[str, Metric], TargetCell]
    period_objectives: tuple[Objective, ...]  # availability, satisfaction
    calendars: tuple[CalendarView, ...]
    pause_on: tuple[str, ...]
    next_review: date | None


def describe(objective: Objective) -> str:
    if (
        objective.metric in (Metric.AVAILABILITY, Metric.SATISFACTION)
        and objective.target_value is not None
    ):
        return format_level(objective.metric, objective.target_value)
    return format_duration(objective.target_seconds or 0)


def _priorities(objective: Objective) -> frozenset[str] | None:
    for condition in objective.conditions:
        if condition.attribute == "priority":
            return condition.values
    return None


def _parties(definitions: Definitions, agreement: Agreement) -> tuple[str, ...]:
    if agreement.level is not Level.CUSTOMER:
        scope = (
            "every customer"
            if agreement.level is Level.CORPORATE
            else "every customer of the services below"
        )
        return (f"Provider: {definitions.provider or 'the provider'}", f"Customers: {scope}")
    names = [
        f"{c.name} ({c.id})"
        for c in definitions.customers.values()
        if c.id in agreement.customers or (c.group is not None and c.group in agreement.groups)
    ]
    groups = (
        f" — customers of the {', '.join(sorted(agreement.groups))} tier"
        if agreement.groups
        else ""
    )
    return (
        f"Provider: {definitions.provider or 'the provider'}",
        f"Customer{'s' if len(names) != 1 else ''}: {', '.join(names) or 'none yet'}{groups}",
    )


def _calendar(spec: CalendarSpec, first: date) -> CalendarView:
    last = add_months(first, 12)
    hours = []
    for index, windows in enumerate(spec.weekly):
        hours.append((WEEKDAYS[index].capitalize(), ", ".join(str(w) for w in windows) or "closed"))
    holidays = tuple(h for h in spec.holidays if first <= h.day < last)
    exceptions = tuple(
        f"{e.day.isoformat()}: {', '.join(str(w) for w in e.windows) or 'closed'}{' — ' + e.reason if e.reason else ''}"
        for e in spec.exceptions
        if first <= e.day < last
    )
    return CalendarView(
        spec.name, spec.description, spec.timezone, tuple(hours), holidays, exceptions
    )


def agreement_document(
    definitions: Definitions, agreement_id: str, on: date | None = None
) -> AgreementDocument:
    """The contract view of one agreement (``KeyError`` when it does not exist)."""
    agreement = definitions.agreement(agreement_id)
    start = on or agreement.effective_from or date(2026, 1, 1)
    services = tuple(
        (key, s.name, s.description)
        for key, s in sorted(definitions.services.items())
        if not agreement.services or key in agreement.services
    )
    ticket = [o for o in agreement.objectives if o.metric.is_ticket_clock]
    named = sorted({p for o in ticket for p in (_priorities(o) or ())})
    priorities = tuple(named) if named else ("all",)
    metrics = tuple(m for m in Metric if any(o.metric is m for o in ticket))
    grid: dict[tuple[str, Metric], TargetCell] = {}
    for objective in ticket:
        applies = _priorities(objective) or frozenset(priorities)
        others = " and ".join(str(c) for c in objective.conditions if c.attribute != "priority")
        for priority in applies:
            if (priority, objective.metric) in grid and not others:
                continue
            goal = percent(objective.goal) if objective.goal is not None else "–"
            grid[(priority, objective.metric)] = TargetCell(
                describe(objective), goal, objective.calendar, others
            )
    used = sorted({o.calendar for o in agreement.objectives} - {ALWAYS_OPEN})
    calendars = tuple(
        _calendar(definitions.calendars[name], start)
        for name in used
        if name in definitions.calendars
    )
    pause = set(agreement.pause_on)
    for objective in agreement.objectives:
        pause |= objective.pause_on
    return AgreementDocument(
        definitions,
        agreement,
        _parties(definitions, agreement),
        services,
        priorities,
        metrics,
        grid,
        tuple(o for o in agreement.objectives if not o.metric.is_ticket_clock),
        calendars,
        tuple(sorted(pause)),
        agreement.next_review(start),
    )


def _environment() -> Environment:
    from servanda.reporting.html import environment

    env = environment()
    env.globals.update(metric_name=lambda m: METRIC_NAMES[m], describe=describe)
    env.filters.update(level_text=lambda value, metric: format_level(metric, Decimal(value)))
    return env


def render_markdown(document: AgreementDocument) -> str:
    return str(
        _environment().get_template("agreement.md.j2").render(doc=document, a=document.agreement)
    )


def render_html(document: AgreementDocument) -> str:
    return str(
        _environment().get_template("agreement.html.j2").render(doc=document, a=document.agreement)
    )
