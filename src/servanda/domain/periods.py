"""Reporting periods: months, quarters, years or any range of local dates, cut in one time zone.

Rule (SEMANTICS "Periods, compliance and money" 1): a measurement counts in the
period, in the reporting time zone, in which it concluded. A period is a run of
whole local days ``first..last`` (both inclusive) in an IANA zone; as instants
it is the half-open interval ``[start, end)`` from local midnight of ``first``
to local midnight after ``last``, in integer epoch seconds (UTC). So for
Europe/Berlin the month 2026-03 is ``[2026-02-28T23:00Z, 2026-03-31T22:00Z)``
and a breach at 2026-03-31T23:30Z counts in April.

Text forms (``parse_period``): ``2026-03`` (month), ``2026-Q1`` (quarter),
``2026`` (year), ``2026-03-01..2026-03-15`` (range, both ends inclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from servanda.domain.agreements import add_months
from servanda.domain.errors import ServandaError
from servanda.domain.instants import FIRST_YEAR, LAST_YEAR


class PeriodError(ServandaError, ValueError):
    """A period that cannot be read (``2026-13``, a range that ends before it starts)."""

    code = "invalid_period"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


_MONTHS_PER_KIND = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    """Whole local days ``first..last`` (inclusive) in ``timezone``."""

    kind: PeriodKind
    first: date
    last: date
    timezone: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"period ends ({self.last}) before it starts ({self.first})")
        ZoneInfo(self.timezone)  # fails early on an unknown zone

    @property
    def start(self) -> int:
        """Epoch seconds of local midnight starting ``first`` (inclusive)."""
        return local_midnight(self.first, self.timezone)

    @property
    def end(self) -> int:
        """Epoch seconds of local midnight after ``last`` (exclusive)."""
        return local_midnight(self.last + timedelta(days=1), self.timezone)

    def contains(self, instant: int) -> bool:
        return self.start <= instant < self.end

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year:04d}-{self.first.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first.year:04d}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.first.year:04d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def title(self) -> str:
        """A human label: ``March 2026``, ``Q1 2026``, ``2026``, ``1 Mar 2026 – 15 Mar 2026``."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.first:%B %Y}"
        if self.kind is PeriodKind.QUARTER:
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"
        if self.kind is PeriodKind.YEAR:
            return str(self.first.year)
        return f"{self.first.day} {self.first:%b %Y} – {self.last.day} {self.last:%b %Y}"

    def shifted(self, steps: int) -> ReportingPeriod:
        """The period ``steps`` periods later (negative: earlier); a range moves by its length."""
        if self.kind is PeriodKind.RANGE:
            length = (self.last - self.first).days + 1
            delta = timedelta(days=length * steps)
            return ReportingPeriod(self.kind, self.first + delta, self.last + delta, self.timezone)
        months = _MONTHS_PER_KIND[self.kind]
        first = add_months(self.first, months * steps)
        last = add_months(first, months) - timedelta(days=1)
        return ReportingPeriod(self.kind, first, last, self.timezone)

    def previous(self) -> ReportingPeriod:
        return self.shifted(-1)

    def trailing(self, count: int) -> tuple[ReportingPeriod, ...]:
        """``count`` consecutive periods ending with this one, oldest first."""
        return tuple(self.shifted(step) for step in range(1 - count, 1))

    def in_zone(self, timezone: str) -> ReportingPeriod:
        """The same local days read in another zone."""
        return ReportingPeriod(self.kind, self.first, self.last, timezone)


def local_midnight(day: date, timezone: str) -> int:
    """Epoch seconds of the start of local ``day`` in ``timezone``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone)).timestamp())


def month(year: int, month_number: int, timezone: str) -> ReportingPeriod:
    first = date(year, month_number, 1)
    return ReportingPeriod(
        PeriodKind.MONTH, first, add_months(first, 1) - timedelta(days=1), timezone
    )


def period_containing(kind: PeriodKind, instant: int, timezone: str) -> ReportingPeriod:
    """The month, quarter or year (in ``timezone``) in which ``instant`` falls."""
    local = datetime.fromtimestamp(instant, tz=ZoneInfo(timezone)).date()
    if kind is PeriodKind.RANGE:
        return ReportingPeriod(kind, local, local, timezone)
    months = _MONTHS_PER_KIND[kind]
    first_month = (local.month - 1) // months * months + 1
    first = date(local.year, first_month, 1)
    return ReportingPeriod(kind, first, add_months(first, months) - timedelta(days=1), timezone)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def _year(text: str, value: str) -> int:
    year = int(value)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            f"{text!r}: year {year} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}"
        )
    return year


def parse_period(text: str, timezone: str) -> ReportingPeriod:
    """Read ``2026-03``, ``2026-Q1``, ``2026`` or ``2026-03-01..2026-03-15`` (years
    ``FIRST_YEAR``..``LAST_YEAR``; anything else is a ``PeriodError``)."""
    text = text.strip()
    if found := _MONTH.match(text):
        number = int(found[2])
        if not 1 <= number <= 12:
            raise PeriodError(f"{text!r}: month {number} does not exist")
        return month(_year(text, found[1]), number, timezone)
    if found := _QUARTER.match(text):
        first = date(_year(text, found[1]), (int(found[2]) - 1) * 3 + 1, 1)
        return ReportingPeriod(
            PeriodKind.QUARTER, first, add_months(first, 3) - timedelta(days=1), timezone
        )
    if found := _YEAR.match(text):
        year = _year(text, found[1])
        return ReportingPeriod(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31), timezone)
    if found := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(found[1]), date.fromisoformat(found[2])
        except ValueError as error:
            raise PeriodError(f"{text!r}: {error}") from error
        _year(text, str(first.year))
        _year(text, str(last.year))
        return ReportingPeriod(PeriodKind.RANGE, first, last, timezone)
    raise PeriodError(
        f"{text!r} is not a period: use 2026-03 (month), 2026-Q1 (quarter), 2026 (year) "
        "or 2026-03-01..2026-03-15 (range)"
    )
