"""The demo's summary as terminal tables (rich): one per customer, rows grouped by agreement.

Percentages are rounded half-up for display (``servanda.domain.compliance.percent``:
two places for attainment and goals, three for availability); downtime in
minutes to one decimal; money as the statement shows it. ``summary.json``
keeps the exact values.
"""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.table import Table

from servanda.demo.summary import AvailabilityFigure, CustomerSummary, ObjectiveFigure
from servanda.domain.compliance import percent

SUMMARY_COLUMNS = (
    ("objective", False),
    ("target", False),
    ("goal", True),
    ("met", True),
    ("breached", True),
    ("attained", True),
    ("status", True),
)
STATUS = {"pass": "met", "fail": "MISSED", "no_items": "no items", "no_goal": "-"}

Row = tuple[str, str, str, str, str, str, str]


def customer_table(customer: CustomerSummary) -> Table:
    """Objective, target, goal, met, breached, attained and status, grouped by agreement."""
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
        rows.setdefault(o.objective.partition("/")[0], []).append(objective_row(o))
    for a in customer.availability:
        rows.setdefault(a.objective.partition("/")[0], []).append(availability_row(a))
    for agreement, lines in rows.items():
        table.add_row(f"[bold]{agreement}[/bold]")
        for line in lines:
            table.add_row(f"  {line[0]}", *line[1:])
    owed = "; ".join(
        f"credits {f.credits}, bonuses {f.bonuses}, net owed {f.net}" for f in customer.credits
    )
    table.caption = f"{customer.breaches} breaches; {owed or 'no fees, no credits'}"
    table.caption_justify = "left"
    return table


def objective_row(o: ObjectiveFigure) -> Row:
    target, _, calendar = o.target.partition(" on ")
    return (
        f"{o.metric.replace('_', ' ')} {tickets(o.scope)}",
        f"{target} {calendar}",
        percent(o.goal) if o.goal is not None else "-",
        str(o.met),
        str(o.breached),
        percent(o.attainment) if o.attainment is not None else "-",
        STATUS[o.status.value],
    )


def availability_row(a: AvailabilityFigure) -> Row:
    minutes = (a.downtime_seconds / 60).quantize(Decimal("0.1"))
    return (
        f"availability {a.service}",
        f"{percent(a.target, 3)}, {minutes} min down",
        "-",
        "",
        "",
        percent(a.availability, 3),
        STATUS[a.status.value],
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
