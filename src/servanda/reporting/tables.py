"""Compliance, availability and credit reports as tables: CSV, JSON and a plain HTML/PDF page.

Each report becomes one ``Table``: display rows (rounded, human units) for the
terminal, CSV and HTML, and JSON records with exact values (fractions and
money as decimal strings, durations in seconds, ``null`` for "no items").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from servanda.domain.agreements import Metric
from servanda.domain.clock.measurement import iso
from servanda.domain.compliance import Status
from servanda.domain.credits import CreditStatement, StatementLine
from servanda.domain.display import format_duration, format_level, percent, points
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.credit_reports import CreditsReport
from servanda.services.reports import AvailabilityReport, ComplianceReport

Record = dict[str, object]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    records: tuple[Record, ...]
    notes: tuple[str, ...] = ()
    closed: tuple[Record, ...] = ()  # the closes whose frozen figures the table shows


def closed_note(close: ClosedPeriod) -> str:
    """One sentence saying a period is closed: when, by whom, why, and its content hash."""
    why = f" ({close.reason})" if close.reason else ""
    return (
        f"{close.period} is closed for {close.customer}: closed {iso(close.closed_at)} by "
        f"{close.closed_by}{why}; figures as frozen at the close (sha256 "
        f"{close.content_hash[:12]})"
    )


def _closed(closes: tuple[ClosedPeriod, ...]) -> tuple[tuple[str, ...], tuple[Record, ...]]:
    """The notes and the ``closed`` records of a table over ``closes``."""
    notes = tuple(closed_note(c) for c in closes)
    records: tuple[Record, ...] = tuple(
        {
            "customer": c.customer,
            "period": c.period,
            "closed_at": iso(c.closed_at),
            "closed_by": c.closed_by,
            "reason": c.reason,
            "content_hash": c.content_hash,
        }
        for c in closes
    )
    return notes, records


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _status(status: Status) -> str:
    return status.value.replace("_", " ")


def compliance_table(report: ComplianceReport) -> Table:
    """Ticket objectives count met and breached items; satisfaction counts ratings and their mean.

    Each figure stands under a column named for it: a satisfaction row leaves
    met, breached and attainment empty ("–"), a ticket row ratings and mean.
    ``zone`` is the reporting zone the row's period was cut in.
    """
    rows: list[tuple[str, ...]] = []
    records: list[Record] = []
    for r in report.rows:
        rows.append(
            (
                r.objective_key,
                r.metric.value,
                r.customer or "–",
                r.timezone,
                r.service or "–",
                format_duration(r.target_seconds or 0),
                percent(r.goal) if r.goal is not None else "–",
                str(r.met),
                str(r.breached),
                percent(r.attainment) if r.items else "no items",
                "–",
                "–",
                points(r.change),
                _status(r.status),
            )
        )
        records.append(
            {
                "objective": r.objective_key,
                "metric": r.metric.value,
                "customer": r.customer,
                "reporting_timezone": r.timezone,
                "service": r.service,
                "period": r.period,
                "target_seconds": r.target_seconds,
                "goal": _exact(r.goal),
                "met": r.met,
                "breached": r.breached,
                "attainment": _exact(r.attainment),
                "previous_attainment": _exact(r.previous_attainment),
                "change": _exact(r.change),
                "status": r.status.value,
            }
        )
    for s in report.satisfaction:
        rows.append(
            (
                s.objective_key,
                "satisfaction",
                s.customer or "–",
                s.timezone,
                s.service or "–",
                f"mean ≥ {s.target}",
                "–",
                "–",
                "–",
                "–",
                str(s.ratings),
                format_level(Metric.SATISFACTION, s.mean) if s.mean is not None else "no items",
                "–",
                _status(s.status),
            )
        )
        records.append(
            {
                "objective": s.objective_key,
                "metric": "satisfaction",
                "customer": s.customer,
                "reporting_timezone": s.timezone,
                "service": s.service,
                "period": s.period,
                "target": _exact(s.target),
                "ratings": s.ratings,
                "rating_sum": str(s.rating_sum),
                "mean": _exact(s.mean),
                "previous_mean": _exact(s.previous_mean),
                "status": s.status.value,
            }
        )
    columns = (
        "objective",
        "metric",
        "customer",
        "zone",
        "service",
        "target",
        "goal",
        "met",
        "breached",
        "attainment",
        "ratings",
        "mean",
        "change",
        "status",
    )
    notes, closed = _closed(report.closed)
    return Table(
        f"Compliance {report.title}",
        columns,
        tuple(rows),
        tuple(records),
        (f"definitions revision {report.revision_id}", *notes),
        closed,
    )


def availability_table(report: AvailabilityReport) -> Table:
    """Availability per service and viewer; ``zone`` is the reporting zone the row was cut in."""
    rows: list[tuple[str, ...]] = []
    records: list[Record] = []
    for row in report.rows:
        f = row.figure
        rows.append(
            (
                f.service,
                f.customer or "all customers",
                row.timezone,
                f.objective_key,
                percent(f.target, 3),
                percent(f.availability, 3),
                f"{f.downtime_minutes.quantize(Decimal('0.1'))}",
                f"{(f.budget_left_seconds / 60).quantize(Decimal('0.1'))}",
                percent(f.budget_left_share, 1),
                ", ".join(f.measured.outages) or "–",
                _status(f.status),
            )
        )
        records.append(
            {
                "service": f.service,
                "customer": f.customer,
                "reporting_timezone": row.timezone,
                "objective": f.objective_key,
                "period": f.period,
                "calendar": f.calendar,
                "target": str(f.target),
                "availability": _exact(f.availability),
                "covered_seconds": f.measured.covered_seconds,
                "downtime_seconds": str(f.measured.downtime_seconds),
                "error_budget_seconds": str(f.allowed_downtime_seconds),
                "error_budget_remaining_seconds": str(f.budget_left_seconds),
                "error_budget_remaining": _exact(f.budget_left_share),
                "outages": list(f.measured.outages),
                "status": f.status.value,
            }
        )
    columns = (
        "service",
        "customer",
        "zone",
        "objective",
        "target",
        "availability",
        "downtime min",
        "budget left min",
        "budget left",
        "outages",
        "status",
    )
    notes, closed = _closed(report.closed)
    return Table(
        f"Availability {report.title}", columns, tuple(rows), tuple(records), notes, closed
    )


def credits_table(report: CreditsReport) -> Table:
    """Every statement line with its fee base; ``zone`` is the customer's reporting zone."""
    rows: list[tuple[str, ...]] = []
    records: list[Record] = []
    notes: list[str] = []
    for statement in report.statements:
        for line in statement.lines:
            rows.append(
                (
                    statement.customer,
                    statement.timezone,
                    line.agreement,
                    line.kind.value,
                    line.objective_key or "–",
                    str(line.amount) if line.kind.value != "none" else "–",
                    str(line.fee_base),
                    line.reason,
                )
            )
            records.append(_line_record(statement, line))
        for currency in statement.currencies:
            notes.append(
                f"{statement.customer}: credits {statement.credits(currency)}, bonuses "
                f"{statement.bonuses(currency)}, net {statement.net(currency)}"
            )
            records.append(
                {
                    "customer": statement.customer,
                    "reporting_timezone": statement.timezone,
                    "period": statement.period,
                    "kind": "total",
                    "currency": currency,
                    "credits": str(statement.credits(currency).amount),
                    "bonuses": str(statement.bonuses(currency).amount),
                    "net": str(statement.net(currency).amount),
                }
            )
    columns = ("customer", "zone", "agreement", "line", "objective", "amount", "fee base", "reason")
    closed_notes, closed = _closed(report.closed)
    return Table(
        f"Service credits {report.title}",
        columns,
        tuple(rows),
        tuple(records),
        (*notes, *closed_notes),
        closed,
    )


def _line_record(statement: CreditStatement, line: StatementLine) -> Record:
    return {
        "customer": statement.customer,
        "reporting_timezone": statement.timezone,
        "period": statement.period,
        "agreement": line.agreement,
        "kind": line.kind.value,
        "objective": line.objective_key,
        "metric": line.metric.value if line.metric else None,
        "level": _exact(line.level),
        "threshold": _exact(line.threshold),
        "rate": str(line.rate),
        "fee": str(line.fee.amount),
        "currency": line.amount.currency,
        "services": list(line.services),
        "fee_base": [
            {"service": item.service, "amount": str(item.fee.amount)} for item in line.fee_base.fees
        ],
        "amount": str(line.amount.amount),
        "reason": line.reason,
        "adjusts": line.adjusts,
    }


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue()


def to_json(table: Table) -> str:
    """``{"title", "rows"}``, and ``"closed"`` (who closed what, when) when the figures are a
    closed period's."""
    document: dict[str, object] = {"title": table.title, "rows": list(table.records)}
    if table.closed:
        document["closed"] = list(table.closed)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_html(table: Table) -> str:
    from servanda.reporting.html import environment

    return environment().get_template("table.html.j2").render(table=table)
