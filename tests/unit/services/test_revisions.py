"""apply_definitions and the revision diff: immutable revisions, stored only when content changes."""

from __future__ import annotations

from dataclasses import replace

from servanda.bootstrap import memory_storage
from servanda.services.revision_diff import ChangeKind, diff_definitions
from servanda.services.revisions import apply_definitions, revision_history
from servanda.specs.snapshot import content_hash
from tests.streams import START, small_definitions


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


def test_identical_definitions_have_an_empty_diff() -> None:
    assert diff_definitions(small_definitions(), small_definitions()) == []
