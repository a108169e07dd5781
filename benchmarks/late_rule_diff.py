"""What "late means after the deadline" changes on the real ServiceNow log: outcomes and breach instants.

Run: ``scripts/bench late_rule_diff`` (or ``python benchmarks/late_rule_diff.py [--old REF]
[--log PATH] [--now T] [--examples N]``). REF is a git commit whose fold still has the
previous rule (a clock due at a window's closing instant breached one second after the
next opening); the default, ``706cb73051501e14b764c3dfdd41efd643cb07d2``, is the commit
the rule change was made on.

The log (docs/importing.md, "ServiceNow incident logs") is converted once, by this
working tree, into a JSONL file of events. Then each fold runs in its own process on
the same events, the example definitions (``examples/servicenow/definitions.yaml``,
as ``servanda definitions apply`` stores them) and the same evaluation instant: one
with REF's ``src`` (extracted with ``git archive`` into a temporary folder and put
first on ``PYTHONPATH``), one with this tree's. Each child prints the source it
imported, so the comparison is of the two rules and nothing else. The measurements are
then compared clock by clock (ticket, metric, cycle). Results go into docs/semantics.md
("Deadline, breach and `<=`") and docs/benchmarks.md ("The late-means-late rule on the
ServiceNow log").
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT.parent / "shared" / "data" / "servicenow_incident_event_log.csv.gz"
DEFINITIONS = ROOT / "examples" / "servicenow" / "definitions.yaml"
NOW = "2017-06-01T00:00:00+00:00"  # after the log's last update, as tests/e2e use
PREVIOUS_RULE = "706cb73051501e14b764c3dfdd41efd643cb07d2"  # the rule change was made on it

Row = list[object]  # ticket, metric, cycle, objective, state, deadline, stopped_at, breached_at


def fold(events: Path, definitions: Path, now: str, out: Path) -> None:
    """Child process: fold ``events`` with whichever ``servanda`` is first on the path."""
    import servanda

    try:
        from servanda.domain.calendar.arithmetic import build_calendars
        from servanda.domain.clock.engine import ClockEngine
    except ImportError:  # a commit from before domain/calendar/ and domain/clock/ (2026-12-04)
        from servanda.domain.calendars import build_calendars  # type: ignore[import-not-found,no-redef]
        from servanda.domain.clocks import ClockEngine  # type: ignore[import-not-found,no-redef]
    from servanda.specs.events import parse_event_line, parse_instant
    from servanda.specs.loader import load_definitions

    loaded = load_definitions(definitions)
    engine = ClockEngine(loaded, build_calendars(loaded.calendars))
    with events.open("rb") as lines:
        ticket_events = [parse_event_line(line) for line in lines]
    gc.disable()
    rows: list[Row] = [
        [
            m.ticket,
            m.metric.value,
            m.cycle,
            m.objective_key,
            m.state.value,
            m.deadline,
            m.stopped_at,
            m.breached_at,
        ]
        for result in engine.evaluate_many(ticket_events, parse_instant(now))
        for m in result.measurements
    ]
    out.write_text(json.dumps({"source": str(Path(servanda.__file__).parent), "rows": rows}))


def convert(log: Path, out: Path) -> int:
    from servanda.adapters.importers.servicenow import convert_servicenow_file
    from servanda.specs.events import event_to_line

    events = convert_servicenow_file(log).events
    with out.open("wb") as lines:
        for event in events:
            lines.write(event_to_line(event))
    return len(events)


def extract_src(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "src"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_fold(src: Path, events: Path, now: str, out: Path) -> tuple[str, list[Row]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--fold", str(events), str(DEFINITIONS), now, str(out)]
    subprocess.run(command, check=True, env=env)
    data = json.loads(out.read_text())
    return data["source"], data["rows"]


def when(seconds: object) -> str:
    if seconds is None:
        return "-"
    assert isinstance(seconds, int)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%a %Y-%m-%d %H:%M:%S")


def compare(old: list[Row], new: list[Row], examples: int) -> None:
    before = {(r[0], r[1], r[2]): r for r in old}
    after = {(r[0], r[1], r[2]): r for r in new}
    assert before.keys() == after.keys(), "the two folds measured different clocks"
    for label, rows in (("previous rule", old), ("this tree", new)):
        states = Counter(r[4] for r in rows)
        print(f"{label + ':':<25}{len(rows):,} measurements {dict(sorted(states.items()))}")
    outcomes: Counter[tuple[object, object]] = Counter()
    moved: list[tuple[Row, Row]] = []
    changed: dict[tuple[object, object], list[tuple[Row, Row]]] = {}
    deadlines: list[tuple[Row, Row]] = []
    for key, a in after.items():
        b = before[key]
        if b[5] != a[5]:
            deadlines.append((b, a))
        if b[4] != a[4]:
            outcomes[b[4], a[4]] += 1
            changed.setdefault((b[4], a[4]), []).append((b, a))
        elif a[4] == "breached" and b[7] != a[7]:
            moved.append((b, a))
    for (was, now), count in sorted(outcomes.items()):
        print(f"{f'{was} -> {now}:':<25}{count:,}")
    if not outcomes:
        print("outcomes changed:        0")
    print(f"breach instants moved:   {len(moved):,} (same outcome, breached at another instant)")
    earlier = sorted(int(b[7]) - int(a[7]) for b, a in moved)  # type: ignore[call-overload]
    if earlier:
        hours = [seconds / 3600 for seconds in earlier]
        print(
            f"  moved earlier by:      median {hours[len(hours) // 2]:.1f} h, "
            f"min {hours[0]:.1f} h, max {hours[-1]:.1f} h; "
            f"{sum(1 for s in earlier if s <= 0):,} not earlier"
        )
    print(f"deadlines changed:       {len(deadlines):,}")
    by_metric = Counter(a[1] for _, a in moved) + Counter(
        a[1] for pairs in changed.values() for _, a in pairs
    )
    print(f"changes by metric:       {dict(sorted(by_metric.items()))}")
    for kind, pairs in [*sorted(changed.items()), (("breached", "breached (moved)"), moved)]:
        for b, a in pairs[:examples]:
            print(
                f"  {a[0]} {a[1]} ({a[3]}), {kind[0]} -> {kind[1]}: deadline {when(a[5])}, "
                f"stopped {when(a[6])}, breached {when(b[7])} -> {when(a[7])}"
            )
    for b, a in deadlines[:examples]:
        print(
            f"  {a[0]} {a[1]} ({a[3]}), deadline changed, {b[4]} -> {a[4]}: deadline "
            f"{when(b[5])} -> {when(a[5])}, breached {when(b[7])} -> {when(a[7])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--old", default=PREVIOUS_RULE, help="git ref whose fold has the previous rule"
    )
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--examples", type=int, default=2, help="example clocks per kind")
    args = parser.parse_args()
    if not args.log.exists():
        print(f"late_rule_diff: skipped, the ServiceNow log is not at {args.log} (--log PATH)")
        return
    with tempfile.TemporaryDirectory(prefix="late-rule-") as folder:
        work = Path(folder)
        events = work / "events.jsonl"
        print(f"events:                  {convert(args.log, events):,} from {args.log.name}")
        old_source, old = run_fold(
            extract_src(args.old, work / "old"), events, args.now, work / "a"
        )
        new_source, new = run_fold(ROOT / "src", events, args.now, work / "b")
        print(f"previous rule from:      {args.old} ({old_source})")
        print(f"this tree from:          {new_source}")
        print(f"evaluated at:            {args.now}")
        compare(old, new, args.examples)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--fold":
        fold(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], Path(sys.argv[5]))
    else:
        main()
