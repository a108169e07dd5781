"""API tokens and roles: create (the secret is shown once), authenticate, list, revoke.

Rules:
- A token is ``svd_`` + 43 URL-safe characters (256 random bits). Only its
  SHA-256 hex digest is stored: a token this random cannot be brute-forced
  from its hash, so a slow password hash would buy nothing and cost every
  request. The first 12 characters are kept as a ``prefix`` to recognise it.
- Roles: ``admin`` (everything), ``integration`` (write events and outages,
  read clocks), ``viewer`` (read everything), ``customer`` (read only its own
  customer's tickets, clocks, reports and agreements). A ``customer`` token
  names exactly one customer; the other roles name none.
- A revoked token never authenticates again; revoking twice is a no-op.
Instants are epoch seconds (UTC), given by the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from servanda.domain.errors import ServandaError
from servanda.services.audit import AuditAction, AuditEntry, AuditFor

TOKEN_PREFIX = "svd_"
PREFIX_LENGTH = 12


class AuthenticationError(ServandaError):
    """No token, an unknown token or a revoked token (HTTP 401)."""

    code = "unauthenticated"


class PermissionDeniedError(ServandaError):
    """The token's role may not do this at all (HTTP 403). Never used to hide another customer's data."""

    code = "forbidden"


class InvalidTokenRequestError(ServandaError, ValueError):
    """A token cannot be created as asked (e.g. a customer token without a customer)."""

    code = "invalid_token_request"


class Role(StrEnum):
    ADMIN = "admin"
    INTEGRATION = "integration"
    VIEWER = "viewer"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a role, and for ``customer`` the one customer it may see."""

    token_id: int
    name: str
    role: Role
    customer: str | None = None

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER

    def sees_customer(self, customer: str | None) -> bool:
        """Whether data of ``customer`` is visible: always, unless this is a customer token."""
        return not self.is_customer or (customer is not None and customer == self.customer)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored token without its secret."""

    id: int
    name: str
    role: Role
    customer: str | None
    prefix: str
    created_at: int
    revoked_at: int | None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class CreatedToken:
    """A new token: ``secret`` exists only here and is never stored or shown again."""

    record: TokenRecord
    secret: str


class TokenStore(Protocol):
    """Where tokens live; each call is its own transaction."""

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
        """Store the token (and ``audit``'s entry for it, in the same transaction)."""
        ...

    def find_active(self, digest: str) -> TokenRecord | None: ...

    def all(self) -> list[TokenRecord]: ...

    def revoke(
        self, token_id: int, now: int, audit: AuditFor[TokenRecord] | None = None
    ) -> TokenRecord:
        """Mark the token revoked (keeping the first instant); ``NotFoundError`` if unknown.
        ``audit``'s entry is written in the same transaction."""
        ...


def digest_of(secret: str) -> str:
    """The stored form of a token: SHA-256 hex of its UTF-8 text."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    store: TokenStore,
    *,
    role: Role,
    now: int,
    customer: str | None = None,
    name: str = "",
    actor: str = "",
) -> CreatedToken:
    """Make and store a new token; the returned ``secret`` is the only copy. The creation is
    written to the audit log as done by ``actor``."""
    if role is Role.CUSTOMER and not customer:
        raise InvalidTokenRequestError("a customer token needs --customer")
    if role is not Role.CUSTOMER and customer:
        raise InvalidTokenRequestError(f"only customer tokens name a customer, not {role.value}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = store.add(
        name=name or f"{role.value} token",
        role=role,
        customer=customer or None,
        digest=digest_of(secret),
        prefix=secret[:PREFIX_LENGTH],
        now=now,
        audit=lambda r: _token_entry(r, now, actor, AuditAction.TOKEN_CREATED),
    )
    return CreatedToken(record, secret)


def _token_entry(record: TokenRecord, at: int, actor: str, action: AuditAction) -> AuditEntry:
    details = {"name": record.name, "role": record.role.value, "prefix": record.prefix}
    if record.customer:
        details["customer"] = record.customer
    return AuditEntry.of(at, actor, action, f"token {record.id}", details=details)


def authenticate(store: TokenStore, secret: str | None) -> Principal:
    """The principal of a presented token; ``AuthenticationError`` when missing, unknown or revoked."""
    if not secret:
        raise AuthenticationError("this endpoint needs an API token: Authorization: Bearer <token>")
    record = store.find_active(digest_of(secret))
    if record is None:
        raise AuthenticationError("the API token is unknown or revoked")
    return Principal(record.id, record.name, record.role, record.customer)


def list_tokens(store: TokenStore) -> list[TokenRecord]:
    """Every token ever created (active and revoked), oldest first."""
    return store.all()


def revoke_token(store: TokenStore, token_id: int, now: int, actor: str = "") -> TokenRecord:
    """Revoke a token by id; it stops authenticating at once (audited as done by ``actor``)."""
    return store.revoke(
        token_id, now, audit=lambda r: _token_entry(r, now, actor, AuditAction.TOKEN_REVOKED)
    )


def require_role(principal: Principal, *allowed: Role) -> None:
    """``PermissionDeniedError`` unless the principal's role is one of ``allowed``."""
    if principal.role not in allowed:
        raise PermissionDeniedError(f"a {principal.role.value} token may not do this")
