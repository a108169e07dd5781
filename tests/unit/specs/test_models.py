"""The shape of the format: unknown keys are errors, units are read exactly, names may be single."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from servanda.specs.models import AgreementEntry, CalendarEntry, ObjectiveEntry
from servanda.specs.schema import definitions_json_schema


def test_unknown_keys_are_rejected_not_ignored() -> None:
    with pytest.raises(ValidationError) as caught:
        ObjectiveEntry.model_validate({"metric": "resolution", "target": "4h", "calender": "x"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_percentages_become_exact_fractions_and_cadences_months() -> None:
    agreement = AgreementEntry.model_validate(
        {
            "id": "a",
            "level": "corporate",
            "review_every": "1 year",
            "objectives": [{"metric": "resolution", "target": "4h", "goal": "99.9%"}],
        }
    )
    assert agreement.objectives[0].goal == Decimal("0.999")
    assert agreement.review_every == 12


def test_a_single_name_stands_for_a_list_and_numbers_for_text() -> None:
    agreement = AgreementEntry.model_validate(
        {
            "id": "a",
            "level": "service",
            "services": "email",
            "version": 2,
            "objectives": [{"metric": "resolution", "target": "4h", "when": {"priority": 1}}],
        }
    )
    assert agreement.services == ["email"]
    assert agreement.version == "2"
    assert agreement.objectives[0].when == {"priority": ["1"]}


def test_holiday_dates_may_be_plain_dates_or_named() -> None:
    calendar = CalendarEntry.model_validate(
        {
            "timezone": "UTC",
            "hours": {"daily": "00:00-24:00"},
            "holidays": {"dates": ["2026-12-24", {"date": "2026-12-31", "name": "NYE"}]},
        }
    )
    assert calendar.holidays is not None
    assert [(h.date.isoformat(), h.name) for h in calendar.holidays.dates] == [
        ("2026-12-24", "holiday"),
        ("2026-12-31", "NYE"),
    ]


def test_the_json_schema_forbids_unknown_keys_everywhere() -> None:
    schema = definitions_json_schema()
    assert schema["additionalProperties"] is False
    assert all(
        definition.get("additionalProperties") is False
        for definition in schema["$defs"].values()
        if definition.get("type") == "object"
    )
    assert schema["$defs"]["HolidaysEntry"]["properties"]["last_year"]["default"] == 2045
