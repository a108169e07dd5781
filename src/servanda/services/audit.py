"""The audit log: who changed definitions, periods, tokens and webhooks, when, and why.

Every change that can move a figure on a report or open a door into the system
is recorded once, in the same transaction as the change (so a change without
its entry, or an entry without its change, cannot exist): applying definitions
(and whether stored tickets were re-measured or kept), closing and reopening a
period, creating and revoking an API token, adding and deactivating a webhook
subscription. The actor is the CLI's ``--author`` (default: the login name) or
the API token's name. Entries are never changed or deleted. The unit of work
holds the log (``UnitOfWork.audit``); ``services.queries.audit_entries`` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar


class AuditAction(StrEnum):
    DEFINITIONS_APPLIED = "definitions.applied"
    PERIOD_CLOSED = "period.closed"
    PERIOD_REOPENED = "period.reopened"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    WEBHOOK_SUBSCRIBED = "webhook.subscribed"
    WEBHOOK_DEACTIVATED = "webhook.deactivated"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded change. ``details`` are text values by name, in a stable order."""

    at: int
    actor: str
    action: AuditAction
    subject: str
    reason: str = ""
    details: tuple[tuple[str, str], ...] = ()
    id: int | None = None

    @classmethod
    def of(
        cls,
        at: int,
        actor: str,
        action: AuditAction,
        subject: str,
        reason: str = "",
        details: Mapping[str, object] | None = None,
    ) -> AuditEntry:
        """An entry with ``details`` rendered as text, sorted by name."""
        shown = tuple(sorted((k, str(v)) for k, v in (details or {}).items()))
        return cls(at, actor or "unknown", action, subject, reason, shown)

    @property
    def detail_map(self) -> dict[str, str]:
        return dict(self.details)


class AuditLog(Protocol):
    """Append-only; ``add`` writes inside the caller's transaction."""

    def add(self, entry: AuditEntry) -> AuditEntry:
        """Store ``entry``; the stored entry (with its id)."""
        ...

    def entries(
        self,
        *,
        action: AuditAction | None = None,
        since: int | None = None,
        subject: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """Matching entries, oldest first (``since``: at or after that instant); at most ``limit``
        of the newest."""
        ...


Recorded = TypeVar("Recorded")
AuditFor = Callable[[Recorded], AuditEntry]
"""The entry to write for a record a store is about to commit (its id known only then)."""
