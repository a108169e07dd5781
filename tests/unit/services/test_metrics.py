"""/metrics figures: the calendar months (UTC) attainment covers, and the attainment ratio."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from servanda.services.metrics import (
    Attainment,
    MetricsSnapshot,
    Month,
    metrics_snapshot,
    recent_months,
)


def epoch(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


def test_the_current_and_previous_months_are_half_open_utc_months_oldest_first() -> None:
    assert recent_months(epoch(2026, 5, 31, 23, 59, 59)) == (
        Month("2026-04", epoch(2026, 4, 1), epoch(2026, 5, 1)),
        Month("2026-05", epoch(2026, 5, 1), epoch(2026, 6, 1)),
    )
    # the first second of a month belongs to it
    assert recent_months(epoch(2026, 6, 1))[-1].label == "2026-06"


def test_months_cross_the_year_boundary_and_december_ends_at_the_next_new_year() -> None:
    months = recent_months(epoch(2026, 1, 15), count=3)
    assert [m.label for m in months] == ["2025-11", "2025-12", "2026-01"]
    assert months[1].end == epoch(2026, 1, 1) == months[2].start


def test_attainment_is_met_over_concluded_and_none_without_items() -> None:
    assert Attainment("gold/fr", "2026-05", 3, 1).ratio == 0.75
    assert Attainment("gold/fr", "2026-05", 0, 2).ratio == 0.0
    assert Attainment("gold/fr", "2026-05", 0, 0).ratio is None


@dataclass
class RecordingMetricsQuery:
    asked: list[tuple[int, tuple[Month, ...]]] = field(default_factory=list)

    def snapshot(self, now: int, months: tuple[Month, ...]) -> MetricsSnapshot:
        self.asked.append((now, months))
        return MetricsSnapshot({}, 0, {}, 0, ())


def test_a_snapshot_asks_for_the_current_and_the_previous_month() -> None:
    query = RecordingMetricsQuery()
    now = epoch(2026, 3, 10, 12)
    metrics_snapshot(query, now)
    assert query.asked == [(now, recent_months(now, 2))]
    assert [m.label for m in query.asked[0][1]] == ["2026-02", "2026-03"]
