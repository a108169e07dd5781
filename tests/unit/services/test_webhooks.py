"""Webhook signing, backoff and the delivery decision, with an in-memory store and sender."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

import pytest

from servanda.services.ports import TransitionKind
from servanda.services.webhooks import (
    MAX_ATTEMPTS,
    DeliveryStatus,
    InvalidSubscriptionError,
    OutgoingDelivery,
    SendResult,
    backoff_seconds,
    deliver_webhooks,
    parse_event_names,
    payload,
    sign,
    verify,
)

SECRET = "a-long-enough-signing-secret"


def _delivery(attempts: int = 0) -> OutgoingDelivery:
    return OutgoingDelivery(
        id=7, url="http://127.0.0.1:1/h", secret=SECRET, attempts=attempts, transition_id=3,
        kind=TransitionKind.BREACHED, ticket="T1", customer="acme", service="email",
        measurement_key="resolution:0", objective_key="gold/res", metric="resolution",
        threshold="", at=1_780_000_000, recorded_at=1_780_000_030,
    )  # fmt: skip


@dataclass
class OneDeliveryStore:
    pending: list[OutgoingDelivery]
    finished: list[tuple[int, DeliveryStatus, int]] = field(default_factory=list)

    def fan_out(self, now: int, limit: int) -> int:
        return 0

    def claim(self, now: int, limit: int, lease_seconds: int) -> list[OutgoingDelivery]:
        claimed, self.pending = self.pending[:limit], self.pending[limit:]
        return claimed

    def finish(self, delivery_id, *, now, result, status, next_attempt_at) -> None:
        self.finished.append((delivery_id, status, next_attempt_at))


@dataclass
class RecordingSender:
    answer: SendResult
    sent: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        self.sent.append((url, body, headers))
        return self.answer


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"breach"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1_700_000_000, body) == "v1=" + expected


def test_a_stale_timestamp_fails_verification_even_with_a_good_signature() -> None:
    body = b"{}"
    good = sign(SECRET, 1_700_000_000, body)
    assert verify(SECRET, "1700000000", good, body, now=1_700_000_299)
    assert not verify(SECRET, "1700000000", good, body, now=1_700_000_301)
    assert not verify(SECRET, "not-a-number", good, body, now=1_700_000_000)


def test_backoff_doubles_from_thirty_seconds_and_is_capped_at_six_hours() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(50) == 6 * 3600


def test_a_delivery_is_signed_json_with_its_identity_in_headers() -> None:
    store = OneDeliveryStore([_delivery()])
    sender = RecordingSender(SendResult(ok=True, status_code=200))
    run = deliver_webhooks(store, sender, now=1_780_000_100)
    [(url, body, headers)] = sender.sent
    assert url == "http://127.0.0.1:1/h"
    assert run.delivered == 1
    assert json.loads(body)["event"] == "breach"
    assert body == payload(_delivery())
    assert headers["Servanda-Delivery"] == "7"
    assert verify(
        SECRET,
        headers["Servanda-Timestamp"],
        headers["Servanda-Signature"],
        body,
        now=1_780_000_100,
    )
    assert store.finished == [(7, DeliveryStatus.DELIVERED, 1_780_000_100 + 30)]


def test_a_failure_is_retried_later_and_the_last_failure_gives_up() -> None:
    failing = RecordingSender(SendResult(ok=False, status_code=500, error="HTTP 500"))
    store = OneDeliveryStore([_delivery(attempts=0), _delivery(attempts=MAX_ATTEMPTS - 1)])
    run = deliver_webhooks(store, failing, now=1_000)
    assert (run.retrying, run.failed) == (1, 1)
    assert store.finished == [
        (7, DeliveryStatus.PENDING, 1_000 + 30),
        (7, DeliveryStatus.FAILED, 1_000 + backoff_seconds(MAX_ATTEMPTS)),
    ]


def test_event_names_map_to_transition_kinds() -> None:
    assert parse_event_names(["warning", "Breach", "met"]) == frozenset(TransitionKind)
    assert parse_event_names(["breached"]) == {TransitionKind.BREACHED}
    with pytest.raises(InvalidSubscriptionError):
        parse_event_names(["exploded"])
    with pytest.raises(InvalidSubscriptionError):
        parse_event_names([])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/\x1ehook",  # a control character (found by schemathesis)
        "http://127.0.0.1:9/a hook",
        "ftp://127.0.0.1/hook",
        "http:///no-host",
        "http://127.0.0.1/" + "a" * 2000,
    ],
)
def test_a_webhook_url_must_be_printable_http_with_a_host(url: str) -> None:
    from servanda.services.webhooks import is_valid_webhook_url

    assert not is_valid_webhook_url(url)


def test_a_plain_loopback_url_is_a_valid_webhook_url() -> None:
    from servanda.services.webhooks import is_valid_webhook_url

    assert is_valid_webhook_url("http://127.0.0.1:8080/hooks/sla?x=1")
