"""The in-memory storage keeps the storage contract: private units of work, idempotent appends,
tickets and their pins, the transition outbox, outages, the audit log and closed periods."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from servanda.adapters.memory import InMemoryStore
from servanda.bootstrap import fold_for
from servanda.domain.availability import Outage
from servanda.domain.errors import NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.evaluation import keyed
from servanda.services.ports import (
    StoredMeasurement,
    TicketPin,
    TicketState,
    Transition,
    TransitionKind,
)
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, small_definitions


def event(number: int, ticket: str = "T1", source: str = "default") -> TicketEvent:
    kind = EventType.CREATED if number == 0 else EventType.RESPONDED
    return TicketEvent(f"e{number}", ticket, kind, START + number, source=source, priority="P2")


def ticket(ticket_id: str, *, customer: str = "acme", due: int | None = None, events: int = 1):
    return TicketState(ticket_id, 1, START, customer, None, "P2", "new", (), START, events,
                       START + 5, due)  # fmt: skip


def stored(ticket_id: str) -> list[StoredMeasurement]:
    created = TicketEvent("c", ticket_id, EventType.CREATED, START, priority="P2")
    measured = fold_for(small_definitions()).evaluate([created], START + HOUR).measurements
    return keyed(measured, 1)


# ----------------------------------------------------------------- units of work


def test_what_a_unit_of_work_does_is_published_by_commit_and_discarded_otherwise() -> None:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        uow.events.add_new([event(0)])
    with store.unit_of_work() as uow:
        assert uow.events.count() == 0
        uow.events.add_new([event(0)])
        uow.commit()
        uow.events.add_new([event(1)])
        uow.rollback()
        uow.events.add_new([event(2)])  # after commit, further work needs its own commit
    with store.unit_of_work() as uow:
        assert [e.id for e in uow.events.for_tickets(["T1"])["T1"]] == ["e0"]


def test_a_unit_of_work_works_on_a_copy_so_the_committed_state_is_untouched_until_commit() -> None:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        uow.tickets.lock(["T1"])
        uow.tickets.save([ticket("T1")])
        uow.measurements.replace(["T1"], stored("T1"), {})
        assert store.state.tickets == {}
        assert store.state.measurements == {}
        uow.commit()
    assert set(store.state.tickets) == {"T1"}


def test_units_of_work_of_one_store_run_one_at_a_time() -> None:
    store = InMemoryStore()

    def append(number: int) -> None:
        with store.unit_of_work() as uow:
            uow.events.add_new([event(number, ticket=f"T{number}")])
            uow.commit()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.unit_of_work() as uow:
        assert uow.events.count() == 8


# ----------------------------------------------------------------- revisions and events


def test_revisions_are_numbered_from_one_and_an_unknown_one_is_not_found() -> None:
    store, definitions = InMemoryStore(), small_definitions()
    with store.unit_of_work() as uow:
        assert uow.revisions.latest() is None
        for comment in ("first", "second"):
            uow.revisions.add(definitions, content_hash=content_hash(definitions),
                              effective_from=0, applied_at=START, comment=comment, sources={})  # fmt: skip
        assert [r.id for r in uow.revisions.history()] == [1, 2]
        assert uow.revisions.latest() == uow.revisions.get(2)
        assert uow.revisions.get(1).comment == "first"
        assert uow.revisions.definitions(1) is definitions
        for missing in (0, 3):
            with pytest.raises(NotFoundError, match=f"no definitions revision {missing}"):
                uow.revisions.get(missing)


def test_an_event_is_stored_once_per_source_and_id() -> None:
    with InMemoryStore().unit_of_work() as uow:
        assert uow.events.add_new([event(0), event(1)]) == {("default", "e0"), ("default", "e1")}
        assert uow.events.add_new([event(1), event(1, source="desk")]) == {("desk", "e1")}
        assert uow.events.count() == 3
        assert uow.events.existing([("default", "e1"), ("default", "e9")]) == {
            ("default", "e1"): event(1)
        }
        assert uow.events.for_tickets(["T1", "T9"]) == {
            "T1": [event(0), event(1), event(1, source="desk")]
        }


# ----------------------------------------------------------------- tickets


def test_a_locked_new_ticket_has_a_row_but_no_state_until_saved() -> None:
    with InMemoryStore().unit_of_work() as uow:
        assert uow.tickets.lock(["T1"]) == {}
        assert uow.tickets.existing(["T1"]) == set()
        assert uow.tickets.pins(["T1"]) == {}
        assert uow.tickets.view("T1") is None
        with pytest.raises(NotFoundError, match="no ticket 'T1'"):
            uow.tickets.get("T1")
        uow.tickets.save([ticket("T1")])
        pin = TicketPin(event_count=1, revision_id=1, created_at=START, evaluated_at=START + 5)
        assert uow.tickets.lock(["T1", "T2"]) == {"T1": pin}
        assert uow.tickets.pins(["T1", "T2"]) == {"T1": pin}
        assert uow.tickets.existing(["T1", "T2"]) == {"T1"}


def test_due_tickets_are_claimed_earliest_first_up_to_the_limit() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.tickets.save([ticket("A", due=START + 50), ticket("B", due=START + 10),
                          ticket("C", due=START + 30), ticket("D")])  # fmt: skip
        assert list(uow.tickets.claim_due(START + 60, 2)) == ["B", "C"]
        assert list(uow.tickets.claim_due(START + 30, 10)) == ["B", "C"]
        assert uow.tickets.claim_due(START + 9, 10) == {}


def test_tickets_created_in_a_half_open_range_are_found() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.tickets.save([ticket("T1")])
        assert list(uow.tickets.created_between(START, START + 1)) == ["T1"]
        assert uow.tickets.created_between(START - 1, START) == {}
        assert list(uow.tickets.created_between(START, None)) == ["T1"]


def test_a_page_of_tickets_filters_by_clocks_and_customer_in_id_order() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.tickets.save([ticket("T3"), ticket("T1"), ticket("T2", customer="globex"),
                          ticket("T4", events=0)])  # fmt: skip
        uow.measurements.replace(["T1"], stored("T1"), {})
        clocks = len(stored("T1"))
        every = uow.tickets.page(measured=None, customer=None, limit=None, offset=0)
        assert [(state.id, count) for state, count in every] == [
            ("T1", clocks),
            ("T2", 0),
            ("T3", 0),
        ]
        measured = uow.tickets.page(measured=True, customer=None, limit=None, offset=0)
        assert [s.id for s, _ in measured] == ["T1"]
        unmeasured = uow.tickets.page(measured=False, customer="acme", limit=None, offset=0)
        assert [s.id for s, _ in unmeasured] == ["T3"]
        assert [
            s.id for s, _ in uow.tickets.page(measured=None, customer=None, limit=1, offset=1)
        ] == ["T2"]


def test_a_ticket_view_holds_its_measurements_by_key_events_and_transitions_by_instant() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.tickets.save([ticket("T1")])
        uow.events.add_new([event(0), event(1)])
        measurements = stored("T1")
        uow.measurements.replace(["T1"], list(reversed(measurements)), {})
        late = Transition(
            "T1", "resolution:0", TransitionKind.BREACHED, "", "c/res", "resolution", START + 9, 1
        )
        early = replace(late, kind=TransitionKind.WARNING, threshold="0.5", at=START + 3)
        uow.transitions.reconcile(["T1"], [late, early], START)
        record = uow.tickets.view("T1")
        assert record is not None
        assert record.state == ticket("T1")
        assert [s.key for s in record.measurements] == sorted(s.key for s in measurements)
        assert record.events == [event(0), event(1)]
        assert record.transitions == [early, late]


# ----------------------------------------------------------------- measurements and transitions


def test_replacing_measurements_drops_every_earlier_one_of_those_tickets_only() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.measurements.replace(["T1", "T2"], stored("T1") + stored("T2"), {})
        uow.measurements.replace(["T1"], [], {})
        assert uow.measurements.for_ticket("T1") == []
        assert set(uow.measurements.for_tickets(["T1", "T2"])) == {"T2"}
        assert uow.measurements.count_by_state() == {"running": len(stored("T2"))}


def test_the_outbox_records_a_transition_once_withdraws_undelivered_ones_and_keeps_delivered():
    warning = Transition(
        "T1", "resolution:0", TransitionKind.WARNING, "0.5", "c/res", "resolution", START, None
    )
    breach = replace(warning, kind=TransitionKind.BREACHED, threshold="", at=START + 9)
    met = replace(breach, kind=TransitionKind.MET, at=START + 5)
    with InMemoryStore().unit_of_work() as uow:
        assert uow.transitions.reconcile(["T1"], [warning, breach], START) == [warning, breach]
        assert uow.transitions.reconcile(["T1"], [warning, breach], START + 1) == []
        uow.transitions.mark_delivered([warning.identity, ("T9", "x", "met", "")], START + 1)
        assert uow.transitions.reconcile(["T1"], [met], START + 2) == [met]
        assert uow.transitions.for_ticket("T1") == [warning, met]
        assert uow.transitions.count() == 2
        moved = replace(met, at=START + 7)
        assert uow.transitions.reconcile(["T1"], [warning, moved], START + 3) == []
        assert uow.transitions.for_ticket("T1") == [warning, moved]
        other = replace(met, ticket="T2")
        uow.transitions.reconcile(["T2"], [other], START)
        uow.transitions.reconcile(["T1"], [], START + 4)
        assert uow.transitions.for_ticket("T2") == [other]  # another ticket's rows are untouched


# ----------------------------------------------------------------- outages, audit, closed periods


def test_outages_are_stored_once_and_found_by_half_open_overlap_in_start_order() -> None:
    late, early = (
        Outage("o2", "email", START + 900, START + 1200),
        Outage("o1", "email", START, START + 600),
    )
    with InMemoryStore().unit_of_work() as uow:
        assert uow.outages.add_new([late, early]) == {("default", "o1"), ("default", "o2")}
        assert uow.outages.add_new([early]) == set()
        assert uow.outages.overlapping("email", START + 500, START + 1000) == [early, late]
        assert uow.outages.overlapping("email", START + 600, START + 900) == []
        assert uow.outages.overlapping("network", START, START + 2000) == []
        assert uow.outages.existing([("default", "o2"), ("x", "o1")]) == {("default", "o2"): late}


def test_audit_entries_are_numbered_filtered_and_the_limit_keeps_the_latest() -> None:
    with InMemoryStore().unit_of_work() as uow:
        for at, action, subject in [(30, AuditAction.TOKEN_CREATED, "ci"),
                                    (10, AuditAction.DEFINITIONS_APPLIED, "1"),
                                    (20, AuditAction.TOKEN_CREATED, "bot")]:  # fmt: skip
            uow.audit.add(AuditEntry.of(at, "dana", action, subject))
        assert [(e.id, e.at) for e in uow.audit.entries()] == [(2, 10), (3, 20), (1, 30)]
        assert [e.subject for e in uow.audit.entries(action=AuditAction.TOKEN_CREATED)] == [
            "bot",
            "ci",
        ]
        assert [e.at for e in uow.audit.entries(since=20)] == [20, 30]
        assert [e.at for e in uow.audit.entries(subject="1")] == [10]
        assert [e.at for e in uow.audit.entries(limit=2)] == [20, 30]
        assert uow.audit.entries(limit=0) == []


def close(customer: str, start: int, closed_at: int) -> ClosedPeriod:
    return ClosedPeriod(customer, "2026-03", start, start + 100, closed_at, "dana", "", 1, "h" * 64)


def test_closed_periods_are_numbered_listed_in_force_and_reopened_once() -> None:
    with InMemoryStore().unit_of_work() as uow:
        first = uow.periods.add(close("globex", 0, START), "{}")
        second = uow.periods.add(close("acme", 200, START + 1), '{"b": 1}')
        third = uow.periods.add(close("acme", 100, START + 2), "{}")
        assert [c.id for c in (first, second, third)] == [1, 2, 3]
        assert [c.id for c in uow.periods.in_force()] == [3, 2, 1]
        assert [c.id for c in uow.periods.in_force("acme")] == [3, 2]
        assert uow.periods.snapshot(2) == '{"b": 1}'
        reopened = uow.periods.reopen(3, START + 9, "lee", "late events")
        assert (reopened.reopened_at, reopened.reopened_by, reopened.reopen_reason) == (
            START + 9, "lee", "late events",
        )  # fmt: skip
        again = uow.periods.reopen(3, START + 99, "kim", "again")
        assert again.reopened_by == "lee"  # the first reopen stands
        assert [c.id for c in uow.periods.in_force("acme")] == [2]
        assert [c.id for c in uow.periods.history("acme")] == [2, 3]
        with pytest.raises(NotFoundError, match="no closed period 4"):
            uow.periods.snapshot(4)


def test_the_history_of_closes_is_oldest_first_by_when_they_were_closed() -> None:
    with InMemoryStore().unit_of_work() as uow:
        uow.periods.add(close("acme", 0, START + 50), "{}")
        uow.periods.add(close("acme", 100, START + 10), "{}")  # closed with an earlier --now
        assert [c.closed_at for c in uow.periods.history()] == [START + 10, START + 50]
