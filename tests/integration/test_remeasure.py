"""A revision reaching back over stored tickets, on SQLite and PostgreSQL: the preview is exactly
what ``--remeasure`` then stores, ``--no-remeasure`` keeps every stored figure, and either
choice is audited."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from servanda.bootstrap import Storage, connect, load_settings
from servanda.domain.agreements import Definitions
from servanda.domain.clock.measurement import ClockState
from servanda.domain.periods import parse_period
from servanda.services.audit import AuditAction
from servanda.services.credit_reports import customer_statement
from servanda.services.generation import generate_events
from servanda.services.ingestion import record_events
from servanda.services.queries import audit_entries
from servanda.services.reports import load_definitions as definitions_for_period
from servanda.services.revision_preview import OPEN, RevisionPreview, preview_revision
from servanda.services.revisions import RemeasureChoiceRequiredError, apply_definitions
from servanda.specs.loader import load_definitions
from servanda.specs.snapshot import content_hash

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-level"
NOW = int(datetime(2026, 4, 5, tzinfo=UTC).timestamp())
APPLIED = NOW + 86_400


def _berlin(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Berlin")).timestamp())


def draft(tmp_path: Path) -> Definitions:
    """The example with gold P1 resolution 4h -> 24h and silver P2 resolution 12h -> 6h."""
    folder = tmp_path / "draft"
    shutil.copytree(EXAMPLE, folder)
    groups = folder / "agreements" / "groups.yaml"
    text = groups.read_text(encoding="utf-8")
    text = text.replace("when: {priority: P1}, target: 4h", "when: {priority: P1}, target: 24h")
    text = text.replace("when: {priority: P2}, target: 12h", "when: {priority: P2}, target: 6h")
    groups.write_text(text, encoding="utf-8")
    return load_definitions(folder)


@pytest.fixture
def stored(database_url: str) -> Iterator[Storage]:
    """The multi-level example (effective 2026-01-01) and 600 tickets over January-March."""
    storage = connect(load_settings(database_url=database_url))
    definitions = load_definitions(EXAMPLE)
    apply_definitions(
        storage.uow_factory, definitions, fingerprint=content_hash, now=_berlin(date(2026, 1, 1)),
        effective_from=_berlin(date(2026, 1, 1)),
    )  # fmt: skip
    events = list(
        generate_events(definitions, 600, seed=11, start=date(2026, 1, 5), tickets_per_day=8)
    )
    for start in range(0, len(events), 1000):
        record_events(storage.uow_factory, storage.evaluator, events[start : start + 1000], NOW)
    yield storage
    storage.dispose()


def _states(storage: Storage) -> dict[tuple[str, str], ClockState]:
    from sqlalchemy import select

    from servanda.adapters.sqlalchemy.tables import measurements

    with storage.engine.connect() as connection:
        rows = connection.execute(
            select(measurements.c.ticket_id, measurements.c.key, measurements.c.state)
        )
        return {(t, k): ClockState(s) for t, k, s in rows}


def _net_credits(storage: Storage, customer: str, period: str) -> tuple[object, ...]:
    sources = storage.reports
    revision_id, definitions = definitions_for_period(sources, parse_period(period, "UTC"))
    statement = customer_statement(
        sources, definitions, customer, period, revision_id=revision_id
    ).statement
    return tuple(statement.net(c) for c in statement.currencies)


def _preview(storage: Storage, definitions: Definitions) -> RevisionPreview:
    return preview_revision(
        storage.reports, storage.evaluator, definitions, now=APPLIED,
        effective_from=_berlin(date(2026, 2, 1)),
    )  # fmt: skip


def test_the_preview_is_exactly_what_re_measuring_stores(stored: Storage, tmp_path: Path) -> None:
    new = draft(tmp_path)
    before = _states(stored)
    preview = _preview(stored, new)
    assert preview.affected > 300
    assert 0 < preview.changed <= preview.affected
    concluded = [row for row in preview.rows if row.customer and row.period != OPEN]
    assert sum(row.met_to_breached for row in concluded) > 0
    assert any(row.credits_before != row.credits_after for row in concluded)
    for row in concluded:
        assert row.credits_before == _net_credits(stored, row.customer or "", row.period)

    applied = apply_definitions(
        stored.uow_factory, new, fingerprint=content_hash, now=APPLIED,
        effective_from=_berlin(date(2026, 2, 1)), remeasure=True, evaluator=stored.evaluator,
        author="alice",
    )  # fmt: skip
    assert (applied.affected, applied.remeasured) == (preview.affected, preview.affected)
    after = _states(stored)
    flips = sum(
        1
        for key, state in after.items()
        if before.get(key) is ClockState.MET and state is ClockState.BREACHED
    )
    assert flips == sum(row.met_to_breached for row in preview.rows)
    for row in concluded:
        assert _net_credits(stored, row.customer or "", row.period) == row.credits_after, row
    [entry] = audit_entries(
        stored.uow_factory, action=AuditAction.DEFINITIONS_APPLIED, since=APPLIED
    )
    assert (entry.actor, entry.detail_map["remeasured_tickets"]) == ("alice", str(preview.affected))


def test_keeping_the_figures_changes_no_stored_measurement(stored: Storage, tmp_path: Path) -> None:
    new = draft(tmp_path)
    before = _states(stored)
    with pytest.raises(RemeasureChoiceRequiredError):
        apply_definitions(
            stored.uow_factory, new, fingerprint=content_hash, now=APPLIED,
            effective_from=_berlin(date(2026, 2, 1)), evaluator=stored.evaluator,
        )  # fmt: skip
    with stored.uow_factory() as uow:
        assert len(uow.revisions.history()) == 1
    kept = apply_definitions(
        stored.uow_factory, new, fingerprint=content_hash, now=APPLIED,
        effective_from=_berlin(date(2026, 2, 1)), remeasure=False,
    )  # fmt: skip
    assert kept.affected > 300
    assert kept.remeasured == 0
    assert _states(stored) == before
