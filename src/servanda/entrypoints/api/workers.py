"""Worker processes for ``servanda serve --workers N``, each with its own listening socket.

uvicorn's own ``--workers`` shares one listening socket between the processes,
and whichever process is awake takes the next connection. Clients that keep
their connections open (every integration does) stay where they landed: under
``benchmarks/api_load.py`` all 20 connections sat on one of two workers, which
did all the work while the other idled. Here every worker binds its own socket
to the same address with ``SO_REUSEPORT``, and the kernel spreads new
connections over them by a hash of the client's address and port.

The parent only supervises: a worker that exits is started again (unless it
died within ``FAST_EXIT_SECONDS`` of its start, which means it cannot start:
then every worker is stopped and the command fails); SIGINT or SIGTERM stops
them all gracefully. Where the platform has no ``SO_REUSEPORT`` (Windows),
uvicorn's shared-socket workers are used instead.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

APP = "servanda.entrypoints.cli.serve:app_from_environment"
FAST_EXIT_SECONDS = 5.0
BACKLOG = 2048


def supports_reuse_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other workers may bind too (``SO_REUSEPORT``)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def run_worker(host: str, port: int, log_level: str) -> None:
    """One worker: its own socket, one uvicorn server."""
    sock = listening_socket(host, port)
    sock.listen(BACKLOG)
    config = uvicorn.Config(APP, factory=True, log_level=log_level, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def supervise(host: str, port: int, workers: int, log_level: str) -> int:
    """Run ``workers`` processes until SIGINT/SIGTERM; the exit code for the command."""
    listening_socket(host, port).close()  # a taken address fails here, before any fork
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=run_worker, args=(host, port, log_level))
        process.start()
        return process, time.monotonic()

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    running = [start() for _ in range(workers)]
    failed = False
    try:
        while not stopping and not failed:
            wait([process.sentinel for process, _ in running], timeout=0.5)
            for index, (process, started) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < FAST_EXIT_SECONDS:
                    print(
                        f"servanda serve: a worker exited with code {process.exitcode} "
                        "right after starting; stopping",
                        file=sys.stderr,
                    )
                    failed = True
                    break
                running[index] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        for process, _ in running:
            process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0
