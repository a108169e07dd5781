"""What every request needs, wired once per app, and the authentication dependencies.

``ApiContext`` holds the storage, the token store, the read queries, where event
batches are folded (``ingestion``) and the clock (``now`` as epoch seconds).
``allow(*roles)`` is the dependency that authenticates the bearer token and
refuses other roles with 403; customer scoping (404 for another customer's data)
is done by the queries themselves.

The dependencies are coroutines that do not block: FastAPI runs a plain ``def``
dependency in a worker thread, and each such hop is a thread wake-up and a GIL
hand-over per request. Only a token the process has not seen within
``TOKEN_RECHECK_SECONDS`` is read from the database, in a thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from servanda.bootstrap import Storage
from servanda.entrypoints.api.ingestion import Ingestion
from servanda.services.audit import AuditFor
from servanda.services.auth import (
    Principal,
    Role,
    TokenRecord,
    TokenStore,
    authenticate,
    digest_of,
    require_role,
)
from servanda.services.metrics import MetricsQuery
from servanda.services.queries import ClockQuery
from servanda.services.webhooks import WebhookStore

TOKEN_RECHECK_SECONDS = 1.0
"""How long a process trusts a token it has found active before reading it again."""


class RecheckedTokens:
    """A ``TokenStore`` that remembers, per process, the tokens it found active for
    ``TOKEN_RECHECK_SECONDS`` (monotonic time), so a client's requests do not each read the
    token table: a revoked token stops working within that second (at once in the process
    that revoked it). Unknown and revoked tokens are never remembered."""

    def __init__(
        self,
        store: TokenStore,
        seconds: float = TOKEN_RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._seconds = seconds
        self._clock = clock
        self._seen: dict[str, tuple[float, TokenRecord]] = {}
        self._lock = threading.Lock()

    def remembers(self, digest: str) -> bool:
        """Whether ``find_active(digest)`` would answer from memory (no database read)."""
        with self._lock:
            seen = self._seen.get(digest)
        return seen is not None and self._clock() - seen[0] < self._seconds

    def find_active(self, digest: str) -> TokenRecord | None:
        now = self._clock()
        with self._lock:
            seen = self._seen.get(digest)
        if seen is not None and now - seen[0] < self._seconds:
            return seen[1]
        record = self._store.find_active(digest)
        with self._lock:
            if record is None:
                self._seen.pop(digest, None)
            else:
                if len(self._seen) >= 10_000:
                    self._seen.clear()
                self._seen[digest] = (now, record)
        return record

    def add(
        self,
        *,
        name: str,
        role: Role,
        customer: str | None,
        digest: str,
        prefix: str,
        now: int,
        audit: AuditFor[TokenRecord] | None = None,
    ) -> TokenRecord:
        return self._store.add(
            name=name,
            role=role,
            customer=customer,
            digest=digest,
            prefix=prefix,
            now=now,
            audit=audit,
        )

    def all(self) -> list[TokenRecord]:
        return self._store.all()

    def revoke(
        self, token_id: int, now: int, audit: AuditFor[TokenRecord] | None = None
    ) -> TokenRecord:
        record = self._store.revoke(token_id, now, audit)
        with self._lock:
            self._seen.clear()
        return record


@dataclass(frozen=True, slots=True)
class ApiContext:
    storage: Storage
    tokens: RecheckedTokens
    clocks: ClockQuery
    webhooks: WebhookStore
    metrics: MetricsQuery
    now: Callable[[], int]
    ingestion: Ingestion


async def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.servanda
    return found


Context = Annotated[ApiContext, Depends(context)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `servanda tokens create`: `Authorization: Bearer svd_...`",
)


async def authenticated(tokens: RecheckedTokens, secret: str | None) -> Principal:
    """``authenticate``, in a worker thread only if the token store must be read."""
    if not secret or tokens.remembers(digest_of(secret)):
        return authenticate(tokens, secret)  # no database read
    return await run_in_threadpool(authenticate, tokens, secret)


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller's principal, if its role is one of ``roles`` (else 403). One
    dependency, not a chain: each level costs FastAPI's resolution on every request."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        ctx: ApiContext = request.app.state.servanda
        principal = await authenticated(
            ctx.tokens, credentials.credentials if credentials else None
        )
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
