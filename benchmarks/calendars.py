"""Business-time arithmetic: BusinessCalendar side by side with businesstimedelta and pandas.

Run: ``scripts/bench calendars`` (or ``python benchmarks/calendars.py [--n N] [--repeat R]``).
Calendar: Mon-Fri 09:00-17:00 Europe/Berlin with the public holidays of Berlin
(``holidays`` package, DE-BE). Inputs: N random starts (whole seconds, UTC, over
2026) with durations of 0-40 whole business hours (pandas' CustomBusinessHour
only adds whole hours), and N random intervals [a, a + up to 14 days).
Servanda's timings are the median of R runs (best in brackets); the peers are
slow, so they run once. Times are CPU time of this process (``time.process_time``),
so the figures are per core even while other jobs share the machine. Every peer result is compared with Servanda's and each
disagreement is classified. Results go into docs/benchmarks.md, section
"Business-time arithmetic".
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
import warnings
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import holidays

from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.calendar.spec import CalendarSpec, Holiday, Window

# CPU seconds of this process: other jobs on the shared cores do not count against
# any implementation (wall-clock rates under load are lower by the same factor for all).
CLOCK = time.process_time
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
HOUR = 3600
YEAR = 2026
OPEN, CLOSE = dt.time(9), dt.time(17)


def berlin_holidays(first: int, last: int) -> list[tuple[dt.date, str]]:
    found = holidays.country_holidays("DE", subdiv="BE", years=range(first, last + 1))
    return sorted(found.items())


def office_spec(first: int, last: int) -> CalendarSpec:
    office = (Window(9 * HOUR, 17 * HOUR),)
    return CalendarSpec(
        name="berlin-office",
        timezone="Europe/Berlin",
        weekly=(office,) * 5 + ((), ()),
        holidays=tuple(Holiday(day, name) for day, name in berlin_holidays(first, last)),
    )


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) seconds of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = CLOCK()
        run()
        times.append(CLOCK() - started)
    return statistics.median(times), min(times)


def catching(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as error:  # a peer's failure is a result to classify
        return error


# ----------------------------------------------------------------- inputs


def make_inputs(n: int, seed: int) -> dict[str, list]:  # type: ignore[type-arg]
    rng = random.Random(seed)
    first = int(dt.datetime(YEAR, 1, 1, tzinfo=BERLIN).timestamp())
    last = int(dt.datetime(YEAR + 1, 1, 1, tzinfo=BERLIN).timestamp())
    starts = [rng.randrange(first, last) for _ in range(n)]
    hours = [rng.randrange(0, 41) for _ in range(n)]
    ends = [start + rng.randrange(0, 14 * 86_400) for start in starts]
    return {
        "start_s": starts,
        "seconds": [h * HOUR for h in hours],
        "hours": hours,
        "end_s": ends,
        "start": [dt.datetime.fromtimestamp(s, UTC) for s in starts],
        "end": [dt.datetime.fromtimestamp(s, UTC) for s in ends],
        "duration": [dt.timedelta(hours=h) for h in hours],
    }


# ----------------------------------------------------------------- a plain baseline


def plain_baseline(
    calendar: BusinessCalendar, data: dict[str, list], repeat: int
) -> dict[str, float]:  # type: ignore[type-arg]
    """The bare bisect + prefix-sum loop the issue quotes for scale, over one flat list."""
    starts: list[int] = []
    ends: list[int] = []
    sums: list[int] = []
    total = 0
    first = int(dt.datetime(YEAR - 1, 12, 1, tzinfo=UTC).timestamp())
    for start, end in calendar.open_intervals_epoch(first, first + 3 * 366 * 86_400):
        total += end - start
        starts.append(start)
        ends.append(end)
        sums.append(total)

    def add(start: int, seconds: int) -> int:
        i = bisect_right(starts, start) - 1
        at = sums[i] - max(ends[i] - start, 0)
        j = bisect_left(sums, at + seconds)
        return ends[j] - (sums[j] - at - seconds)

    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)

    def add_datetime(start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        delta = start - epoch
        result = add(delta.days * 86_400 + delta.seconds, duration.days * 86_400 + duration.seconds)
        return dt.datetime.fromtimestamp(result, UTC)

    n = len(data["start_s"])
    ints, _ = timed(
        lambda: [add(s, d) for s, d in zip(data["start_s"], data["seconds"], strict=True)], repeat
    )
    dts, _ = timed(
        lambda: [add_datetime(s, d) for s, d in zip(data["start"], data["duration"], strict=True)],
        repeat,
    )
    return {"epoch": n / ints, "datetime": n / dts}


# ----------------------------------------------------------------- peers


def businesstimedelta_rule(first: int, last: int) -> object:
    import businesstimedelta as btd
    import pytz

    zone = pytz.timezone("Europe/Berlin")
    workday = btd.WorkDayRule(
        start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4], tz=zone
    )
    days = {day for day, _ in berlin_holidays(first, last)}
    return btd.Rules([workday, btd.HolidayRule(days, tz=zone)])


def run_businesstimedelta(data: dict[str, list], n: int) -> dict[str, object]:  # type: ignore[type-arg]
    import businesstimedelta as btd

    rule = businesstimedelta_rule(
        YEAR - 1, YEAR + 6
    )  # it searches up to 5 years ahead for a holiday
    deltas = [btd.BusinessTimeDelta(rule, seconds=s) for s in data["seconds"][:n]]
    started = CLOCK()
    added = [
        catching(lambda s=s, d=d: s + d) for s, d in zip(data["start"][:n], deltas, strict=True)
    ]
    add_s = CLOCK() - started
    pairs = list(zip(data["start"][:n], data["end"][:n], strict=True))
    started = CLOCK()
    between = [catching(lambda a=a, b=b: rule.difference(a, b).timedelta) for a, b in pairs]  # type: ignore[attr-defined]
    between_s = CLOCK() - started
    return {"add": added, "add_rate": n / add_s, "between": between, "between_rate": n / between_s}


def run_pandas(data: dict[str, list], n: int) -> dict[str, object]:  # type: ignore[type-arg]
    import pandas as pd

    days = [day for day, _ in berlin_holidays(YEAR - 1, YEAR + 2)]
    offsets = {
        h: pd.offsets.CustomBusinessHour(n=h, start="09:00", end="17:00", holidays=days)
        for h in set(data["hours"][:n])
    }
    stamps = [pd.Timestamp(s).tz_convert("Europe/Berlin") for s in data["start"][:n]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = CLOCK()
        added = [
            catching(lambda t=t, h=h: t + offsets[h])
            for t, h in zip(stamps, data["hours"][:n], strict=True)
        ]
        add_s = CLOCK() - started
    results = [r.to_pydatetime() if isinstance(r, pd.Timestamp) else r for r in added]
    return {"add": results, "add_rate": n / add_s}


# ----------------------------------------------------------------- agreement


def offset_changes(a: dt.datetime, b: dt.datetime) -> bool:
    low, high = sorted((a, b))
    return low.astimezone(BERLIN).utcoffset() != high.astimezone(BERLIN).utcoffset()


def classify_add(
    calendar: BusinessCalendar, start: dt.datetime, ours: dt.datetime, theirs: object
) -> str:
    if isinstance(theirs, Exception):
        return f"peer raised {type(theirs).__name__}"
    assert isinstance(theirs, dt.datetime)
    on_close = not calendar.is_open(ours) and calendar.is_open(ours - dt.timedelta(seconds=1))
    if on_close and theirs == calendar.next_open(ours):
        return "deadline on closing time: peer gives the next opening"
    if abs(theirs - ours) == dt.timedelta(hours=1) and offset_changes(start, ours):
        return "DST: an hour apart across a clock change"
    if theirs < start:
        return "peer result before the start"
    return "other"


def classify_between(a: dt.datetime, b: dt.datetime, ours: dt.timedelta, theirs: object) -> str:
    if isinstance(theirs, Exception):
        return f"peer raised {type(theirs).__name__}"
    assert isinstance(theirs, dt.timedelta)
    if abs(theirs - ours) == dt.timedelta(hours=1) and offset_changes(a, b):
        return "DST: an hour apart across a clock change"
    return "other"


def compare(
    name: str,
    ours: Sequence[object],
    theirs: Sequence[object],
    classify: Callable[[int], str],
) -> tuple[int, Counter[str], dict[str, int]]:
    agree = 0
    kinds: Counter[str] = Counter()
    example: dict[str, int] = {}
    for i, (mine, peer) in enumerate(zip(ours, theirs, strict=False)):
        if mine == peer:
            agree += 1
            continue
        kind = classify(i)
        kinds[kind] += 1
        example.setdefault(kind, i)
    return agree, kinds, example


# ----------------------------------------------------------------- build time


def build_time(repeat: int) -> tuple[float, float, float]:
    """(holidays package -> spec, constructor, constructor + all 10 years of windows) in ms."""
    spec_ms, lazy_ms, full_ms = [], [], []
    first = int(dt.datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    last = int(dt.datetime(2036, 1, 1, tzinfo=UTC).timestamp())
    for _ in range(repeat):
        started = CLOCK()
        spec = office_spec(2026, 2035)
        built = CLOCK()
        calendar = BusinessCalendar(spec)
        constructed = CLOCK()
        calendar.between_epoch(first, last)
        materialised = CLOCK()
        spec_ms.append((built - started) * 1000)
        lazy_ms.append((constructed - built) * 1000)
        full_ms.append((materialised - built) * 1000)
    return statistics.median(spec_ms), statistics.median(lazy_ms), statistics.median(full_ms)


# ----------------------------------------------------------------- designed edge cases


def show(value: object) -> str:
    """A result as people read it: Berlin wall time, an error's type, or a duration."""
    if isinstance(value, Exception):
        return f"{type(value).__name__}"
    if isinstance(value, dt.datetime):
        return f"{value.astimezone(BERLIN):%a %m-%d %H:%M:%S %Z}"
    return str(value)


def edge_cases() -> list[tuple[str, str, str, str]]:
    """(case, Servanda, businesstimedelta, pandas) for the cases where semantics differ."""
    import businesstimedelta as btd
    import pandas as pd
    import pytz

    office = BusinessCalendar(office_spec(YEAR, YEAR + 1))
    rule_one_year = businesstimedelta_rule(YEAR, YEAR)
    rule = businesstimedelta_rule(YEAR, YEAR + 6)
    days = [day for day, _ in berlin_holidays(YEAR, YEAR + 1)]
    cbh = lambda n: pd.offsets.CustomBusinessHour(n=n, start="09:00", end="17:00", holidays=days)  # noqa: E731
    nights = BusinessCalendar(
        CalendarSpec("nights", "Europe/Berlin", ((Window(22 * HOUR, 6 * HOUR),),) * 7)
    )
    zone = pytz.timezone("Europe/Berlin")
    night_rule = btd.WorkDayRule(
        start_time=dt.time(22), end_time=dt.time(6), working_days=list(range(7)), tz=zone
    )
    night_cbh = pd.offsets.CustomBusinessHour(
        n=8, start="22:00", end="06:00", weekmask="Mon Tue Wed Thu Fri Sat Sun"
    )

    friday = dt.datetime(YEAR, 6, 5, 9, tzinfo=BERLIN)
    late = dt.datetime(YEAR, 12, 30, 9, tzinfo=BERLIN)
    night = dt.datetime(YEAR, 3, 28, 21, tzinfo=BERLIN)
    a, b = dt.datetime(YEAR, 6, 8, 10, tzinfo=BERLIN), dt.datetime(YEAR, 6, 5, 16, tzinfo=BERLIN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            (
                "Fri 09:00 + 8h (ends on closing time)",
                show(office.add(friday, dt.timedelta(hours=8))),
                show(catching(lambda: friday + btd.BusinessTimeDelta(rule, hours=8))),
                show(catching(lambda: pd.Timestamp(friday) + cbh(8))),
            ),
            (
                "between(Mon 10:00, previous Fri 16:00)",
                show(office.between(a, b)),
                show(catching(lambda: rule.difference(a, b).timedelta)),
                "—",
            ),  # type: ignore[attr-defined]
            (
                f"Dec 30 + 12h (businesstimedelta: {YEAR} holidays)",
                show(office.add(late, dt.timedelta(hours=12))),
                show(catching(lambda: late + btd.BusinessTimeDelta(rule_one_year, hours=12))),
                show(catching(lambda: pd.Timestamp(late) + cbh(12))),
            ),
            (
                "nights 22-06, Sat 03-28 21:00 + 8h (spring forward)",
                show(nights.add(night, dt.timedelta(hours=8))),
                show(catching(lambda: night + btd.BusinessTimeDelta(night_rule, hours=8))),
                show(catching(lambda: pd.Timestamp(night) + night_cbh)),
            ),
        ]


# ----------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=100_000, help="random operations (default 100,000)"
    )
    parser.add_argument(
        "--peer-n", type=int, default=None, help="operations given to the peers (default: n)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    peer_n = args.peer_n or args.n

    data = make_inputs(args.n, args.seed)
    calendar = BusinessCalendar(office_spec(YEAR - 1, YEAR + 2))
    n = args.n
    s, d, e = data["start_s"], data["seconds"], data["end_s"]
    S, D, E = data["start"], data["duration"], data["end"]
    ours_add = [calendar.add(a, b) for a, b in zip(S, D, strict=True)]  # also warms the blocks
    ours_between = [calendar.between(a, b) for a, b in zip(S, E, strict=True)]
    assert ours_add == [
        dt.datetime.fromtimestamp(calendar.add_epoch(a, b), UTC) for a, b in zip(s, d, strict=True)
    ]

    rates = {}
    for label, run in (
        ("add (datetime)", lambda: [calendar.add(a, b) for a, b in zip(S, D, strict=True)]),
        ("between (datetime)", lambda: [calendar.between(a, b) for a, b in zip(S, E, strict=True)]),
        ("add_epoch", lambda: [calendar.add_epoch(a, b) for a, b in zip(s, d, strict=True)]),
        (
            "between_epoch",
            lambda: [calendar.between_epoch(a, b) for a, b in zip(s, e, strict=True)],
        ),
    ):
        median, best = timed(run, args.repeat)
        rates[label] = (n / median, n / best)
    baseline = plain_baseline(calendar, data, args.repeat)

    btd = run_businesstimedelta(data, peer_n)
    pds = run_pandas(data, peer_n)

    print(
        f"python {platform.python_version()} on {platform.machine()}, {sys.platform}; "
        f"n = {n:,} (peers {peer_n:,}), seed {args.seed}, Servanda median of {args.repeat}"
    )
    print()
    print(f"{'implementation':<44}{'add ops/s':>14}{'between ops/s':>16}")
    print("-" * 74)

    def row(name: str, add: str, between: str) -> None:
        print(f"{name:<44}{add:>14}{between:>16}")

    row(
        "Servanda, datetime API (median [best])",
        f"{rates['add (datetime)'][0]:,.0f}",
        f"{rates['between (datetime)'][0]:,.0f}",
    )
    row("", f"[{rates['add (datetime)'][1]:,.0f}]", f"[{rates['between (datetime)'][1]:,.0f}]")
    row(
        "Servanda, epoch API (median [best])",
        f"{rates['add_epoch'][0]:,.0f}",
        f"{rates['between_epoch'][0]:,.0f}",
    )
    row("", f"[{rates['add_epoch'][1]:,.0f}]", f"[{rates['between_epoch'][1]:,.0f}]")
    row("plain bisect loop, datetimes (calibration)", f"{baseline['datetime']:,.0f}", "")
    row("plain bisect loop, integers (calibration)", f"{baseline['epoch']:,.0f}", "")
    row("businesstimedelta 1.0.1", f"{btd['add_rate']:,.0f}", f"{btd['between_rate']:,.0f}")
    row("pandas CustomBusinessHour", f"{pds['add_rate']:,.0f}", "—")
    print()
    speedup_add = rates["add (datetime)"][0] / btd["add_rate"]  # type: ignore[operator]
    speedup_between = rates["between (datetime)"][0] / btd["between_rate"]  # type: ignore[operator]
    print(
        f"speed-up over businesstimedelta (datetime API): add {speedup_add:,.0f}x, between {speedup_between:,.0f}x"
    )
    print(
        f"speed-up over pandas (datetime API): add {rates['add (datetime)'][0] / pds['add_rate']:,.0f}x"
    )  # type: ignore[operator]

    print()
    print("agreement with Servanda (same inputs)")
    checks = (
        (
            "businesstimedelta add",
            ours_add,
            btd["add"],
            lambda i: classify_add(calendar, S[i], ours_add[i], btd["add"][i]),
        ),  # type: ignore[index]
        (
            "businesstimedelta between",
            ours_between,
            btd["between"],
            lambda i: classify_between(S[i], E[i], ours_between[i], btd["between"][i]),
        ),  # type: ignore[index]
        (
            "pandas add",
            ours_add,
            pds["add"],
            lambda i: classify_add(calendar, S[i], ours_add[i], pds["add"][i]),
        ),  # type: ignore[index]
    )
    for name, ours, theirs, classify in checks:
        agree, kinds, example = compare(name, ours, theirs, classify)  # type: ignore[arg-type]
        print(f"  {name:<28}{agree:>8,} / {peer_n:,} agree")
        for kind, count in kinds.most_common():
            i = example[kind]
            where = f"e.g. {S[i].astimezone(BERLIN):%a %Y-%m-%d %H:%M:%S %Z}"
            extra = (
                f" + {data['hours'][i]}h"
                if "add" in name
                else f" .. {E[i].astimezone(BERLIN):%a %m-%d %H:%M}"
            )
            print(
                f"    {count:>7,}  {kind}  ({where}{extra}: ours {show(ours[i])}, peer {show(theirs[i])})"
            )  # type: ignore[index]

    print()
    print("designed cases where the semantics differ (times in Berlin)")
    print(f"  {'case':<52}{'Servanda':<26}{'businesstimedelta':<26}{'pandas':<26}")
    for case, ours_says, btd_says, pandas_says in edge_cases():
        print(f"  {case:<52}{ours_says:<26}{btd_says:<26}{pandas_says:<26}")

    spec_ms, lazy_ms, full_ms = build_time(args.repeat)
    print()
    print("building a calendar with 10 years (2026-2035) of DE-BE holidays (median):")
    print(f"  holidays package -> CalendarSpec            {spec_ms:8.2f} ms (specs layer)")
    print(
        f"  BusinessCalendar(spec)                      {lazy_ms:8.2f} ms (windows are built lazily)"
    )
    print(f"  BusinessCalendar(spec) + all 10 years built {full_ms:8.2f} ms")


if __name__ == "__main__":
    main()
