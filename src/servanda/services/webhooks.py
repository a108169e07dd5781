"""Webhooks: subscriptions, and delivering each recorded transition once per subscription, signed.

Flow (run by ``servanda webhooks deliver`` / the worker, never by ingestion):
1. *Fan out*: recorded transitions not yet handed to the outbox become one
   pending delivery per matching active subscription (kind matches; the
   subscription's customer, if any, owns the ticket; the subscription existed
   when the transition was recorded). Deliveries are unique per
   ``(subscription, transition)``, so fanning out twice is a no-op.
2. *Claim*: pending deliveries due at ``now`` are leased to one worker
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) for ``lease_seconds``.
3. *Send*: ``POST`` of the JSON payload with ``Servanda-Timestamp: <epoch s>``
   and ``Servanda-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.
   A 2xx answer is delivered. Anything else is retried after
   ``backoff_seconds(attempts)`` = 30 s x 2^(attempts-1), capped at 6 h; after
   ``MAX_ATTEMPTS`` the delivery is ``failed``.
Delivery is at-least-once across crashes (a lease that expires is re-sent);
receivers deduplicate on ``Servanda-Delivery``. Instants are epoch seconds (UTC).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from servanda.domain.errors import ServandaError
from servanda.services.audit import AuditAction, AuditEntry, AuditFor
from servanda.services.ports import TransitionKind

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
SIGNATURE_TOLERANCE_SECONDS = 300

EVENT_NAMES: dict[TransitionKind, str] = {
    TransitionKind.WARNING: "warning",
    TransitionKind.BREACHED: "breach",
    TransitionKind.MET: "met",
}
_KINDS_BY_NAME = {name: kind for kind, name in EVENT_NAMES.items()} | {
    "breached": TransitionKind.BREACHED
}


class InvalidSubscriptionError(ServandaError, ValueError):
    """A subscription cannot be made as asked (bad URL, unknown event name, empty secret)."""

    code = "invalid_subscription"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    url: str
    kinds: frozenset[TransitionKind]
    customer: str | None
    created_at: int
    active: bool

    @property
    def events(self) -> list[str]:
        return sorted(EVENT_NAMES[kind] for kind in self.kinds)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One line of the delivery log."""

    id: int
    subscription_id: int
    transition_id: int
    url: str
    event: str
    ticket: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: int
    created_at: int
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str
    delivered_at: int | None


@dataclass(frozen=True, slots=True)
class OutgoingDelivery:
    """A claimed delivery with what is needed to send it."""

    id: int
    url: str
    secret: str
    attempts: int
    transition_id: int
    kind: TransitionKind
    ticket: str
    customer: str | None
    service: str | None
    measurement_key: str
    objective_key: str
    metric: str
    threshold: str
    at: int
    recorded_at: int


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    status_code: int | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    fanned_out: int
    delivered: int
    retrying: int
    failed: int


class WebhookStore(Protocol):
    def add_subscription(
        self,
        *,
        url: str,
        kinds: Collection[TransitionKind],
        secret: str,
        customer: str | None,
        now: int,
        audit: AuditFor[Subscription] | None = None,
    ) -> Subscription:
        """Store the subscription (and ``audit``'s entry for it, in the same transaction)."""
        ...

    def subscriptions(self) -> list[Subscription]: ...

    def deactivate(
        self, subscription_id: int, audit: AuditFor[Subscription] | None = None
    ) -> Subscription:
        """``NotFoundError`` if there is no such subscription; ``audit``'s entry is written in
        the same transaction when it was active."""
        ...

    def fan_out(self, now: int, limit: int) -> int:
        """Turn up to ``limit`` undispatched transitions into pending deliveries; the count handled."""
        ...

    def claim(self, now: int, limit: int, lease_seconds: int) -> list[OutgoingDelivery]: ...

    def finish(
        self,
        delivery_id: int,
        *,
        now: int,
        result: SendResult,
        status: DeliveryStatus,
        next_attempt_at: int,
    ) -> None: ...

    def deliveries(
        self, *, limit: int, status: DeliveryStatus | None = None
    ) -> list[DeliveryRecord]:
        """The newest deliveries first."""
        ...


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult: ...


def parse_event_names(names: Collection[str]) -> frozenset[TransitionKind]:
    """``warning``, ``breach`` (or ``breached``), ``met`` -> transition kinds."""
    kinds: set[TransitionKind] = set()
    for name in names:
        key = name.strip().lower()
        if key not in _KINDS_BY_NAME:
            raise InvalidSubscriptionError(
                f"unknown webhook event {name!r} (one of: warning, breach, met)"
            )
        kinds.add(_KINDS_BY_NAME[key])
    if not kinds:
        raise InvalidSubscriptionError("a subscription needs at least one event")
    return frozenset(kinds)


MAX_URL_LENGTH = 2000


def is_valid_webhook_url(url: str) -> bool:
    """http(s) with a host, printable ASCII only (no spaces or control characters), and no
    user name or password in it (they would be shown back with the subscription)."""
    if len(url) > MAX_URL_LENGTH or not all("!" <= char <= "~" for char in url):
        return False
    try:
        parts = urlsplit(url)
        credentials = parts.username is not None or parts.password is not None
        has_host = bool(parts.hostname)
    except ValueError:  # an unreadable port or bracketed host
        return False
    return parts.scheme in {"http", "https"} and has_host and not credentials


def is_valid_secret(secret: str) -> bool:
    """At least 16 characters, none of them a control character."""
    return len(secret) >= 16 and not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in secret)


def subscribe(
    store: WebhookStore,
    *,
    url: str,
    events: Collection[str],
    secret: str,
    now: int,
    customer: str | None = None,
    actor: str = "",
    known_customers: Collection[str] | None = None,
) -> Subscription:
    """Add a subscription; it receives transitions recorded from ``now`` on (audited as done
    by ``actor``). ``known_customers``: the customers of the stored definitions; a
    subscription for any other customer is refused (it would never receive anything)."""
    if not is_valid_webhook_url(url):
        raise InvalidSubscriptionError(
            "the webhook URL must be an http(s)://host/... URL of printable characters "
            f"(at most {MAX_URL_LENGTH}) without a user name or password in it"
        )
    if not is_valid_secret(secret):
        raise InvalidSubscriptionError(
            "the signing secret must be at least 16 characters, none of them a control character"
        )
    if customer and known_customers is not None and customer not in known_customers:
        raise InvalidSubscriptionError(
            f"there is no customer {customer!r} in the definitions (known: "
            f"{', '.join(sorted(known_customers)) or 'none'})"
        )
    kinds = parse_event_names(events)
    return store.add_subscription(
        url=url,
        kinds=kinds,
        secret=secret,
        customer=customer or None,
        now=now,
        audit=lambda s: _entry(s, now, actor, AuditAction.WEBHOOK_SUBSCRIBED),
    )


def unsubscribe(
    store: WebhookStore, subscription_id: int, *, now: int, actor: str = ""
) -> Subscription:
    """Stop a subscription (its delivery log is kept); audited as done by ``actor``."""
    return store.deactivate(
        subscription_id, audit=lambda s: _entry(s, now, actor, AuditAction.WEBHOOK_DEACTIVATED)
    )


def _entry(subscription: Subscription, at: int, actor: str, action: AuditAction) -> AuditEntry:
    details = {"events": ",".join(subscription.events), "host": urlsplit(subscription.url).hostname}
    if subscription.customer:
        details["customer"] = subscription.customer
    return AuditEntry.of(at, actor, action, f"webhook {subscription.id}", details=details)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str,
    signature: str,
    body: bytes,
    now: int,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: a fresh timestamp and a matching signature (constant time)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def backoff_seconds(attempts: int) -> int:
    """Wait before the next try after ``attempts`` failed ones: 30 s, 60 s, 120 s, ... <= 6 h."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def payload(delivery: OutgoingDelivery) -> bytes:
    """The JSON body of a delivery (compact, sorted keys, ISO 8601 UTC instants)."""
    document = {
        "id": f"transition-{delivery.transition_id}",
        "delivery": delivery.id,
        "event": EVENT_NAMES[delivery.kind],
        "ticket": delivery.ticket,
        "customer": delivery.customer,
        "service": delivery.service,
        "measurement": delivery.measurement_key,
        "objective": delivery.objective_key,
        "metric": delivery.metric,
        "threshold": delivery.threshold or None,
        "at": _iso(delivery.at),
        "recorded_at": _iso(delivery.recorded_at),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def deliver_webhooks(
    store: WebhookStore,
    sender: WebhookSender,
    now: int,
    *,
    batch_size: int = 20,
    lease_seconds: int = 300,
) -> DeliveryRun:
    """Fan out new transitions, then send every delivery due at ``now`` (one pass)."""
    fanned = 0
    while handled := store.fan_out(now, 500):
        fanned += handled
    delivered = retrying = failed = 0
    while claimed := store.claim(now, batch_size, lease_seconds):
        for delivery in claimed:
            status = _send_one(store, sender, delivery, now)
            delivered += status is DeliveryStatus.DELIVERED
            failed += status is DeliveryStatus.FAILED
            retrying += status is DeliveryStatus.PENDING
    return DeliveryRun(fanned, delivered, retrying, failed)


def _send_one(
    store: WebhookStore, sender: WebhookSender, delivery: OutgoingDelivery, now: int
) -> DeliveryStatus:
    body = payload(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "servanda-webhooks/1",
        "Servanda-Delivery": str(delivery.id),
        "Servanda-Event": EVENT_NAMES[delivery.kind],
        "Servanda-Timestamp": str(now),
        "Servanda-Signature": sign(delivery.secret, now, body),
    }
    result = sender.send(delivery.url, body, headers)
    attempts = delivery.attempts + 1
    if result.ok:
        status = DeliveryStatus.DELIVERED
    elif attempts >= MAX_ATTEMPTS:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    store.finish(
        delivery.id,
        now=now,
        result=result,
        status=status,
        next_attempt_at=now + backoff_seconds(attempts),
    )
    return status
