"""What every request needs, wired once per app, and the authentication dependencies.

``ApiContext`` holds the storage, the token store, the read queries and the
clock (``now`` as epoch seconds). ``allow(*roles)`` is the dependency that
authenticates the bearer token and refuses other roles with 403; customer
scoping (404 for another customer's data) is done by the queries themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servanda.bootstrap import Storage
from servanda.services.auth import Principal, Role, TokenStore, authenticate, require_role
from servanda.services.metrics import MetricsQuery
from servanda.services.queries import ClockQuery
from servanda.services.webhooks import WebhookStore

INGESTION_SLOTS = 4
"""Event batches folded at once per process: ingestion is CPU-bound, so more only adds waiting
(two keep one batch folding while the other waits on the database)."""


@dataclass(frozen=True, slots=True)
class ApiContext:
    storage: Storage
    tokens: TokenStore
    clocks: ClockQuery
    webhooks: WebhookStore
    metrics: MetricsQuery
    now: Callable[[], int]
    ingestion_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(INGESTION_SLOTS)
    )
    definitions_applied: threading.Event = field(default_factory=threading.Event)


def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.servanda
    return found


Context = Annotated[ApiContext, Depends(context)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `servanda tokens create`: `Authorization: Bearer svd_...`",
)


def current_principal(
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return authenticate(ctx.tokens, credentials.credentials if credentials else None)


def allow(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency: the caller's principal, if its role is one of ``roles`` (else 403)."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        require_role(principal, *roles)
        return principal

    return dependency


READERS = (Role.ADMIN, Role.VIEWER, Role.CUSTOMER)
CLOCK_READERS = (Role.ADMIN, Role.VIEWER, Role.INTEGRATION, Role.CUSTOMER)
WRITERS = (Role.ADMIN, Role.INTEGRATION)
STAFF = (Role.ADMIN, Role.VIEWER)

Reader = Annotated[Principal, Depends(allow(*READERS))]
ClockReader = Annotated[Principal, Depends(allow(*CLOCK_READERS))]
Writer = Annotated[Principal, Depends(allow(*WRITERS))]
Staff = Annotated[Principal, Depends(allow(*STAFF))]
Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]


def only_customer(principal: Principal) -> str | None:
    """The customer a principal is confined to, or ``None`` for staff roles."""
    return principal.customer if principal.is_customer else None
