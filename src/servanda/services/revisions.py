"""Definitions revisions: apply a definitions set, list the history, diff two revisions.

Rules: a revision is immutable. ``apply_definitions`` stores a new one only when
the content (its canonical snapshot's hash) differs from the latest revision's;
re-applying unchanged definitions is a no-op that names the revision in force.
``effective_from`` is an instant (epoch seconds, UTC) from which newly created
tickets are measured by the revision; it defaults to the apply instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from servanda.domain.agreements import Definitions
from servanda.services.ports import RevisionSummary, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class AppliedRevision:
    revision: RevisionSummary
    created: bool  # False: the content equals the latest revision's, nothing was stored


def apply_definitions(
    uow_factory: UnitOfWorkFactory,
    definitions: Definitions,
    *,
    fingerprint: Callable[[Definitions], str],
    now: int,
    effective_from: int | None = None,
    comment: str = "",
    sources: dict[str, str] | None = None,
) -> AppliedRevision:
    """Store ``definitions`` as a new revision unless they equal the latest one."""
    content_hash = fingerprint(definitions)
    with uow_factory() as uow:
        latest = uow.revisions.latest()
        if latest is not None and latest.content_hash == content_hash:
            return AppliedRevision(latest, created=False)
        stored = uow.revisions.add(
            definitions,
            content_hash=content_hash,
            effective_from=now if effective_from is None else effective_from,
            applied_at=now,
            comment=comment,
            sources=dict(sources or {}),
        )
        uow.commit()
    return AppliedRevision(stored, created=True)


def revision_history(uow_factory: UnitOfWorkFactory) -> list[RevisionSummary]:
    """Every revision, oldest first."""
    with uow_factory() as uow:
        return uow.revisions.history()


def revision_definitions(
    uow_factory: UnitOfWorkFactory, revision_id: int
) -> tuple[RevisionSummary, Definitions]:
    """A revision and its definitions; ``NotFoundError`` if it does not exist."""
    with uow_factory() as uow:
        return uow.revisions.get(revision_id), uow.revisions.definitions(revision_id)
