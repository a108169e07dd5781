"""The API's per-process token memory: active tokens for a second, never unknown or revoked ones."""

from __future__ import annotations

from servanda.entrypoints.api.context import RecheckedTokens
from servanda.services.auth import Role, authenticate, create_token, digest_of
from tests.unit.services.test_auth import InMemoryTokenStore


class CountingStore(InMemoryTokenStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def find_active(self, digest: str):
        self.reads += 1
        return super().find_active(digest)


def test_an_active_token_is_read_again_only_after_a_second() -> None:
    store, clock = CountingStore(), [100.0]
    tokens = RecheckedTokens(store, clock=lambda: clock[0])
    made = create_token(tokens, role=Role.VIEWER, now=1)
    for _ in range(3):
        assert authenticate(tokens, made.secret).role is Role.VIEWER
    assert store.reads == 1
    clock[0] += 1.0
    authenticate(tokens, made.secret)
    assert store.reads == 2


def test_a_token_revoked_elsewhere_stops_working_within_the_second() -> None:
    store, clock = CountingStore(), [100.0]
    tokens = RecheckedTokens(store, clock=lambda: clock[0])
    made = create_token(tokens, role=Role.VIEWER, now=1)
    authenticate(tokens, made.secret)
    store.revoke(made.record.id, now=2)  # another process: this one is not told
    clock[0] += 0.5
    assert tokens.find_active(digest_of(made.secret)) is not None
    clock[0] += 0.5
    assert tokens.find_active(digest_of(made.secret)) is None


def test_a_revocation_through_it_counts_at_once_and_unknown_tokens_are_always_read() -> None:
    store = CountingStore()
    tokens = RecheckedTokens(store, clock=lambda: 100.0)
    made = create_token(tokens, role=Role.ADMIN, now=1)
    authenticate(tokens, made.secret)
    tokens.revoke(made.record.id, now=2)
    assert tokens.find_active(digest_of(made.secret)) is None
    reads = store.reads
    for _ in range(2):
        assert tokens.find_active(digest_of("svd_unknown")) is None
    assert store.reads == reads + 2


def test_remembers_tells_whether_a_token_would_be_answered_from_memory() -> None:
    store, clock = CountingStore(), [100.0]
    tokens = RecheckedTokens(store, clock=lambda: clock[0])
    made = create_token(tokens, role=Role.VIEWER, now=1)
    digest = digest_of(made.secret)
    assert not tokens.remembers(digest)
    authenticate(tokens, made.secret)
    assert tokens.remembers(digest)
    assert not tokens.remembers(digest_of("svd_unknown"))
    clock[0] += 1.0
    assert not tokens.remembers(digest)
    assert store.reads == 1  # asking never reads the store
