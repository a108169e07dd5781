"""Definitions snapshots: what a stored revision keeps must restore to the same values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from servanda.domain.agreements import (
    Agreement,
    BonusBand,
    Condition,
    Contact,
    CreditBand,
    CreditPolicy,
    CreditSchedule,
    Customer,
    Definitions,
    Fee,
    Level,
    Metric,
    Objective,
    Period,
    Responsibilities,
    Service,
)
from servanda.domain.calendar.spec import CalendarSpec, DayException, Holiday, Window
from servanda.specs import snapshot


def _rich_definitions() -> Definitions:
    office = CalendarSpec(
        name="berlin-office",
        timezone="Europe/Berlin",
        weekly=((Window(8 * 3600, 18 * 3600),),) * 5 + ((Window(9 * 3600, 13 * 3600),), ()),
        holidays=(Holiday(date(2026, 12, 25), "Christmas Day"),),
        exceptions=(DayException(date(2026, 12, 23), (Window(8 * 3600, 12 * 3600),), "short"),),
        holiday_source="DE-BE (holidays 0.60), years 2025-2027",
    )
    corporate = Agreement(
        id="corporate-standard",
        level=Level.CORPORATE,
        title="Corporate service standard",
        effective_from=date(2026, 1, 1),
        review_every_months=6,
        pause_on=frozenset({"waiting_on_vendor", "waiting_on_customer"}),
        objectives=(
            Objective(
                id="resolution-1",
                metric=Metric.RESOLUTION,
                conditions=(Condition("priority", frozenset({"P2", "P1"})),),
                target_seconds=8 * 3600,
                calendar="berlin-office",
                warn_at=(Decimal("0.5"), Decimal("0.8")),
                goal=Decimal("0.95"),
            ),
        ),
    )
    gold = Agreement(
        id="acme-gold",
        level=Level.CUSTOMER,
        title="ACME gold",
        customers=frozenset({"acme"}),
        services=frozenset({"email"}),
        objectives=(
            Objective(
                id="satisfaction-1",
                metric=Metric.SATISFACTION,
                target_value=Decimal("4.5"),
                period=Period.QUARTER,
            ),
        ),
        credits=CreditPolicy(
            schedules=(
                CreditSchedule(
                    Metric.RESOLUTION,
                    (CreditBand(Decimal("0.98"), Decimal("0.05")),),
                ),
            ),
            bonuses=(BonusBand(Metric.RESOLUTION, Decimal("0.995"), Decimal("0.02")),),
            cap=Decimal("0.30"),
        ),
        responsibilities=Responsibilities(provider=("Monitor 24x7",), customer=("Report",)),
    )
    return Definitions(
        calendars={"berlin-office": office, "24x7": CalendarSpec.always_open()},
        services={"email": Service("email", "Managed Email", "Hosted mailboxes")},
        customers={
            "acme": Customer(
                "acme",
                "ACME GmbH",
                group="gold",
                reporting_timezone="Europe/Berlin",
                contacts=(Contact("Jane Roe", "owner", "jane@acme.example"),),
                fees=(Fee("email", Decimal("2000.00"), "EUR"),),
            )
        },
        agreements=(corporate, gold),
        timezone="Europe/Berlin",
        provider="Example MSP",
    )


def test_a_snapshot_restores_definitions_equal_to_the_original() -> None:
    definitions = _rich_definitions()
    assert snapshot.loads(snapshot.canonical_bytes(definitions)) == definitions


def test_equal_definitions_have_the_same_content_hash_whatever_the_set_order() -> None:
    first = _rich_definitions()
    reordered = replace(
        first,
        customers=dict(reversed(list(first.customers.items()))),
        calendars=dict(reversed(list(first.calendars.items()))),
    )
    assert snapshot.content_hash(first) == snapshot.content_hash(reordered)


def test_a_changed_target_changes_the_content_hash() -> None:
    first = _rich_definitions()
    corporate = first.agreements[0]
    slower = replace(corporate.objectives[0], target_seconds=9 * 3600)
    changed = replace(
        first, agreements=(replace(corporate, objectives=(slower,)), first.agreements[1])
    )
    assert snapshot.content_hash(first) != snapshot.content_hash(changed)


def test_decimals_keep_their_exact_digits() -> None:
    restored = snapshot.loads(snapshot.canonical_bytes(_rich_definitions()))
    fee = restored.customers["acme"].fees[0]
    assert str(fee.amount) == "2000.00"


def test_an_unknown_snapshot_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        snapshot.from_document({"format": 999, "definitions": {}})
