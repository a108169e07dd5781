"""API tokens: shown once, stored as a digest, roles and customer scope enforced."""

from __future__ import annotations

from dataclasses import replace

import pytest

from servanda.domain.errors import NotFoundError
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.auth import (
    AuthenticationError,
    InvalidTokenRequestError,
    PermissionDeniedError,
    Principal,
    Role,
    TokenRecord,
    authenticate,
    create_token,
    digest_of,
    require_role,
    revoke_token,
)


class InMemoryTokenStore:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[TokenRecord, str]] = {}
        self.audit: list[AuditEntry] = []

    def add(self, *, name, role, customer, digest, prefix, now, audit=None) -> TokenRecord:
        record = TokenRecord(len(self.rows) + 1, name, role, customer, prefix, now, None)
        self.rows[record.id] = (record, digest)
        if audit is not None:
            self.audit.append(audit(record))
        return record

    def find_active(self, digest: str) -> TokenRecord | None:
        return next((r for r, d in self.rows.values() if d == digest and r.is_active), None)

    def all(self) -> list[TokenRecord]:
        return [r for r, _ in self.rows.values()]

    def revoke(self, token_id: int, now: int, audit=None) -> TokenRecord:
        if token_id not in self.rows:
            raise NotFoundError(f"there is no token {token_id}")
        record, digest = self.rows[token_id]
        if record.revoked_at is None and audit is not None:
            self.audit.append(audit(replace(record, revoked_at=now)))
        record = replace(record, revoked_at=record.revoked_at or now)
        self.rows[token_id] = (record, digest)
        return record


def test_only_the_digest_of_a_new_token_is_stored() -> None:
    store = InMemoryTokenStore()
    made = create_token(store, role=Role.VIEWER, now=10, name="grafana")
    [(record, digest)] = store.rows.values()
    assert made.secret.startswith("svd_")
    assert len(made.secret) > 40
    assert digest == digest_of(made.secret) != made.secret
    assert made.secret.startswith(record.prefix)


def test_a_token_authenticates_as_its_role_until_revoked() -> None:
    store = InMemoryTokenStore()
    made = create_token(store, role=Role.CUSTOMER, customer="acme", now=10)
    principal = authenticate(store, made.secret)
    assert (principal.role, principal.customer) == (Role.CUSTOMER, "acme")
    revoke_token(store, made.record.id, now=20)
    with pytest.raises(AuthenticationError):
        authenticate(store, made.secret)


@pytest.mark.parametrize("presented", [None, "", "svd_not-a-real-token"])
def test_a_missing_or_unknown_token_is_refused(presented: str | None) -> None:
    with pytest.raises(AuthenticationError):
        authenticate(InMemoryTokenStore(), presented)


def test_customer_tokens_need_a_customer_and_others_refuse_one() -> None:
    with pytest.raises(InvalidTokenRequestError):
        create_token(InMemoryTokenStore(), role=Role.CUSTOMER, now=1)
    with pytest.raises(InvalidTokenRequestError):
        create_token(InMemoryTokenStore(), role=Role.VIEWER, customer="acme", now=1)


def test_a_customer_principal_sees_only_its_own_customer() -> None:
    acme = Principal(1, "portal", Role.CUSTOMER, "acme")
    assert acme.sees_customer("acme")
    assert not acme.sees_customer("globex")
    assert not acme.sees_customer(None)
    assert Principal(2, "staff", Role.VIEWER).sees_customer("globex")


def test_a_role_outside_the_allowed_ones_is_forbidden() -> None:
    require_role(Principal(1, "bridge", Role.INTEGRATION), Role.ADMIN, Role.INTEGRATION)
    with pytest.raises(PermissionDeniedError):
        require_role(Principal(1, "viewer", Role.VIEWER), Role.ADMIN, Role.INTEGRATION)


def test_creating_and_revoking_a_token_is_audited_once_with_the_actor() -> None:
    store = InMemoryTokenStore()
    made = create_token(
        store, role=Role.CUSTOMER, customer="acme", now=10, name="portal", actor="alice"
    )
    revoke_token(store, made.record.id, 20, actor="bob")
    revoke_token(store, made.record.id, 30, actor="bob")  # already revoked: nothing new
    assert [(e.at, e.actor, e.action, e.subject) for e in store.audit] == [
        (10, "alice", AuditAction.TOKEN_CREATED, "token 1"),
        (20, "bob", AuditAction.TOKEN_REVOKED, "token 1"),
    ]
    assert store.audit[0].detail_map == {
        "customer": "acme", "name": "portal", "prefix": made.record.prefix, "role": "customer",
    }  # fmt: skip
