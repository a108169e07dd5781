"""``servanda serve`` on SQLite: two workers answer health, the OpenAPI document and bundled docs."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from servanda.entrypoints.api.ingestion import ORPHAN_CHECK_SECONDS
from servanda.entrypoints.api.workers import FAST_EXIT_SECONDS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``servanda serve --workers 2`` on a fresh SQLite file, once it answers ``/healthz``."""
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "servanda", "serve", "--workers", "2", "--port", str(port),
         "--log-level", "warning", "--database-url", url],
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_serve_starts_workers_that_answer_without_any_cdn(tmp_path: Path) -> None:
    with _serving(tmp_path) as (port, _):
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(base + "/healthz", timeout=1)
        assert health.json()["status"] == "ok"
        schema = httpx.get(base + "/openapi.json").json()
        assert "/api/v1/events" in schema["paths"]
        page = httpx.get(base + "/docs").text
        assert "http://" not in page
        assert "https://" not in page
        assert httpx.get(base + "/docs/static/swagger-ui-bundle.js").status_code == 200
        refused = httpx.get(base + "/api/v1/clocks")
        assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")

        # Kept-alive connections are spread over both workers (each has its own socket).
        # uvicorn's own workers share one socket, and one of them used to take all 20
        # connections of the load benchmark at once.
        def client(_: int) -> set[int]:
            connection = http.client.HTTPConnection(f"127.0.0.1:{port}")
            seen = set()
            for _ in range(5):
                connection.request("GET", "/healthz")
                seen.add(json.loads(connection.getresponse().read())["worker"])
            connection.close()
            return seen

        with ThreadPoolExecutor(24) as pool:
            answers = list(pool.map(client, range(24)))
        assert all(len(seen) == 1 for seen in answers)  # a connection stays with its worker
        assert len(set().union(*answers)) == 2


@pytest.mark.slow
def test_a_worker_that_dies_is_started_again(tmp_path: Path) -> None:
    with _serving(tmp_path) as (port, server):

        def workers() -> set[int]:
            seen = set()
            for _ in range(24):
                connection = http.client.HTTPConnection(f"127.0.0.1:{port}", timeout=5)
                try:
                    connection.request("GET", "/healthz")
                    seen.add(json.loads(connection.getresponse().read())["worker"])
                except (ConnectionError, TimeoutError, http.client.HTTPException):
                    # the killed worker's connection before the kernel drops its socket, or
                    # its replacement still starting on a loaded machine: ask again
                    pass
                finally:
                    connection.close()
            return seen

        time.sleep(FAST_EXIT_SECONDS + 1)  # a worker dying sooner means it cannot start
        first = workers()
        assert len(first) == 2
        folding = _children(min(first))  # its ingestion processes
        assert len(folding) >= 3 or not sys.platform.startswith("linux")
        os.kill(min(first), signal.SIGKILL)
        for _ in range(100):
            now = workers()
            if len(now) == 2 and min(first) not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2
        assert min(first) not in now
        assert server.poll() is None
        # Orphaned by the kill, its ingestion processes exit by themselves.
        deadline = time.monotonic() + 10 * ORPHAN_CHECK_SECONDS
        while any(_alive(pid) for pid in folding) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in folding if _alive(pid)]
        survivors = {pid for worker in now for pid in _children(worker)}
    assert server.returncode == 0  # SIGTERM stopped every worker cleanly
    assert not [pid for pid in survivors if _alive(pid)]  # and their ingestion processes


def _children(parent: int) -> set[int]:
    """The live child processes of ``parent`` (Linux: from /proc; elsewhere none are seen)."""
    found = set()
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(entry.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
