"""The demo's summary as terminal tables (rich): one per customer, rows grouped by agreement.

Percentages are rounded half-up for display (``servanda.domain.display.percent``:
two places for attainment and goals, three for availability); mean ratings to
two places; downtime in minutes to one decimal; money as the statement shows
it. ``summary.json`` keeps the exact values. The caption's "objectives met"
is the customer report's cover count, over the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich import box
from rich.table import Table

from servanda.demo.summary import AvailabilityFigure, CustomerSummary, ObjectiveFigure
from servanda.domain.agreements import Metric
from servanda.domain.display import format_level, percent

SUMMARY_COLUMNS = (
    ("objective", False),
    ("target", False),
    ("goal", True),
    ("met", True),
    ("breached", True),
    ("attained", True),
    ("ratings", True),
    ("mean", True),
    ("status", True),
)
STATUS = {"pass": "met", "fail": "MISSED", "no_items": "no items", "no_goal": "-"}

Row = tuple[str, str, str, str, str, str, str, str, str]


def customer_table(customer: CustomerSummary) -> Table:
    """One row per objective of the customer report, grouped by agreement, and its cover's count.

    Ticket objectives fill met, breached and attained; availability fills
    attained; satisfaction fills ratings and mean.
    """
    group = f", {customer.group}" if customer.group else ""
    table = Table(
        title=f"{customer.name} ({customer.customer}{group}; reported in {customer.timezone})",
        title_justify="left",
        title_style="bold",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    for column, numeric in SUMMARY_COLUMNS:
        table.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
    rows: dict[str, list[Row]] = {}
    for o in customer.objectives:
        services = [a for a in customer.availability if a.objective == o.objective]
        rows.setdefault(o.objective.partition("/")[0], []).append(objective_row(o, services))
    for agreement, lines in rows.items():
        table.add_row(f"[bold]{agreement}[/bold]")
        for line in lines:
            table.add_row(f"  {line[0]}", *line[1:])
    owed = "; ".join(
        f"credits {f.credits}, bonuses {f.bonuses}, net owed {f.net}" for f in customer.credits
    )
    table.caption = (
        f"{customer.objectives_met} / {customer.objectives_judged} objectives met; "
        f"{customer.breaches} breaches; {owed or 'no fees, no credits'}"
    )
    table.caption_justify = "left"
    return table


def objective_row(o: ObjectiveFigure, services: Sequence[AvailabilityFigure] = ()) -> Row:
    status = STATUS[o.status.value]
    if o.metric is Metric.AVAILABILITY:
        return availability_row(o, services)
    if o.metric is Metric.SATISFACTION:
        mean = format_level(Metric.SATISFACTION, o.level) if o.level is not None else "-"
        label = f"satisfaction {tickets(o.scope)}"
        return (label, o.target, "-", "", "", "", str(o.ratings), mean, status)
    target, _, calendar = o.target.partition(" on ")
    return (
        f"{o.metric.value.replace('_', ' ')} {tickets(o.scope)}",
        f"{target} {calendar}",
        percent(o.goal) if o.goal is not None else "-",
        str(o.met),
        str(o.breached),
        percent(o.level) if o.level is not None else "-",
        "",
        "",
        status,
    )


def availability_row(o: ObjectiveFigure, services: Sequence[AvailabilityFigure]) -> Row:
    """The objective's level (the lowest of its services); downtime when it measures one service."""
    target = percent(services[0].target, 3) if services else o.target.partition(" on ")[0]
    if len(services) == 1:
        minutes = (services[0].downtime_seconds / 60).quantize(Decimal("0.1"))
        target = f"{target}, {minutes} min down"
    return (
        f"availability {', '.join(a.service for a in services) or '-'}",
        target,
        "-",
        "",
        "",
        percent(o.level, 3),
        "",
        "",
        STATUS[o.status.value],
    )


def tickets(scope: str) -> str:
    """``priority in {P2, P3} and type in {change}`` -> ``P2, P3, type change``."""
    if not scope or scope == "all tickets":
        return "all tickets"
    parts = []
    for condition in scope.split(" and "):
        attribute, _, values = condition.partition(" in ")
        values = values.strip("{}")
        parts.append(values if attribute == "priority" else f"{attribute} {values}")
    return ", ".join(sorted(parts, key=lambda part: not part.startswith("P")))
