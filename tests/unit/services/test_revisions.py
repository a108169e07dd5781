"""apply_definitions and the revision diff: immutable revisions, stored only when content changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from servanda.bootstrap import fold_for, memory_storage
from servanda.domain.agreements import Vocabulary
from servanda.domain.events import EventType, TicketEvent
from servanda.services.audit import AuditAction
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.ports import UnitOfWorkFactory
from servanda.services.queries import audit_entries
from servanda.services.revision_diff import ChangeKind, diff_definitions
from servanda.services.revisions import (
    BEGINNING,
    EffectiveDefault,
    RemeasureChoiceRequiredError,
    apply_definitions,
    revision_history,
)
from servanda.services.sweeping import sweep_due_clocks
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, small_definitions


def test_applying_unchanged_definitions_stores_no_new_revision() -> None:
    uow_factory, _ = memory_storage()
    first = apply_definitions(uow_factory, small_definitions(), fingerprint=content_hash, now=START)
    again = apply_definitions(
        uow_factory, small_definitions(), fingerprint=content_hash, now=START + 9
    )
    assert first.created
    assert not again.created
    assert again.revision == first.revision
    assert len(revision_history(uow_factory)) == 1


def test_changed_definitions_become_a_new_revision_effective_now_by_default() -> None:
    uow_factory, _ = memory_storage()
    apply_definitions(uow_factory, small_definitions(), fingerprint=content_hash, now=START)
    changed = apply_definitions(
        uow_factory,
        small_definitions(resolution_hours=6),
        fingerprint=content_hash,
        now=START + 100,
        comment="faster resolution",
    )
    assert changed.created
    assert (changed.revision.id, changed.revision.effective_from) == (2, START + 100)
    assert [r.comment for r in revision_history(uow_factory)] == ["", "faster resolution"]


def test_the_diff_names_the_objective_and_shows_targets_as_durations() -> None:
    changes = diff_definitions(small_definitions(8), small_definitions(6))
    assert [str(c) for c in changes] == [
        "  ~ agreement corporate / objective res: target_seconds: 8h -> 6h"
    ]


def test_the_diff_lists_added_and_removed_agreements() -> None:
    old = small_definitions()
    renamed = replace(old.agreements[0], id="corporate-2026")
    changes = diff_definitions(old, replace(old, agreements=(renamed,)))
    assert [(c.kind, c.subject) for c in changes] == [
        (ChangeKind.REMOVED, "agreement corporate"),
        (ChangeKind.ADDED, "agreement corporate-2026"),
    ]


def test_the_diff_shows_the_declared_vocabulary_added_changed_and_dropped() -> None:
    old = replace(
        small_definitions(),
        vocabulary=Vocabulary(
            priorities=frozenset({"P1", "P2"}), attributes={"channel": frozenset({"email"})}
        ),
    )
    new = replace(
        small_definitions(),
        vocabulary=Vocabulary(
            priorities=frozenset({"P1", "P3"}), statuses=frozenset({"open", "waiting"})
        ),
    )
    assert [str(c) for c in diff_definitions(old, new)] == [
        "  ~ vocabulary.priorities: +P3, -P2",
        "  + vocabulary.statuses: open, waiting",
        "  - vocabulary.attributes.channel",
    ]


def test_identical_definitions_have_an_empty_diff() -> None:
    assert diff_definitions(small_definitions(), small_definitions()) == []


# ------------------------------------------------------- effective dates and stored tickets
LATER = START + 30 * 24 * HOUR


def _stored_with_one_ticket() -> tuple[UnitOfWorkFactory, Evaluator]:
    """Revision 1 (resolution 8h) and ticket OLD, created at START and re-folded at LATER."""
    uow_factory, evaluator = memory_storage()
    apply_definitions(uow_factory, small_definitions(), fingerprint=content_hash, now=START)
    created = TicketEvent("a0", "OLD", EventType.CREATED, START + HOUR, priority="P3")
    record_events(uow_factory, evaluator, [created], LATER)
    return uow_factory, evaluator


def _resolution(uow_factory: UnitOfWorkFactory, ticket: str) -> tuple[int | None, int]:
    with uow_factory() as uow:
        stored = {s.key: s for s in uow.measurements.for_ticket(ticket)}["resolution:0"]
        return stored.revision_id, stored.measurement.target_seconds


def test_the_first_revision_of_a_database_is_effective_from_the_beginning() -> None:
    uow_factory, _ = memory_storage()
    first = apply_definitions(uow_factory, small_definitions(), fingerprint=content_hash, now=START)
    later = apply_definitions(
        uow_factory, small_definitions(6), fingerprint=content_hash, now=START + 100
    )
    assert (first.revision.effective_from, first.defaulted) == (
        BEGINNING,
        EffectiveDefault.BEGINNING,
    )
    assert (later.revision.effective_from, later.defaulted) == (START + 100, EffectiveDefault.NOW)
    given = apply_definitions(
        uow_factory, small_definitions(5), fingerprint=content_hash, now=START + 200,
        effective_from=START + 150,
    )  # fmt: skip
    assert given.defaulted is None


def test_a_revision_reaching_back_over_stored_tickets_needs_a_choice_and_stores_nothing_without() -> (
    None
):
    uow_factory, evaluator = _stored_with_one_ticket()
    with pytest.raises(RemeasureChoiceRequiredError, match="1 stored ticket") as raised:
        apply_definitions(
            uow_factory, small_definitions(2), fingerprint=content_hash, now=LATER,
            effective_from=START, evaluator=evaluator,
        )  # fmt: skip
    assert raised.value.affected == 1
    assert len(revision_history(uow_factory)) == 1
    assert [e.subject for e in audit_entries(uow_factory)] == ["revision 1"]
    assert _resolution(uow_factory, "OLD") == (1, 8 * HOUR)


def test_a_revision_effective_after_every_stored_ticket_needs_no_choice() -> None:
    uow_factory, _ = _stored_with_one_ticket()
    applied = apply_definitions(
        uow_factory, small_definitions(2), fingerprint=content_hash, now=LATER,
        effective_from=START + 2 * HOUR,
    )  # fmt: skip
    assert (applied.created, applied.affected) == (True, 0)


def test_keeping_the_figures_leaves_stored_tickets_on_their_revision_even_when_events_arrive() -> (
    None
):
    uow_factory, evaluator = _stored_with_one_ticket()
    kept = apply_definitions(
        uow_factory, small_definitions(2), fingerprint=content_hash, now=LATER,
        effective_from=START, remeasure=False, author="alice", comment="faster",
    )  # fmt: skip
    assert (kept.affected, kept.remeasured) == (1, 0)
    reply = TicketEvent("a1", "OLD", EventType.RESPONDED, START + 2 * HOUR)
    newcomer = TicketEvent("b0", "NEW", EventType.CREATED, START + 3 * HOUR, priority="P3")
    record_events(uow_factory, evaluator, [reply, newcomer], LATER + HOUR)
    sweep_due_clocks(uow_factory, evaluator, LATER + 2 * HOUR)
    assert _resolution(uow_factory, "OLD") == (1, 8 * HOUR)  # an unrelated event changes nothing
    assert _resolution(uow_factory, "NEW") == (2, 2 * HOUR)  # a new ticket takes the new one
    entry = audit_entries(uow_factory)[-1]
    assert (entry.actor, entry.action, entry.subject, entry.reason) == (
        "alice", AuditAction.DEFINITIONS_APPLIED, "revision 2", "faster",
    )  # fmt: skip
    assert entry.detail_map["outcome"] == "kept the figures of 1 stored ticket(s) (--no-remeasure)"


def test_re_measuring_folds_the_stored_tickets_under_the_new_revision_as_of_their_last_fold() -> (
    None
):
    uow_factory, evaluator = _stored_with_one_ticket()
    done: list[tuple[int, int]] = []
    applied = apply_definitions(
        uow_factory, small_definitions(2), fingerprint=content_hash, now=LATER + 5 * HOUR,
        effective_from=START, remeasure=True, evaluator=evaluator,
        progress=lambda n, total: done.append((n, total)),
    )  # fmt: skip
    assert (applied.affected, applied.remeasured, done) == (1, 1, [(1, 1)])
    assert _resolution(uow_factory, "OLD") == (2, 2 * HOUR)
    with uow_factory() as uow:
        stored = [s.measurement for s in uow.measurements.for_ticket("OLD")]
        events = uow.events.for_tickets(["OLD"])["OLD"]
        assert uow.tickets.get("OLD").evaluated_at == LATER
    direct = fold_for(small_definitions(2)).evaluate(events, LATER).measurements
    assert sorted(stored, key=repr) == sorted(direct, key=repr)
    assert audit_entries(uow_factory)[-1].detail_map["remeasured_tickets"] == "1"


def test_a_ticket_whose_created_event_arrives_later_is_measured_by_the_revision_of_its_creation() -> (
    None
):
    uow_factory, evaluator = memory_storage()
    apply_definitions(uow_factory, small_definitions(), fingerprint=content_hash, now=START)
    apply_definitions(
        uow_factory, small_definitions(2), fingerprint=content_hash, now=START,
        effective_from=START + 10 * HOUR,
    )  # fmt: skip
    reply = TicketEvent("c1", "LATE", EventType.RESPONDED, START + 11 * HOUR)
    record_events(uow_factory, evaluator, [reply], LATER)  # dated by its reply: revision 2
    created = TicketEvent("c0", "LATE", EventType.CREATED, START + HOUR, priority="P3")
    record_events(uow_factory, evaluator, [created], LATER)
    assert _resolution(uow_factory, "LATE") == (1, 8 * HOUR)


def test_a_ticket_created_before_every_revision_is_refused_with_what_to_do() -> None:
    uow_factory, evaluator = memory_storage()
    apply_definitions(
        uow_factory, small_definitions(), fingerprint=content_hash, now=START,
        effective_from=START,
    )  # fmt: skip
    early = TicketEvent("x0", "EARLY", EventType.CREATED, START - HOUR, priority="P1")
    reply = TicketEvent("y1", "NOCREATE", EventType.RESPONDED, START - 2 * HOUR)
    outcome = record_events(uow_factory, evaluator, [early, reply], LATER)
    assert outcome.refused == frozenset({early.identity})
    (finding,) = outcome.findings[early.identity]
    assert finding.code.value == "created_before_definitions"
    assert "--effective-from" in finding.message
    with uow_factory() as uow:
        assert uow.events.for_tickets(["EARLY"]) == {}
        assert uow.measurements.for_ticket("NOCREATE") == []  # kept, without a clock
        assert uow.events.for_tickets(["NOCREATE"]) == {"NOCREATE": [reply]}
