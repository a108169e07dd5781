"""A closed period's values: whether its close is in force, and what it booked for which period."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from servanda.services.closed_periods import ClosedPeriod

APRIL = ClosedPeriod(
    "acme", "2026-04", 1_775_000_000, 1_777_600_000, 1_777_700_000, "alice", "April invoiced",
    3, "ab" * 32, (("EUR", Decimal("950.00")),),
    booked=(("2026-03", "EUR", Decimal("-1900.00")), ("2026-03", "USD", Decimal("12.50")),
            ("2026-02", "EUR", Decimal("40.00"))),
)  # fmt: skip


def test_a_close_is_in_force_until_it_is_reopened() -> None:
    assert APRIL.in_force
    assert not replace(APRIL, reopened_at=1_777_800_000, reopened_by="bob").in_force


def test_a_close_tells_what_it_booked_for_one_period_per_currency() -> None:
    assert APRIL.booked_for("2026-03") == {"EUR": Decimal("-1900.00"), "USD": Decimal("12.50")}
    assert APRIL.booked_for("2026-02") == {"EUR": Decimal("40.00")}
    assert APRIL.booked_for("2026-01") == {}
