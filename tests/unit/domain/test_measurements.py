"""Measurement values: their hand-written constructors match their fields, and the JSON edge."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from servanda.domain.agreements import Level, Metric
from servanda.domain.clock.measurement import (
    ChangeCause,
    ClockChange,
    ClockState,
    FiredWarning,
    Measurement,
)

T0 = 1772438400  # 2026-03-02T08:00:00Z


@pytest.mark.parametrize("cls", [ClockChange, Measurement])
def test_the_fast_constructor_takes_exactly_the_fields_in_order_with_their_defaults(cls):
    fields = dataclasses.fields(cls)
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]


def measurement(**changes: object) -> Measurement:
    change = ClockChange(T0, ChangeCause.STARTED, 3600, T0 + 3600, "corp/fr", "e1", "created")
    base = Measurement(
        "T-1", "corp", Level.CORPORATE, "corp/fr", Metric.FIRST_RESPONSE, 0, ClockState.BREACHED,
        3600, 3601, 0, T0, T0 + 3600, None, T0 + 3601, "24x7",
        (FiredWarning(Decimal("0.5"), T0 + 1800),), (change,), None, T0 + 3601,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_measurement_is_a_frozen_value():
    m = measurement()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.state = ClockState.MET  # type: ignore[misc]
    assert m == measurement()
    assert hash(m) == hash(measurement())


def test_the_json_edge_renders_utc_instants_and_plain_values():
    data = measurement().to_dict()
    assert data["started_at"] == "2026-03-02T08:00:00+00:00"
    assert data["breached_at"] == "2026-03-02T09:00:01+00:00"
    assert data["stopped_at"] is None
    assert data["remaining_seconds"] == -1
    assert data["warnings"] == [{"threshold": "0.5", "at": "2026-03-02T08:30:00+00:00"}]
    assert data["history"][0]["cause"] == "started"
    assert (data["state"], data["level"], data["metric"]) == (
        "breached",
        "corporate",
        "first_response",
    )


def test_a_breached_measurement_counts_at_its_breach_and_a_met_one_at_its_stop():
    assert measurement().concluded_at == T0 + 3601
    met = measurement(state=ClockState.MET, breached_at=None, stopped_at=T0 + 60)
    assert met.concluded_at == T0 + 60
    assert met.is_stopped
    assert measurement(state=ClockState.RUNNING, breached_at=None).concluded_at is None
