"""The synthetic event generator: deterministic per seed, realistic enough to exercise every rule."""

from __future__ import annotations

from collections import Counter
from datetime import date

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.events import EventType
from servanda.services.generation import generate_events

DEFINITIONS = Definitions(
    calendars={},
    services={},
    customers={},
    agreements=(
        Agreement(
            id="corp",
            level=Level.CORPORATE,
            title="corp",
            pause_on=frozenset({"on_hold"}),
            objectives=(
                Objective(
                    "fr",
                    Metric.FIRST_RESPONSE,
                    (Condition("priority", frozenset({"high", "low"})),),
                    target_seconds=3600,
                ),
            ),
        ),
    ),
    timezone="Europe/Berlin",
)


def test_the_same_seed_gives_the_same_stream_and_another_seed_another():
    first = list(generate_events(DEFINITIONS, 200, seed=5))
    assert first == list(generate_events(DEFINITIONS, 200, seed=5))
    assert first != list(generate_events(DEFINITIONS, 200, seed=6))


def test_every_ticket_starts_with_its_creation_and_runs_forward_in_time():
    events = list(generate_events(DEFINITIONS, 500, seed=1, start=date(2026, 3, 2)))
    by_ticket: dict[str, list[int]] = {}
    for event in events:
        if event.type is EventType.CREATED:
            assert event.ticket not in by_ticket
            assert event.priority in {"high", "low"}
            by_ticket[event.ticket] = []
        by_ticket[event.ticket].append(event.at)
    assert len(by_ticket) == 500
    assert all(times == sorted(times) for times in by_ticket.values())
    assert min(min(times) for times in by_ticket.values()) >= 1772406000  # 2026-03-02 local


def test_streams_hold_every_kind_of_event_at_about_five_per_ticket():
    events = list(generate_events(DEFINITIONS, 2000, seed=3))
    kinds = Counter(event.type for event in events)
    assert set(kinds) == set(EventType)
    assert 4.5 < len(events) / 2000 < 6
    assert {e.status for e in events if e.type is EventType.STATUS_CHANGED} == {"on_hold", "open"}


def test_arrivals_favour_weekday_office_hours():
    events = list(generate_events(DEFINITIONS, 3000, seed=2))
    created = [e.at_datetime for e in events if e.type is EventType.CREATED]
    weekdays = sum(1 for at in created if at.weekday() < 5)
    daytime = sum(1 for at in created if 7 <= at.hour < 17)  # UTC: 08-18 in Berlin winter
    assert weekdays / len(created) > 0.8
    assert daytime / len(created) > 0.6
