"""Unknown values through the use cases, on the in-memory storage: reported, refused, per revision."""

from __future__ import annotations

from dataclasses import replace

import pytest

from servanda.bootstrap import memory_storage
from servanda.domain.agreements import Definitions, Service, Vocabulary
from servanda.domain.availability import Outage
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.vocabulary import FindingCode
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.outages import record_outages
from servanda.services.ports import UnitOfWorkFactory
from servanda.services.revisions import apply_definitions
from servanda.services.vocabulary import ValueChecker
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, small_definitions

LATER = START + 10 * HOUR


def created(ticket: str, priority: str, at: int = START, **extra: object) -> TicketEvent:
    return TicketEvent(f"{ticket}-c", ticket, EventType.CREATED, at, priority=priority, **extra)  # type: ignore[arg-type]


def responded(ticket: str, at: int = START + 600) -> TicketEvent:
    return TicketEvent(f"{ticket}-r", ticket, EventType.RESPONDED, at)


def status(ticket: str, value: str, at: int = START + 900) -> TicketEvent:
    return TicketEvent(f"{ticket}-s", ticket, EventType.STATUS_CHANGED, at, status=value)


def storage_with(*revisions: tuple[Definitions, int]) -> tuple[UnitOfWorkFactory, Evaluator]:
    uow_factory, evaluator = memory_storage()
    for definitions, effective_from in revisions:
        apply_definitions(
            uow_factory,
            definitions,
            fingerprint=content_hash,
            now=START,
            effective_from=effective_from,
        )
    return uow_factory, evaluator


@pytest.fixture
def stored() -> tuple[UnitOfWorkFactory, Evaluator]:
    return storage_with((small_definitions(), 0))


def test_an_unknown_priority_is_stored_and_reported_with_its_identity(stored) -> None:
    uow_factory, evaluator = stored
    events = [created("CS-1002", "p2"), responded("CS-1002")]
    outcome = record_events(uow_factory, evaluator, events, LATER, values=ValueChecker())
    assert outcome.new == 2
    assert outcome.refused == frozenset()
    [finding] = outcome.findings[("default", "CS-1002-c")]
    assert finding.code is FindingCode.UNKNOWN_PRIORITY
    assert "did you mean 'P2'?" in finding.message
    assert ("default", "CS-1002-r") not in outcome.findings


def test_without_a_checker_nothing_is_checked(stored) -> None:
    uow_factory, evaluator = stored
    outcome = record_events(uow_factory, evaluator, [created("CS-1", "p2")], LATER)
    assert outcome.findings == {}


def test_strict_values_refuse_the_event_and_leave_no_trace_of_it(stored) -> None:
    uow_factory, evaluator = stored
    events = [created("CS-1", "p2"), responded("CS-1"), created("CS-2", "P2")]
    outcome = record_events(
        uow_factory, evaluator, events, LATER, values=ValueChecker(), strict_values=True
    )
    assert outcome.refused == {("default", "CS-1-c")}
    assert outcome.new == 2
    with uow_factory() as uow:
        assert uow.events.existing([("default", "CS-1-c")]) == {}
        ticket = uow.tickets.get("CS-1")  # its reply is stored: a ticket without a creation
        assert (ticket.created_at, ticket.priority) == (None, None)
        assert uow.measurements.for_ticket("CS-1") == []
        assert len(uow.measurements.for_ticket("CS-2")) == 2


def test_a_value_outside_a_declared_vocabulary_is_refused_without_strict() -> None:
    declared = replace(small_definitions(), vocabulary=Vocabulary(statuses=frozenset({"open"})))
    uow_factory, evaluator = storage_with((declared, 0))
    events = [created("CS-1", "P1"), status("CS-1", "waiting_on_customer")]
    outcome = record_events(uow_factory, evaluator, events, LATER, values=ValueChecker())
    assert outcome.refused == {("default", "CS-1-s")}
    [finding] = outcome.findings[("default", "CS-1-s")]
    assert finding.is_error
    assert outcome.new == 1


def test_an_event_is_checked_against_the_revision_in_force_at_its_tickets_creation() -> None:
    """Revision 2 (from START + 1h) declares lower-case priorities; a ticket created before it
    keeps revision 1's vocabulary for its later events, one created after gets revision 2's."""
    later = replace(small_definitions(), vocabulary=Vocabulary(priorities=frozenset({"p1", "p2"})))
    uow_factory, evaluator = storage_with((small_definitions(), 0), (later, START + HOUR))
    checker = ValueChecker()
    record_events(uow_factory, evaluator, [created("OLD", "P1")], LATER, values=checker)
    change = TicketEvent(
        "OLD-a",
        "OLD",
        EventType.ATTRIBUTES_CHANGED,
        START + 2 * HOUR,
        changes=(("priority", "P2"),),
    )
    fresh = created("NEW", "P2", at=START + 2 * HOUR)
    outcome = record_events(uow_factory, evaluator, [change, fresh], LATER, values=checker)
    assert ("default", "OLD-a") not in outcome.findings  # revision 1: P2 is a named priority
    [finding] = outcome.findings[("default", "NEW-c")]  # revision 2: only p1, p2 are declared
    assert finding.is_error
    assert "did you mean 'p2'?" in finding.message
    assert outcome.refused == {("default", "NEW-c")}


def test_the_statuses_a_state_map_produces_are_known_to_its_checker(stored) -> None:
    uow_factory, evaluator = stored
    events = [created("CS-1", "P1"), status("CS-1", "in_progress")]
    plain = record_events(uow_factory, evaluator, events, LATER, values=ValueChecker())
    assert [f.code for f in plain.findings[("default", "CS-1-s")]] == [FindingCode.UNKNOWN_STATUS]
    mapped = ValueChecker().with_statuses({"in_progress"})
    again = record_events(uow_factory, evaluator, events, LATER, values=mapped)
    assert again.findings == {}


def test_an_outage_for_an_undefined_service_is_stored_with_a_finding_unless_strict() -> None:
    defined = replace(small_definitions(), services={"email": Service("email", "Email")})
    uow_factory, _ = storage_with((defined, 0))
    outage = Outage(id="o1", service="emial", start=START, end=START + HOUR)
    refused = record_outages(uow_factory, [outage], values=ValueChecker(), strict_values=True)
    assert (refused.new, refused.refused) == (0, {("default", "o1")})
    stored = record_outages(uow_factory, [outage], values=ValueChecker())
    assert stored.new == 1
    [finding] = stored.findings[("default", "o1")]
    assert finding.code is FindingCode.UNKNOWN_SERVICE


def test_a_stored_ticket_is_checked_against_the_revision_it_stays_pinned_to() -> None:
    """Revision 2 covers the old ticket's creation too, but was applied without re-measuring:
    the old ticket stays on revision 1, and so does the check of its later events."""
    uow_factory, evaluator = storage_with((small_definitions(), 0))
    checker = ValueChecker()
    record_events(uow_factory, evaluator, [created("OLD", "P1")], LATER, values=checker)
    lower = replace(small_definitions(), vocabulary=Vocabulary(priorities=frozenset({"p1", "p2"})))
    apply_definitions(
        uow_factory, lower, fingerprint=content_hash, now=START, effective_from=0, remeasure=False
    )
    change = TicketEvent(
        "OLD-a", "OLD", EventType.ATTRIBUTES_CHANGED, START + HOUR, changes=(("priority", "P2"),)
    )
    outcome = record_events(
        uow_factory, evaluator, [change, created("NEW", "P2")], LATER, values=checker
    )
    assert ("default", "OLD-a") not in outcome.findings
    assert outcome.refused == {("default", "NEW-c")}
