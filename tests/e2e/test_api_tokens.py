"""API tokens from the command line: shown once, stored hashed, revocable; and what the API makes of them."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from servanda.adapters.sqlalchemy.access_tables import api_tokens
from servanda.bootstrap import connect, load_settings
from servanda.entrypoints.api import create_app
from servanda.entrypoints.api.context import TOKEN_RECHECK_SECONDS
from servanda.entrypoints.cli import _register, app
from servanda.services.auth import InvalidTokenRequestError

_register()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_token_is_printed_once_stored_hashed_and_stops_working_when_revoked(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    secret = _run(
        "tokens", "create", "--role", "viewer", "--name", "grafana", "--database-url", url
    )
    secret = secret.strip().splitlines()[-1]
    assert secret.startswith("svd_")
    listing = _run("tokens", "list", "--database-url", url)
    assert "grafana" in listing
    assert secret not in listing
    storage = connect(load_settings(database_url=url))
    with storage.engine.connect() as connection:
        stored = connection.execute(select(api_tokens.c.digest)).scalars().all()
    assert secret not in stored
    assert len(stored) == 1
    assert len(stored[0]) == 64
    client = TestClient(create_app(storage.settings, storage=storage))
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/clocks", headers=headers).status_code == 200
    _run("tokens", "revoke", "1", "--database-url", url)
    time.sleep(TOKEN_RECHECK_SECONDS)  # the server re-reads a token it knows once a second
    refused = client.get("/api/v1/clocks", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    storage.dispose()


def test_a_customer_token_needs_a_customer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    result = CliRunner().invoke(
        app, ["tokens", "create", "--role", "customer", "--database-url", url]
    )
    assert isinstance(result.exception, InvalidTokenRequestError)
    assert str(result.exception) == "a customer token needs --customer"
    storage = connect(load_settings(database_url=url))
    with storage.engine.connect() as connection:
        assert connection.execute(select(api_tokens.c.digest)).scalars().all() == []
    storage.dispose()
