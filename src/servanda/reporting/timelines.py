"""A ticket's story as people read it: events, clock changes, warnings and breaches in time order.

Built from a ``TicketEvaluation`` (the fold's output), rendered as text lines
for ``servanda ticket timeline``. Instants are shown in one IANA zone (the
definitions' home zone by default) with their UTC offset; durations as
``2h30m`` of business time on the clock's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from servanda.domain.clock.engine import TicketEvaluation
from servanda.domain.clock.measurement import ChangeCause, ClockChange, ClockState, Measurement
from servanda.domain.display import exact_percent, format_duration
from servanda.domain.events import EventType, TicketEvent

_PRIORITY = 0, 1, 2  # events first, then clock changes, then warnings/breaches at one instant


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: int
    order: int
    text: str


def clock_name(m: Measurement) -> str:
    cycle = f" #{m.cycle}" if m.metric == "next_response" else ""
    return f"{m.metric}{cycle} [{m.objective_key}]"


def timeline_entries(evaluation: TicketEvaluation, zone: ZoneInfo) -> list[TimelineEntry]:
    ignored = {id(item.event): item.reason for item in evaluation.ignored}
    entries = [
        TimelineEntry(e.at, 0, _event_text(e, ignored.get(id(e)))) for e in evaluation.events
    ]
    for m in evaluation.measurements:
        name = clock_name(m)
        cycle = f" #{m.cycle}" if m.metric == "next_response" else ""
        for change in m.history:
            text = f"  {m.metric}{cycle} [{change.objective_key}]: {_change_text(change, zone)}"
            entries.append(TimelineEntry(change.at, 1, text))
        for warning in m.warnings:
            share = exact_percent(warning.threshold)
            entries.append(TimelineEntry(warning.at, 2, f"  {name}: WARNING {share} of target"))
        if m.breached_at is not None:
            text = f"  {name}: BREACHED (deadline was {_when(m.deadline, zone)})"
            entries.append(TimelineEntry(m.breached_at, 2, text))
    return sorted(entries, key=lambda entry: (entry.at, entry.order))


def render_timeline(evaluation: TicketEvaluation, zone: ZoneInfo) -> list[str]:
    """The lines of ``servanda ticket timeline``: the story, then each clock's outcome and why."""
    lines = [f"Ticket {evaluation.ticket}", ""]
    for entry in timeline_entries(evaluation, zone):
        lines.append(f"{_when(entry.at, zone)}  {entry.text}")
    lines += ["", "Clocks:"]
    if not evaluation.measurements:
        lines.append("  none (no created event, or no objective applies)")
    for m in evaluation.measurements:
        lines.append(f"  {clock_name(m)}: {_outcome(m, zone)}")
        if m.state is ClockState.BREACHED:
            lines.append(f"    why: {_why_breached(m, zone)}")
    return lines


def _event_text(event: TicketEvent, ignored: str | None) -> str:
    details: list[str] = []
    for key in ("customer", "service", "priority", "status"):
        value = getattr(event, key)
        if value is not None:
            details.append(f"{key}={value}")
    details += [f"{k}={v}" for k, v in event.fields]
    details += [f"{k}->{v}" for k, v in event.changes]
    if event.type is EventType.RATED and event.score is not None:
        details.append(f"score={event.score}")
    text = f"{event.type.value} ({event.id})" + (f" {', '.join(details)}" if details else "")
    return text + (f"  [ignored: {ignored}]" if ignored else "")


def _change_text(change: ClockChange, zone: ZoneInfo) -> str:
    target = format_duration(change.target_seconds)
    deadline = _when(change.deadline, zone) if change.deadline is not None else "on hold"
    detail = f" ({change.detail})" if change.detail else ""
    if change.cause in (ChangeCause.STOPPED, ChangeCause.CANCELLED):
        return f"{change.cause.value}{detail}"
    return f"{change.cause.value}{detail}; target {target}, deadline {deadline}"


def _outcome(m: Measurement, zone: ZoneInfo) -> str:
    parts = [
        m.state.value,
        f"elapsed {format_duration(m.elapsed_seconds)} of {format_duration(m.target_seconds)}",
        f"on {m.calendar}",
    ]
    if m.paused_seconds:
        parts.append(f"paused {format_duration(m.paused_seconds)}")
    if m.deadline is not None:
        parts.append(f"deadline {_when(m.deadline, zone)}")
    if m.stopped_at is not None:
        parts.append(f"stopped {_when(m.stopped_at, zone)}")
    if m.next_due_at is not None:
        parts.append(f"next due {_when(m.next_due_at, zone)}")
    return ", ".join(parts)


def _why_breached(m: Measurement, zone: ZoneInfo) -> str:
    assert m.breached_at is not None
    changed = [c for c in m.history if c.cause is ChangeCause.ATTRIBUTES_CHANGED]
    late_change = next((c for c in changed if c.at == m.breached_at), None)
    if late_change is not None:
        return (
            f"at {_when(late_change.at, zone)} the ticket changed ({late_change.detail}); the new "
            f"target {format_duration(late_change.target_seconds)} had already passed "
            f"(deadline {_when(m.deadline, zone)}), so the clock breached at the change"
        )
    retro = next((c for c in m.history if c.cause is ChangeCause.RETROACTIVE_START), None)
    if retro is not None and retro.at == m.breached_at:
        return f"the objective started to apply at {_when(retro.at, zone)} ({retro.detail}) and its target had already passed"
    paused = f", {format_duration(m.paused_seconds)} paused" if m.paused_seconds else ""
    return (
        f"still running one second after the deadline {_when(m.deadline, zone)} (target "
        f"{format_duration(m.target_seconds)} on {m.calendar}{paused}): breached at "
        f"{_when(m.breached_at, zone)}"
    )


def _when(seconds: int | None, zone: ZoneInfo) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")
