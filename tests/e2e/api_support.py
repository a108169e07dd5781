"""Helpers for the API tests: an app on a real database, one token per role, event builders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import delete

from servanda.adapters.sqlalchemy.access_tables import (
    api_tokens,
    webhook_deliveries,
    webhook_subscriptions,
)
from servanda.bootstrap import Storage, connect, load_settings
from servanda.entrypoints.api import create_app
from servanda.services.auth import Role, create_token
from tests.streams import HOUR, START, apply_small_definitions

NOW = START + 2 * HOUR


@dataclass
class MovableClock:
    at: int = NOW

    def now(self) -> int:
        return self.at


@dataclass
class Api:
    client: TestClient
    storage: Storage
    clock: MovableClock
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}

    def get(self, path: str, who: str = "admin", **params: object):
        return self.client.get(path, headers=self.headers(who), params=params or None)

    def post(self, path: str, body: object, who: str = "admin"):
        return self.client.post(path, headers=self.headers(who), json=body)


def clear_api_tables(storage: Storage) -> None:
    """The session's PostgreSQL database keeps rows between tests: empty the API's tables."""
    with storage.engine.begin() as connection:
        for table in (webhook_deliveries, webhook_subscriptions, api_tokens):
            connection.execute(delete(table))


@contextmanager
def running_api(database_url: str) -> Iterator[Api]:
    storage = connect(load_settings(database_url=database_url))
    clear_api_tables(storage)
    apply_small_definitions(storage.uow_factory)
    clock = MovableClock()
    app = create_app(storage.settings, storage=storage, now=clock.now)
    ctx = app.state.servanda
    tokens = {
        "admin": create_token(ctx.tokens, role=Role.ADMIN, now=START).secret,
        "integration": create_token(ctx.tokens, role=Role.INTEGRATION, now=START).secret,
        "viewer": create_token(ctx.tokens, role=Role.VIEWER, now=START).secret,
        "acme": create_token(ctx.tokens, role=Role.CUSTOMER, customer="acme", now=START).secret,
        "globex": create_token(ctx.tokens, role=Role.CUSTOMER, customer="globex", now=START).secret,
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, storage, clock, tokens)
    storage.dispose()


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def created(ticket: str, customer: str, at: int = START, priority: str = "P1", **extra: object):
    return {
        "id": f"{ticket}-created",
        "ticket": ticket,
        "type": "created",
        "at": iso(at),
        "customer": customer,
        "service": "email",
        "priority": priority,
        **extra,
    }
