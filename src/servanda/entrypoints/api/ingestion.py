"""Where ``POST /api/v1/events`` folds its batches: in the serving process, or in ingestion
processes that run at a lower CPU priority.

Folding a batch of 100 events is about 12 ms of Python; a ticket read is about 1.
In one process they share the GIL, and a read waits behind whatever batch holds it
(``benchmarks/api_load.py``: ticket p99 70-150 ms). ``servanda serve`` therefore
hands each batch to one of ``--ingestion-processes`` processes per worker
(``ProcessIngestion``), niced by ``INGESTION_NICENESS``: the serving process
keeps its GIL for HTTP, and the kernel runs a read the moment it is ready instead
of after the batch in front of it. The ingestion processes use whatever CPU reads
leave, so throughput is not lost; a batch waits for a free process in its worker.

A batch goes preferably to the process its client connection used last (each
process remembers the event histories of the tickets it folded,
``HistoryCache``), or else to the least busy one. A process that dies is
replaced; the batches it held fail with 503 ``ingestion_restarted`` and may be
sent again (a batch is idempotent).

``InProcessIngestion`` folds in a thread of the serving process, a few batches at
once (``INGESTION_SLOTS``): the default of ``create_app`` (tests, embedding) and
of ``serve --ingestion-processes 0``. Both give byte-identical answers
(``batch_answer``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, Protocol

import anyio.to_thread

from servanda.bootstrap import Storage, connect, load_settings
from servanda.domain.errors import ConflictError, EventError
from servanda.domain.events import TicketEvent
from servanda.entrypoints.api.errors import ApiError
from servanda.entrypoints.api.results import (
    ItemResult,
    stored_results,
    summarise,
)
from servanda.services.ingestion import record_events
from servanda.services.ports import UnitOfWorkFactory
from servanda.specs.events import event_from_json

INGESTION_SLOTS = 2
"""Batches folded at once in the serving process (``InProcessIngestion``)."""

INGESTION_NICENESS = 10
"""How much lower the ingestion processes' CPU priority is (``nice``): at 10 a ready read
process gets about nine times their share of a busy core."""

GC_THRESHOLDS = (20_000, 10, 10)
"""Cyclic garbage collection every 20,000 net allocations instead of CPython's 700: folding
allocates mostly acyclic objects and the history cache makes the heap large; with the
default, full collections took a batch from 14 to 20 ms of CPU within 180,000 events."""


TEXT_LIMITS = {"id": 200, "ticket": 200, "source": 200, "customer": 200, "service": 200}
TEXT_LIMITS |= {"priority": 100, "status": 100}


def check_lengths(event: TicketEvent) -> TicketEvent:
    """``EventError`` for a name longer than storage keeps (ids 200 characters, priority 100)."""
    for key, limit in TEXT_LIMITS.items():
        value = getattr(event, key)
        if value is not None and len(value) > limit:
            raise EventError(f"{key} is longer than {limit} characters")
    return event


class DefinitionsSeen:
    """Whether this process has seen a stored revision (revisions are never deleted, so once
    one is found the question is not asked again)."""

    def __init__(self) -> None:
        self._seen = threading.Event()

    def require(self, uow_factory: UnitOfWorkFactory) -> None:
        if self._seen.is_set():
            return
        with uow_factory() as uow:
            if uow.revisions.latest() is None:
                raise ConflictError(
                    "no definitions are stored yet: apply them first (POST /api/v1/revisions)"
                )
        self._seen.set()


def batch_answer(
    storage: Storage,
    definitions: DefinitionsSeen,
    items: Sequence[object],
    now: int,
    strict: bool = False,
) -> bytes:
    """Check, store and fold one batch; the JSON of its ``BatchResult`` (one result per item,
    in input order). ``strict``: items with unknown values are rejected, not stored.
    ``ConflictError`` while no definitions are stored."""
    results: list[ItemResult | None] = [None] * len(items)
    parsed: list[tuple[int, TicketEvent]] = []
    for index, raw in enumerate(items):
        try:
            parsed.append((index, check_lengths(event_from_json(raw))))
        except EventError as error:
            results[index] = ItemResult(
                index=index,
                source=_field(raw, "source"),
                id=_field(raw, "id"),
                status="rejected",
                reason=str(error),
            )
    definitions.require(storage.uow_factory)
    outcome = record_events(
        storage.uow_factory,
        storage.evaluator,
        [e for _, e in parsed],
        now,
        values=storage.values,
        strict_values=strict,
    )
    for result in stored_results(
        parsed,
        outcome.conflicts,
        outcome.created.__contains__,
        outcome.findings,
        outcome.refused,
    ):
        results[result.index] = result
    return summarise([r for r in results if r is not None]).model_dump_json().encode()


def _field(raw: object, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


class Ingestion(Protocol):
    """Folds batches for ``POST /api/v1/events``."""

    async def answer(
        self, items: list[Any], now: int, client: object, strict: bool = False
    ) -> bytes:
        """``batch_answer`` for ``items``; ``client`` identifies the connection (affinity)."""
        ...

    def close(self) -> None: ...


class InProcessIngestion:
    """Folds in worker threads of this process, ``INGESTION_SLOTS`` batches at once."""

    def __init__(self, storage: Storage, slots: int = INGESTION_SLOTS) -> None:
        self._storage = storage
        self._definitions = DefinitionsSeen()
        self._limiter = anyio.CapacityLimiter(slots)

    async def answer(
        self, items: list[Any], now: int, client: object, strict: bool = False
    ) -> bytes:
        return await anyio.to_thread.run_sync(
            batch_answer,
            self._storage,
            self._definitions,
            items,
            now,
            strict,
            limiter=self._limiter,
        )

    def close(self) -> None:
        pass


# --- ingestion processes -------------------------------------------------------------------

_in_process: dict[str, Storage] = {}  # an ingestion process's own storage
_process_definitions = DefinitionsSeen()


ORPHAN_CHECK_SECONDS = 1.0
"""How often an ingestion process checks that the worker that started it is still alive."""


def _start_process(database_url: str, niceness: int) -> None:
    """Initializer of an ingestion process: lower priority, own storage and caches, and an
    exit of its own once orphaned."""
    if niceness and hasattr(os, "nice"):  # POSIX; elsewhere the processes keep the priority
        os.nice(niceness)
        _batch_scheduling()
    gc.set_threshold(*GC_THRESHOLDS)
    _in_process["storage"] = connect(load_settings(database_url=database_url))
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _batch_scheduling() -> None:
    """Linux: tell the scheduler this process is CPU-bound batch work (``SCHED_BATCH``): it then
    never preempts another task when it wakes up, so a read that becomes ready keeps its core.
    Under ``benchmarks/api_load.py`` the difference to niceness alone was within the noise; it
    is kept because it says what these processes are. Where the policy does not exist or is
    refused, the niceness alone stays."""
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is None:
        return
    with contextlib.suppress(OSError):
        os.sched_setscheduler(0, policy, os.sched_param(0))


def _exit_when_orphaned(parent: int) -> None:
    """A worker killed outright (SIGKILL, the OOM killer) cannot stop its executors, and the
    processes' queue pipes stay open in each other, so they would wait for work forever:
    once the parent is gone (the process is re-parented), exit. A batch being folded then
    is rolled back by the database, as its client's connection is gone with the worker."""
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def _answer_in_process(items: list[Any], now: int, strict: bool) -> bytes:
    return batch_answer(_in_process["storage"], _process_definitions, items, now, strict)


def _ready() -> int:
    return os.getpid()


class ProcessIngestion:
    """``processes`` single-process executors; see the module docstring."""

    def __init__(
        self, database_url: str, processes: int, niceness: int = INGESTION_NICENESS
    ) -> None:
        if processes < 1:
            raise ValueError("at least one ingestion process")
        self._database_url = database_url
        self._niceness = niceness
        self._executors = [self._executor() for _ in range(processes)]
        self._busy = [0] * processes
        self._last: dict[object, int] = {}

    def _executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            1,
            mp_context=get_context("spawn"),
            initializer=_start_process,
            initargs=(self._database_url, self._niceness),
        )

    def start(self) -> list[int]:
        """Start every process now (not on the first batch) and wait until each is connected;
        their process ids, in order."""
        return [executor.submit(_ready).result() for executor in self._executors]

    def _choose(self, client: object) -> int:
        preferred = self._last.get(client)
        if preferred is not None and self._busy[preferred] == 0:
            return preferred
        return min(range(len(self._busy)), key=lambda i: (self._busy[i], i != preferred))

    async def answer(
        self, items: list[Any], now: int, client: object, strict: bool = False
    ) -> bytes:
        index = self._choose(client)
        if len(self._last) >= 10_000:
            self._last.clear()
        self._last[client] = index
        self._busy[index] += 1
        executor = self._executors[index]
        try:
            future: Future[bytes] = executor.submit(_answer_in_process, items, now, strict)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            if self._executors[index] is executor:
                executor.shutdown(wait=False, cancel_futures=True)
                self._executors[index] = self._executor()
            raise ApiError(
                503,
                "ingestion_restarted",
                "the process folding this batch stopped and has been replaced; "
                "send the batch again (it is idempotent)",
            ) from None
        finally:
            self._busy[index] -= 1

    def close(self) -> None:
        """Let the batches in flight finish, then stop the processes."""
        for executor in self._executors:
            executor.shutdown(wait=True)
