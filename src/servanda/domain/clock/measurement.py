"""Measurements: the outcome of one SLA clock (one objective applied to one ticket, one cycle).

Units and time: every instant is whole epoch seconds (UTC); every duration is
whole seconds of business time on the clock's ``calendar``. ``to_dict`` is the
edge: it renders instants as ISO 8601 strings in UTC (``+00:00``).

Meaning of the fields (docs/semantics.md, "Ticket clocks"):
- ``elapsed_seconds``: business time accrued from ``started_at`` to the stop
  (or to the evaluation instant while open), pauses and resolved spans excluded.
- ``paused_seconds``: business time that would have accrued while paused.
- ``deadline``: the instant at which ``elapsed_seconds == target_seconds``;
  ``None`` while the clock is paused and not yet breached (it moves on resume).
- ``breached_at``: ``deadline + 1``, the first second at which the clock was
  still running after its deadline (late means after the deadline: also when
  that second is closed time, so elapsed may equal the target), or the instant
  of the attribute change or retroactive start that found the clock late.
- ``next_due_at``: the next instant at which a warning or the breach becomes due
  while the clock runs; ``None`` when nothing more can happen without an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from servanda.domain.agreements import Level, Metric

_set = object.__setattr__  # frozen values: the one way to fill their slots


class ClockState(StrEnum):
    """Where a clock stands. ``breached`` is final: later events never make it ``met``."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class ChangeCause(StrEnum):
    """Why a clock's target or deadline changed (for explanations)."""

    STARTED = "started"  # the clock started with its first target
    RETROACTIVE_START = "retroactive_start"  # objective newly applies after an attribute change
    ATTRIBUTES_CHANGED = "attributes_changed"  # re-resolution took a new objective/target
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    REOPENED = "reopened"
    CANCELLED = "cancelled"  # the metric no longer applies


@dataclass(frozen=True, slots=True)
class FiredWarning:
    """A warning threshold (fraction of the target, e.g. ``0.8``) and the instant it fired."""

    threshold: Decimal
    at: int


@dataclass(frozen=True, slots=True)
class ClockChange:
    """One step in a clock's history: what changed, when, why, and the resulting target/deadline."""

    at: int
    cause: ChangeCause
    target_seconds: int
    deadline: int | None
    objective_key: str
    event_id: str | None = None
    detail: str = ""

    def __init__(
        self,
        at: int,
        cause: ChangeCause,
        target_seconds: int,
        deadline: int | None,
        objective_key: str,
        event_id: str | None = None,
        detail: str = "",
    ) -> None:
        # Hand-written for speed (the fold makes about one per event); same
        # signature as the generated one, checked by the measurements tests.
        _set(self, "at", at)
        _set(self, "cause", cause)
        _set(self, "target_seconds", target_seconds)
        _set(self, "deadline", deadline)
        _set(self, "objective_key", objective_key)
        _set(self, "event_id", event_id)
        _set(self, "detail", detail)

    def to_dict(self) -> dict[str, object]:
        return {
            "at": iso(self.at),
            "cause": self.cause.value,
            "target_seconds": self.target_seconds,
            "deadline": iso(self.deadline),
            "objective": self.objective_key,
            "event_id": self.event_id,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Measurement:
    """The outcome of one clock, as of ``evaluated_at``.

    ``cycle`` is 0 for first_response and resolution, 1.. for next_response.
    ``objective_key`` is ``agreement/objective`` (stable across revisions).
    """

    ticket: str
    agreement: str
    level: Level
    objective_key: str
    metric: Metric
    cycle: int
    state: ClockState
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    started_at: int
    deadline: int | None
    stopped_at: int | None
    breached_at: int | None
    calendar: str
    warnings: tuple[FiredWarning, ...]
    history: tuple[ClockChange, ...]
    next_due_at: int | None
    evaluated_at: int

    def __init__(  # noqa: PLR0917 - the dataclass's own positional signature
        self,
        ticket: str,
        agreement: str,
        level: Level,
        objective_key: str,
        metric: Metric,
        cycle: int,
        state: ClockState,
        target_seconds: int,
        elapsed_seconds: int,
        paused_seconds: int,
        started_at: int,
        deadline: int | None,
        stopped_at: int | None,
        breached_at: int | None,
        calendar: str,
        warnings: tuple[FiredWarning, ...],
        history: tuple[ClockChange, ...],
        next_due_at: int | None,
        evaluated_at: int,
    ) -> None:
        # Hand-written for speed (one per clock per fold); same signature as the
        # generated one, checked by the measurements tests.
        _set(self, "ticket", ticket)
        _set(self, "agreement", agreement)
        _set(self, "level", level)
        _set(self, "objective_key", objective_key)
        _set(self, "metric", metric)
        _set(self, "cycle", cycle)
        _set(self, "state", state)
        _set(self, "target_seconds", target_seconds)
        _set(self, "elapsed_seconds", elapsed_seconds)
        _set(self, "paused_seconds", paused_seconds)
        _set(self, "started_at", started_at)
        _set(self, "deadline", deadline)
        _set(self, "stopped_at", stopped_at)
        _set(self, "breached_at", breached_at)
        _set(self, "calendar", calendar)
        _set(self, "warnings", warnings)
        _set(self, "history", history)
        _set(self, "next_due_at", next_due_at)
        _set(self, "evaluated_at", evaluated_at)

    @property
    def remaining_seconds(self) -> int:
        """Business time left before the target is reached (negative once exceeded)."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def is_stopped(self) -> bool:
        """Whether the clock has concluded (met, breached and stopped, or cancelled)."""
        return self.stopped_at is not None or self.state is ClockState.CANCELLED

    @property
    def concluded_at(self) -> int | None:
        """When the measurement counts (SEMANTICS "Periods"): met at stop, breached at breach."""
        if self.state is ClockState.MET:
            return self.stopped_at
        if self.state is ClockState.BREACHED:
            return self.breached_at
        return None

    def to_dict(self) -> dict[str, object]:
        """A plain JSON-ready mapping: ISO 8601 UTC instants, seconds as ints, names as strings."""
        return {
            "ticket": self.ticket,
            "agreement": self.agreement,
            "level": self.level.value,
            "objective": self.objective_key,
            "metric": self.metric.value,
            "cycle": self.cycle,
            "state": self.state.value,
            "target_seconds": self.target_seconds,
            "elapsed_seconds": self.elapsed_seconds,
            "remaining_seconds": self.remaining_seconds,
            "paused_seconds": self.paused_seconds,
            "started_at": iso(self.started_at),
            "deadline": iso(self.deadline),
            "stopped_at": iso(self.stopped_at),
            "breached_at": iso(self.breached_at),
            "calendar": self.calendar,
            "warnings": [{"threshold": str(w.threshold), "at": iso(w.at)} for w in self.warnings],
            "history": [change.to_dict() for change in self.history],
            "next_due_at": iso(self.next_due_at),
            "evaluated_at": iso(self.evaluated_at),
        }


def iso(seconds: int | None) -> str | None:
    """ISO 8601 UTC (``2026-03-02T08:15:00+00:00``) of whole epoch seconds, or ``None``."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
