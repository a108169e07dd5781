"""``close_period`` and ``reopen_period``: freezing a customer's period, and the explicit way back.

Rules (docs/reports.md "Closed periods"):
- Closing a period (``2026-03``, or any period text) for a customer, or for
  every customer of the definitions, runs the customer's reports for it once
  over recording sources (compliance, availability, credits, the customer
  report) and stores what they were computed from, with the newest revision
  at that moment, the content hash of the record, the net credits stated and
  the adjustments after close it booked. From then on every report of that
  customer and period, in every format and on every entry point, is computed
  from the record: later events, revisions and re-measurements never change
  it. A period already closed for the customer is a ``ConflictError``.
- Reopening is explicit, needs a reason, and is audited; the closed record is
  kept. Reports of a reopened period are computed from the stored
  measurements again.
- Both are written to the audit log in the transaction that stores them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from servanda.domain.credits import CreditStatement
from servanda.domain.errors import ConflictError, NotFoundError, ServandaError
from servanda.domain.periods import parse_period
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.frozen_figures import Recording, RecordingReadModel
from servanda.services.frozen_sources import recording_factory
from servanda.services.ports import UnitOfWorkFactory
from servanda.services.reports import ReportSources, load_definitions


class ReasonRequiredError(ServandaError):
    """A change that must say why (reopening a closed period) was asked without a reason."""

    code = "reason_required"


@dataclass(slots=True)
class StoredClosedPeriods:
    """The closed periods in storage, for report sources (frozen inputs read once per close)."""

    uow_factory: UnitOfWorkFactory
    _recordings: dict[int, Recording] = field(default_factory=dict)

    def find(self, customer: str, period: str) -> tuple[ClosedPeriod, Recording] | None:
        with self.uow_factory() as uow:
            found = next((c for c in uow.periods.in_force(customer) if c.period == period), None)
            if found is None or found.id is None:
                return None
            recording = self._recordings.get(found.id)
            if recording is None:
                recording = Recording.from_json(uow.periods.snapshot(found.id))
                self._recordings[found.id] = recording
        return found, recording

    def in_force(self, customer: str) -> list[ClosedPeriod]:
        with self.uow_factory() as uow:
            return uow.periods.in_force(customer)

    def customers_closed(self, period: str) -> list[str]:
        with self.uow_factory() as uow:
            return sorted({c.customer for c in uow.periods.in_force() if c.period == period})


def close_period(
    sources: ReportSources,
    period: str,
    *,
    customer: str | None,
    now: int,
    author: str,
    reason: str = "",
) -> list[ClosedPeriod]:
    """Close ``period`` for ``customer`` (or every customer of the definitions)."""
    from servanda.services.credit_reports import credits_report
    from servanda.services.customer_report import customer_report
    from servanda.services.reports import availability_report, compliance_report

    _, definitions = load_definitions(sources, parse_period(period, "UTC"))
    if customer is not None and customer not in definitions.customers:
        raise NotFoundError(f"customer {customer!r} is not in the definitions")
    customers = [customer] if customer is not None else sorted(definitions.customers)
    with sources.uow_factory() as uow:
        ceiling = max((r.id for r in uow.revisions.history()), default=0)
        closed = {(c.customer, c.period): c for c in uow.periods.in_force()}
    prepared: list[tuple[ClosedPeriod, str]] = []
    for name in customers:
        cut = parse_period(period, definitions.customers[name].reporting_timezone)
        already = closed.get((name, cut.label))
        if already is not None:
            raise ConflictError(
                f"{cut.label} is already closed for {name} (by {already.closed_by}): reopen it "
                "first (`servanda periods reopen`)"
            )
        recording = Recording(ceiling)
        recorder = ReportSources(
            recording_factory(sources.uow_factory, recording),
            RecordingReadModel(sources.read_model, recording),
            closed=sources.closed,
            recording=recording,
        )
        compliance_report(recorder, period, customer=name)
        availability_report(recorder, period, customer=name)
        statement = credits_report(recorder, period, customer=name).statements[0]
        customer_report(recorder, name, period)
        text = recording.to_json()
        net = tuple((c, statement.own_net(c).amount) for c in statement.currencies)
        prepared.append(
            (
                ClosedPeriod(
                    name,
                    cut.label,
                    cut.start,
                    cut.end,
                    now,
                    author,
                    reason,
                    ceiling,
                    hashlib.sha256(text.encode()).hexdigest(),
                    net,
                    booked_adjustments(statement),
                ),
                text,
            )
        )
    with sources.uow_factory() as uow:
        stored = [uow.periods.add(value, text) for value, text in prepared]
        for value in stored:
            uow.audit.add(_entry(value, AuditAction.PERIOD_CLOSED, now, author, reason))
        uow.commit()
    return stored


def reopen_period(
    uow_factory: UnitOfWorkFactory,
    period: str,
    *,
    customer: str | None,
    now: int,
    author: str,
    reason: str,
) -> list[ClosedPeriod]:
    """Reopen ``period`` for ``customer`` (or every customer it is closed for)."""
    if not reason.strip():
        raise ReasonRequiredError("reopening a closed period needs a reason (--reason)")
    label = parse_period(period, "UTC").label  # a period that cannot be read is refused first
    with uow_factory() as uow:
        found = [c for c in uow.periods.in_force(customer) if c.period in (period, label)]
        if not found:
            whom = f" for {customer}" if customer else ""
            raise NotFoundError(f"{period} is not closed{whom}")
        reopened = [uow.periods.reopen(c.id or 0, now, author, reason) for c in found]
        for value in reopened:
            uow.audit.add(_entry(value, AuditAction.PERIOD_REOPENED, now, author, reason))
        uow.commit()
    return reopened


def closed_periods(
    uow_factory: UnitOfWorkFactory, customer: str | None = None
) -> list[ClosedPeriod]:
    """Every close, reopened ones included, oldest first."""
    with uow_factory() as uow:
        return uow.periods.history(customer)


def booked_adjustments(statement: CreditStatement) -> tuple[tuple[str, str, Decimal], ...]:
    """The adjustments after close a statement booked: (period, currency, amount)."""
    return tuple(
        (line.adjusts or "", line.amount.currency, line.amount.amount)
        for line in statement.adjustments
    )


def _entry(
    closed: ClosedPeriod, action: AuditAction, at: int, author: str, reason: str
) -> AuditEntry:
    details: dict[str, object] = {
        "customer": closed.customer,
        "period": closed.period,
        "content_hash": closed.content_hash,
        "revision_ceiling": closed.revision_ceiling,
    }
    for currency, amount in closed.net_credits:
        details[f"net_credits_{currency}"] = amount
    return AuditEntry.of(
        at, author, action, f"period {closed.period} {closed.customer}", reason, details
    )
