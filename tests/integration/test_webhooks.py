"""Webhook delivery to a receiver on 127.0.0.1: signed, retried with backoff, once per subscription."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servanda.adapters.sqlalchemy.webhook_store import SqlAlchemyWebhookStore
from servanda.adapters.webhooks import HttpxWebhookSender
from servanda.bootstrap import Storage, connect, load_settings
from servanda.services.ingestion import record_events
from servanda.services.webhooks import (
    DeliveryStatus,
    backoff_seconds,
    deliver_webhooks,
    sign,
    subscribe,
    verify,
)
from servanda.specs.events import event_from_json
from tests.e2e.api_support import clear_api_tables, created
from tests.integration.webhook_receiver import receiver
from tests.streams import HOUR, START, apply_small_definitions

SECRET = "a-long-enough-signing-secret"
NOW = START + 2 * HOUR


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = connect(load_settings(database_url=database_url))
    clear_api_tables(opened)
    apply_small_definitions(opened.uow_factory)
    yield opened
    opened.dispose()


def _ingest(storage: Storage, *events: dict[str, object]) -> None:
    parsed = [event_from_json(e) for e in events]
    record_events(storage.uow_factory, storage.evaluator, parsed, NOW)


def test_a_breach_arrives_once_signed_and_verifiable(storage: Storage) -> None:
    store = SqlAlchemyWebhookStore(storage.engine)
    with receiver() as hook, HttpxWebhookSender() as sender:
        subscribe(store, url=hook.url + "/sla", events=["breach"], secret=SECRET, now=START)
        _ingest(storage, created("T1", "acme"))
        first = deliver_webhooks(store, sender, NOW)
        again = deliver_webhooks(store, sender, NOW + 3600)
    assert (first.delivered, again.delivered) == (1, 0)
    [request] = hook.received
    assert request.path == "/sla"
    assert request.document["event"] == "breach"
    assert request.document["ticket"] == "T1"
    assert request.headers["Servanda-Signature"].startswith("v1=")
    assert verify(
        SECRET,
        request.headers["Servanda-Timestamp"],
        request.headers["Servanda-Signature"],
        request.body,
        now=NOW,
    )
    assert not verify(
        "another-secret-entirely", request.headers["Servanda-Timestamp"],
        request.headers["Servanda-Signature"], request.body, now=NOW,
    )  # fmt: skip


def test_a_failed_delivery_is_retried_after_the_backoff_and_logged(storage: Storage) -> None:
    store = SqlAlchemyWebhookStore(storage.engine)
    with receiver(fail_first=1) as hook, HttpxWebhookSender() as sender:
        subscribe(store, url=hook.url, events=["breach"], secret=SECRET, now=START)
        _ingest(storage, created("T1", "acme"))
        failed = deliver_webhooks(store, sender, NOW)
        too_soon = deliver_webhooks(store, sender, NOW + backoff_seconds(1) - 1)
        retried = deliver_webhooks(store, sender, NOW + backoff_seconds(1))
    assert (failed.retrying, too_soon.delivered, retried.delivered) == (1, 0, 1)
    assert len(hook.received) == 2
    assert hook.received[0].body == hook.received[1].body
    [logged] = store.deliveries(limit=10)
    assert (logged.status, logged.attempts, logged.last_status_code) == (
        DeliveryStatus.DELIVERED,
        2,
        204,
    )


def test_subscriptions_get_only_their_events_and_their_customer(storage: Storage) -> None:
    store = SqlAlchemyWebhookStore(storage.engine)
    with receiver() as hook, HttpxWebhookSender() as sender:
        subscribe(store, url=hook.url + "/warn", events=["warning"], secret=SECRET, now=START)
        subscribe(
            store, url=hook.url + "/acme", events=["breach", "warning"], secret=SECRET,
            now=START, customer="acme",
        )  # fmt: skip
        _ingest(
            storage,
            created("A", "acme", at=START - 5 * HOUR, priority="P3"),
            created("G", "globex", at=START - 5 * HOUR, priority="P3"),
        )
        deliver_webhooks(store, sender, NOW)
    seen = sorted((r.path, r.document["ticket"], r.document["event"]) for r in hook.received)
    # 7 h in: first response (4 h) breached, resolution (8 h) warned at 50 % and 80 %.
    assert seen == [
        ("/acme", "A", "breach"),
        ("/acme", "A", "warning"),
        ("/acme", "A", "warning"),
        ("/warn", "A", "warning"),
        ("/warn", "A", "warning"),
        ("/warn", "G", "warning"),
        ("/warn", "G", "warning"),
    ]


def test_an_unreachable_receiver_fails_after_the_last_attempt(storage: Storage) -> None:
    store = SqlAlchemyWebhookStore(storage.engine)
    subscribe(store, url="http://127.0.0.1:9/closed", events=["breach"], secret=SECRET, now=START)
    _ingest(storage, created("T1", "acme"))
    at = NOW
    with HttpxWebhookSender(timeout_seconds=1) as sender:
        for attempt in range(1, 9):
            run = deliver_webhooks(store, sender, at)
            at += backoff_seconds(attempt)
    assert (run.failed, run.retrying) == (1, 0)
    [logged] = store.deliveries(limit=10)
    assert (logged.status, logged.attempts) == (DeliveryStatus.FAILED, 8)
    assert logged.last_error


def test_the_signature_covers_timestamp_and_body() -> None:
    signature = sign(SECRET, 1_700_000_000, b'{"a":1}')
    assert verify(SECRET, "1700000000", signature, b'{"a":1}', now=1_700_000_100)
    assert not verify(SECRET, "1700000001", signature, b'{"a":1}', now=1_700_000_100)
    assert not verify(SECRET, "1700000000", signature, b'{"a":2}', now=1_700_000_100)
    assert not verify(SECRET, "1700000000", signature, b'{"a":1}', now=1_700_001_000)
