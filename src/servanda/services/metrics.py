"""What ``/metrics`` reports, read from the database at scrape time (so every API process agrees).

- clocks by state (``running``, ``paused``, ``met``, ``breached``, ``cancelled``)
  and the running clocks at risk (see ``services.queries``);
- totals of recorded transitions by kind (warnings, breaches, met) and of
  stored events — Prometheus counters: use ``rate()`` for the ingest rate;
- attainment per objective and calendar month (UTC): met / (met + breached)
  of the clocks that concluded in the month (SEMANTICS "Periods"); the
  current and the previous month. Months are ``[first day 00:00, next first day)``.
Instants are epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Attainment:
    objective_key: str
    period: str  # "2026-05"
    met: int
    breached: int

    @property
    def ratio(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    clocks_by_state: dict[str, int]
    clocks_at_risk: int
    transitions_by_kind: dict[str, int]
    events: int
    attainment: tuple[Attainment, ...]


@dataclass(frozen=True, slots=True)
class Month:
    label: str
    start: int
    end: int


class MetricsQuery(Protocol):
    def snapshot(self, now: int, months: tuple[Month, ...]) -> MetricsSnapshot: ...


def recent_months(now: int, count: int = 2) -> tuple[Month, ...]:
    """The calendar month (UTC) holding ``now`` and the ``count - 1`` before it, oldest first."""
    moment = datetime.fromtimestamp(now, tz=UTC)
    year, month = moment.year, moment.month
    found: list[Month] = []
    for _ in range(count):
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        found.append(Month(f"{year:04d}-{month:02d}", int(start.timestamp()), int(end.timestamp())))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(reversed(found))


def metrics_snapshot(query: MetricsQuery, now: int) -> MetricsSnapshot:
    return query.snapshot(now, recent_months(now))
