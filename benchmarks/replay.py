"""Clock fold benchmark: generate ~1,000,000 events (~200,000 tickets) and fold them in memory.

Run: ``scripts/bench replay`` (or ``python benchmarks/replay.py [--events N] [--seed S]``).
Definitions: ``examples/multi-level`` (business calendars, holidays, multi-level
precedence). Reports generation time, fold time, events/s of the fold on one
core, and the process's peak RSS (``resource.getrusage``, includes the events
and the measurements held in memory). Results go into docs/benchmarks.md,
section "Clock fold (replay)".
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
from collections import Counter
from pathlib import Path

from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.clock.engine import ClockEngine
from servanda.services.generation import generate_events
from servanda.specs.loader import load_definitions

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--definitions", default=str(ROOT / "examples" / "multi-level"))
    args = parser.parse_args()

    definitions = load_definitions(args.definitions)
    calendars = build_calendars(definitions.calendars)

    started = time.perf_counter()
    tickets = args.events // 5  # the generator averages about five events per ticket
    events = list(generate_events(definitions, tickets=tickets, seed=args.seed))
    generated = time.perf_counter() - started
    now = max(event.at for event in events) + 86_400

    # The fold makes no reference cycles (reference counting frees everything),
    # so the batch runs with the cyclic collector off, as ``servanda replay``
    # does: otherwise each full collection re-scans every event and measurement.
    gc.collect()
    gc.disable()
    engine = ClockEngine(definitions, calendars)
    started, cpu = time.perf_counter(), time.process_time()
    measurements = [m for result in engine.evaluate_many(events, now) for m in result.measurements]
    folded, cpu = time.perf_counter() - started, time.process_time() - cpu

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    states = Counter(m.state.value for m in measurements)
    print(f"python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(f"events generated:  {len(events):,} ({tickets:,} tickets) in {generated:.1f} s")
    print(f"measurements:      {len(measurements):,} {dict(sorted(states.items()))}")
    print(f"fold (wall):       {folded:.2f} s = {len(events) / folded:,.0f} events/s")
    print(f"fold (CPU):        {cpu:.2f} s = {len(events) / cpu:,.0f} events/s")
    print(f"resolution cache:  {engine.resolution_cache_size:,} distinct attribute combinations")
    print(f"peak RSS:          {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
