"""``GET /api/v1/reports/{compliance|availability|credits}?period=...``: reports as JSON, CSV or PDF.

``period`` is ``2026-03`` (month), ``2026-Q1``, ``2026`` or
``2026-03-01..2026-03-15``, cut in each customer's reporting time zone
(docs/reports.md). ``format=json`` (default: exact values — fractions and
money as decimal strings, durations in seconds), ``csv`` (the display rows)
or ``pdf``. A customer token gets its own customer's report only: naming any
other customer is the same 404 as naming one that does not exist.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from servanda.domain.errors import NotFoundError
from servanda.entrypoints.api.context import ApiContext, Context, Reader, only_customer
from servanda.entrypoints.api.json_bodies import StrictJsonRoute

if TYPE_CHECKING:
    from servanda.reporting.tables import Table

router = APIRouter(tags=["reports"], route_class=StrictJsonRoute)


class ReportKind(StrEnum):
    COMPLIANCE = "compliance"
    AVAILABILITY = "availability"
    CREDITS = "credits"


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


class ReportOut(BaseModel):
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str]


Name = Annotated[str | None, Query(min_length=1, max_length=200)]

_CONTENT = {
    200: {
        "content": {
            "application/json": {"schema": ReportOut.model_json_schema()},
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The report in the asked format",
    }
}


def build_table(
    ctx: ApiContext,
    kind: ReportKind,
    period: str,
    customer: str | None,
    service: str | None,
    agreement: str | None,
) -> Table:
    from servanda.reporting import tables
    from servanda.services.credit_reports import credits_report
    from servanda.services.reports import availability_report, compliance_report

    sources = ctx.storage.reports
    if kind is ReportKind.COMPLIANCE:
        report = compliance_report(
            sources, period, customer=customer, service=service, agreement=agreement
        )
        return tables.compliance_table(report)
    if kind is ReportKind.AVAILABILITY:
        return tables.availability_table(
            availability_report(sources, period, customer=customer, service=service)
        )
    return tables.credits_table(credits_report(sources, period, customer=customer))


@router.get(
    "/reports/{kind}",
    response_class=Response,
    responses=_CONTENT,  # type: ignore[arg-type]
    summary="Compliance, availability or credits report",
)
def get_report(
    kind: ReportKind,
    ctx: Context,
    principal: Reader,
    period: Annotated[str, Query(min_length=4, max_length=64, examples=["2026-03"])],
    customer: Name = None,
    service: Name = None,
    agreement: Name = None,
    format: ReportFormat = ReportFormat.JSON,
) -> Response:
    own = only_customer(principal)
    if own is not None:
        if customer is not None and customer != own:
            raise NotFoundError(f"there is no customer {customer!r}")
        customer = own
    check_period(period)
    table = build_table(ctx, kind, period, customer, service, agreement)
    return render(table, format, kind)


def check_period(period: str) -> None:
    """``PeriodError`` (422) for any period the reports cannot read, e.g. year 0."""
    from servanda.domain.periods import PeriodError, parse_period

    try:
        parse_period(period, "UTC")
    except PeriodError:
        raise
    except (ValueError, OverflowError):
        raise PeriodError(f"period {period!r} is not a date that exists") from None


def render(table: Table, format: ReportFormat, kind: ReportKind) -> Response:
    from servanda.reporting import tables

    if format is ReportFormat.CSV:
        return Response(tables.to_csv(table), media_type="text/csv; charset=utf-8")
    if format is ReportFormat.PDF:
        from servanda.reporting.pdf import html_to_pdf

        return Response(
            html_to_pdf(tables.to_html(table)),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{kind.value}.pdf"'},
        )
    body = ReportOut(
        title=table.title,
        columns=list(table.columns),
        rows=[dict(record) for record in table.records],
        notes=list(table.notes),
    )
    return Response(body.model_dump_json(), media_type="application/json")
