"""The tickets list on the in-memory storage: which tickets have no clock, why, and for whom."""

from __future__ import annotations

from dataclasses import replace

import pytest

from servanda.bootstrap import memory_storage
from servanda.domain.agreements import Agreement, Condition, Level, Metric, Objective
from servanda.domain.coverage import UnmeasuredCode
from servanda.domain.events import EventType, TicketEvent
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.ports import TicketState, UnitOfWorkFactory
from servanda.services.revisions import apply_definitions
from servanda.services.tickets import TicketFilter, list_tickets
from servanda.services.vocabulary import ValueChecker
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, apply_small_definitions, small_definitions

LATER = START + 10 * HOUR


def created(ticket: str, customer: str, priority: str | None) -> TicketEvent:
    return TicketEvent(
        f"{ticket}-c", ticket, EventType.CREATED, START, customer=customer, priority=priority
    )


@pytest.fixture
def stored() -> tuple[UnitOfWorkFactory, Evaluator]:
    uow_factory, evaluator = memory_storage()
    apply_small_definitions(uow_factory)
    events = [
        created("T-1", "acme", "P1"),  # measured
        created("T-2", "acme", "p2"),  # the resolution objective names no priority: measured
        TicketEvent("T-3-r", "T-3", EventType.RESPONDED, START),  # no created event
        created("T-4", "globex", "P2"),
    ]
    record_events(uow_factory, evaluator, events, LATER)
    return uow_factory, evaluator


def test_tickets_without_a_clock_are_listed_with_their_reason(stored) -> None:
    uow_factory, _ = stored
    page = list_tickets(uow_factory, TicketFilter(measured=False), only_customer=None)
    assert [(row.state.id, row.clocks) for row in page.items] == [("T-3", 0)]
    reason = page.items[0].unmeasured
    assert reason is not None
    assert reason.code is UnmeasuredCode.NO_CREATED_EVENT
    assert page.next_offset is None


def test_the_whole_list_tells_measured_tickets_by_their_clock_count(stored) -> None:
    uow_factory, _ = stored
    page = list_tickets(uow_factory, TicketFilter(), only_customer=None)
    assert [(row.state.id, row.clocks, row.unmeasured is None) for row in page.items] == [
        ("T-1", 2, True),
        ("T-2", 1, True),
        ("T-3", 0, False),
        ("T-4", 2, True),
    ]
    measured = list_tickets(uow_factory, TicketFilter(measured=True), only_customer=None)
    assert [row.state.id for row in measured.items] == ["T-1", "T-2", "T-4"]


def test_pages_follow_each_other_by_ticket_id(stored) -> None:
    uow_factory, _ = stored
    first = list_tickets(uow_factory, TicketFilter(limit=3), only_customer=None)
    assert [row.state.id for row in first.items] == ["T-1", "T-2", "T-3"]
    assert first.next_offset == 3
    rest = list_tickets(uow_factory, TicketFilter(limit=3, offset=3), only_customer=None)
    assert [row.state.id for row in rest.items] == ["T-4"]
    assert rest.next_offset is None


def test_a_customer_sees_only_its_own_tickets_and_nothing_of_another(stored) -> None:
    uow_factory, _ = stored
    own = list_tickets(uow_factory, TicketFilter(), only_customer="globex")
    assert [row.state.id for row in own.items] == ["T-4"]
    other = list_tickets(uow_factory, TicketFilter(customer="acme"), only_customer="globex")
    assert other.items == ()


def priority_only() -> tuple[UnitOfWorkFactory, Evaluator]:
    """Definitions whose every objective names a priority (as the ServiceNow example's do)."""
    p1 = (Condition("priority", frozenset({"P1"})),)
    objectives = (
        Objective("fr", Metric.FIRST_RESPONSE, p1, target_seconds=HOUR),
        Objective("res", Metric.RESOLUTION, p1, target_seconds=8 * HOUR),
    )
    corporate = Agreement("corp", Level.CORPORATE, "Corporate", objectives)
    definitions = replace(small_definitions(), agreements=(corporate,))
    uow_factory, evaluator = memory_storage()
    apply_definitions(uow_factory, definitions, fingerprint=content_hash, now=START)
    return uow_factory, evaluator


def test_no_matching_objective_names_the_values_and_the_likely_correction() -> None:
    uow_factory, evaluator = priority_only()
    record_events(uow_factory, evaluator, [created("CS-1002", "acme", "p1")], LATER)
    [row] = list_tickets(
        uow_factory, TicketFilter(measured=False), only_customer=None, values=ValueChecker()
    ).items
    assert row.unmeasured is not None
    assert row.unmeasured.code is UnmeasuredCode.NO_OBJECTIVE_MATCHES
    assert row.unmeasured.message == (
        "no first_response, next_response or resolution objective matches customer 'acme', "
        "service not set, priority 'p1' (unknown; did you mean 'P1'?)"
    )


def test_stored_attributes_that_match_tell_that_the_fold_ignored_the_events_setting_them() -> None:
    uow_factory, _ = priority_only()
    _store_states(uow_factory, [_state("T-9", "P1")])
    [row] = list_tickets(uow_factory, TicketFilter(measured=False), only_customer=None).items
    assert row.unmeasured is not None
    assert row.unmeasured.code is UnmeasuredCode.IGNORED_EVENTS


def test_twenty_thousand_unmeasured_tickets_resolve_precedence_once_per_combination(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """5,000 callers that no definitions name are one combination for precedence: the list
    resolves it once, not once per ticket (timings are never asserted in tests)."""

    from servanda.domain import coverage

    calls = 0
    resolve = coverage.resolve_objectives

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return resolve(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(coverage, "resolve_objectives", counted)
    uow_factory, _ = priority_only()
    states = [_state(f"T-{n:05d}", None, customer=f"caller-{n % 5000}") for n in range(20_000)]
    _store_states(uow_factory, states)
    page = list_tickets(
        uow_factory,
        TicketFilter(measured=False, limit=None),
        only_customer=None,
        values=ValueChecker(),
    )
    assert len(page.items) == 20_000
    assert {row.unmeasured.code for row in page.items if row.unmeasured} == {
        UnmeasuredCode.NO_OBJECTIVE_MATCHES
    }
    assert calls == 1, calls


def _state(
    ticket: str,
    priority: str | None,
    customer: str = "acme",
    attributes: tuple[tuple[str, str], ...] = (),
) -> TicketState:
    return TicketState(
        id=ticket,
        revision_id=1,
        created_at=START,
        customer=customer,
        service="email",
        priority=priority,
        status="new",
        attributes=attributes,
        last_event_at=START,
        event_count=1,
        evaluated_at=LATER,
        next_due_at=None,
    )


def _store_states(uow_factory: UnitOfWorkFactory, states: list[TicketState]) -> None:
    with uow_factory() as uow:
        uow.tickets.save(states)
        uow.commit()
