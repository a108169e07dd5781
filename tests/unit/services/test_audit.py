"""Audit entries: details rendered as sorted text, and the log kept with the change it records."""

from __future__ import annotations

from decimal import Decimal

from servanda.adapters.memory import InMemoryStore
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.queries import audit_entries


def test_an_entry_renders_its_details_as_text_sorted_by_name() -> None:
    entry = AuditEntry.of(
        100,
        "alice",
        AuditAction.PERIOD_CLOSED,
        "period 2026-03 acme",
        "month end",
        {"revision_ceiling": 3, "content_hash": "ab12", "net_credits_EUR": Decimal("4100.00")},
    )
    assert entry.details == (
        ("content_hash", "ab12"),
        ("net_credits_EUR", "4100.00"),
        ("revision_ceiling", "3"),
    )
    assert entry.detail_map["revision_ceiling"] == "3"
    assert (entry.at, entry.actor, entry.action.value, entry.reason, entry.id) == (
        100,
        "alice",
        "period.closed",
        "month end",
        None,
    )


def test_an_entry_without_an_actor_names_an_unknown_one() -> None:
    entry = AuditEntry.of(1, "", AuditAction.TOKEN_CREATED, "token ci")
    assert (entry.actor, entry.details) == ("unknown", ())


def test_an_entry_added_in_a_unit_of_work_that_does_not_commit_is_not_kept() -> None:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        uow.audit.add(AuditEntry.of(1, "bob", AuditAction.TOKEN_REVOKED, "token ci"))
    with store.unit_of_work() as uow:
        kept = uow.audit.add(AuditEntry.of(2, "bob", AuditAction.TOKEN_CREATED, "token ci"))
        uow.commit()
    assert kept.id == 1
    assert [e.action for e in audit_entries(store.unit_of_work)] == [AuditAction.TOKEN_CREATED]
