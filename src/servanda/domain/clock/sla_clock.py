"""One SLA clock: an objective applied to one ticket (one cycle), in business time.

Rules (docs/semantics.md, "Ticket clocks"); all instants are whole epoch
seconds (UTC), all durations whole seconds of business time on the clock's
calendar, and every span is half-open ``[a, b)``:

- The clock *accrues* over the spans it runs; pauses and resolved spans do not
  accrue. The wall-clock spans are kept, so a new calendar can re-measure them
  from the clock's start (attribute change, SEMANTICS rule 7).
- ``deadline`` is the earliest instant at which elapsed == target, counted from
  the start of the current run (after a pause, from the resume).
- Late means after the deadline (rule 8): a clock still running one second
  after its deadline is breached at ``deadline + 1``, also when the deadline is
  a window's closing instant and that second is closed time (then elapsed stays
  == target while the clock is late). A stop or a pause at or before the
  deadline is not late.
- A warning at fraction ``f`` fires when elapsed reaches ``ceil(f * target)``.
- Time-driven transitions due at an instant apply before that instant's events.
- ``breached`` is sticky: once breached, a clock never becomes met again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Protocol

from servanda.domain.agreements import Metric
from servanda.domain.clock.measurement import (
    ChangeCause,
    ClockChange,
    ClockState,
    FiredWarning,
    Measurement,
)
from servanda.domain.precedence import AppliedObjective


class BusinessTime(Protocol):
    """What the fold needs from a business calendar (``BusinessCalendar`` provides it)."""

    def add_epoch(self, start_s: int, seconds: int, /) -> int: ...

    def between_epoch(self, a_s: int, b_s: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class ClockPlan:
    """An applied objective with everything a clock needs, resolved once per revision."""

    applied: AppliedObjective
    calendar: BusinessTime
    calendar_name: str
    target: int
    pause_on: frozenset[str]
    thresholds: tuple[tuple[Decimal, int], ...]  # (fraction, elapsed seconds), ascending
    key: str  # agreement/objective

    @classmethod
    def of(cls, applied: AppliedObjective, calendar: BusinessTime) -> ClockPlan:
        objective = applied.objective
        target = objective.target_seconds or 0
        thresholds = sorted(
            (fraction, int((fraction * target).to_integral_value(rounding=ROUND_CEILING)))
            for fraction in objective.warn_at
            if fraction > 0
        )
        return cls(
            applied,
            calendar,
            objective.calendar,
            target,
            applied.pause_on,
            tuple(thresholds),
            applied.key,
        )

    @property
    def metric(self) -> Metric:
        return self.applied.metric

    def same_terms(self, other: ClockPlan) -> bool:
        return (
            self.key == other.key
            and self.target == other.target
            and self.calendar_name == other.calendar_name
            and self.pause_on == other.pause_on
        )


class SLAClock:
    """The mutable state of one clock while a ticket's events are folded."""

    __slots__ = (
        "breached_at",
        "cancelled",
        "cycle",
        "deadline",
        "due",
        "due_exact",
        "due_need",
        "due_warning",
        "elapsed_closed",
        "fired",
        "history",
        "paused_closed",
        "paused_since",
        "pauses",
        "plan",
        "running_since",
        "spans",
        "start",
        "stopped_at",
        "timed",
    )

    def __init__(self, plan: ClockPlan, start: int, cycle: int, *, timed: bool = True) -> None:
        self.plan = plan
        self.start = start
        self.cycle = cycle
        self.timed = timed  # False while replaying history for a retroactive start
        self.spans: list[int] = []  # closed accruing spans, flat [a0, b0, a1, b1, ...]
        self.pauses: list[int] = []  # closed paused spans, flat
        self.running_since: int | None = None
        self.paused_since: int | None = None
        self.elapsed_closed = 0
        self.paused_closed = 0
        self.stopped_at: int | None = None
        self.breached_at: int | None = None
        self.cancelled = False
        self.deadline: int | None = None
        # ``due`` is the next warning/breach instant, or while ``due_exact`` is False
        # a lower bound of it (``since + need``: business time never outruns wall
        # time), so that clocks which stop early never pay for the exact instant.
        self.due: int | None = None
        self.due_exact = True
        self.due_need = 0
        self.due_warning: Decimal | None = None  # the threshold ``due`` is for; None: the breach
        self.fired: list[FiredWarning] = []
        self.history: list[ClockChange] = []

    # ------------------------------------------------------------------ state
    @property
    def is_open(self) -> bool:
        return self.stopped_at is None and not self.cancelled

    @property
    def is_retargetable(self) -> bool:
        """Running or paused: the only clocks an attribute change may alter (rule 7)."""
        return self.is_open and self.breached_at is None

    def _note(self, at: int, cause: ChangeCause, event_id: str | None, detail: str = "") -> None:
        self.history.append(
            ClockChange(at, cause, self.plan.target, self.deadline, self.plan.key, event_id, detail)
        )

    # ------------------------------------------------------------ transitions
    def begin(
        self, at: int, paused: bool, cause: ChangeCause, event_id: str | None, detail: str = ""
    ) -> None:
        if paused:
            self.paused_since = at
            if self.breached_at is None:
                self.deadline = None  # a reopen into a pause state: known again on resume
        else:
            self.running_since = at
            self._schedule()
        self._note(at, cause, event_id, detail)

    def set_paused(self, paused: bool, at: int, event_id: str | None, status: str | None) -> None:
        """Pause or resume at ``at`` so that the clock matches the ticket's status."""
        if paused and self.running_since is not None:
            self._close_running(at)
            self.paused_since = at
            if self.breached_at is None:
                self.deadline = None  # it moves with the pause; known again on resume
            self._note(at, ChangeCause.PAUSED, event_id, f"status {status}")
        elif not paused and self.paused_since is not None:
            self._close_paused(at)
            self.running_since = at
            self._schedule()
            self._note(at, ChangeCause.RESUMED, event_id, f"status {status or 'none'}")

    def stop(self, at: int, event_id: str | None, detail: str) -> None:
        self._close_running(at)
        self._close_paused(at)
        self.stopped_at = at
        self.due = None
        self._note(at, ChangeCause.STOPPED, event_id, detail)

    def reopen(self, at: int, paused: bool, event_id: str | None) -> None:
        self.stopped_at = None
        self.begin(at, paused, ChangeCause.REOPENED, event_id)

    def cancel(self, at: int, event_id: str | None, detail: str) -> None:
        self._close_running(at)
        self._close_paused(at)
        self.cancelled = True
        self.stopped_at = at
        self.due = None
        self._note(at, ChangeCause.CANCELLED, event_id, detail)

    def retarget(
        self, plan: ClockPlan, at: int, paused: bool, event_id: str | None, detail: str
    ) -> None:
        """Take a new objective at ``at``: re-measure from the start on its calendar (rule 7)."""
        self.plan = plan
        cal = plan.calendar
        self.elapsed_closed = _measure(cal, self.spans)
        self.paused_closed = _measure(cal, self.pauses)
        self._take_terms(at, paused, ChangeCause.ATTRIBUTES_CHANGED, event_id, detail)

    def settle_retroactive(self, at: int, paused: bool, event_id: str | None, detail: str) -> None:
        """Finish a clock replayed from creation: from ``at`` on it runs live."""
        self.timed = True
        if not self.is_open:
            # Replayed without time: a late stop is known, and so breached, only now.
            self.breached_at = at if self.breached_at is not None else None
            self._note(at, ChangeCause.RETROACTIVE_START, event_id, detail)
            return
        self.breached_at = None  # decided again from the spans, at ``at``
        self._take_terms(at, paused, ChangeCause.RETROACTIVE_START, event_id, detail)

    def _take_terms(
        self, at: int, paused: bool, cause: ChangeCause, event_id: str | None, detail: str
    ) -> None:
        """Go on under the plan's terms from ``at``: breach, catch up warnings, run or pause.

        The current run (or pause) stays open across the change: a change is not
        a pause, so a run that reaches the new target exactly at ``at`` keeps that
        deadline and is late one second later, wherever that second falls.
        """
        cal, target = self.plan.calendar, self.plan.target
        since = self.running_since
        passed = _passed_deadline(cal, self.spans, target)
        deadline = None
        if passed is None and since is not None:
            deadline = cal.add_epoch(since, target - self.elapsed_closed)
            if at > deadline:
                passed = deadline
        if passed is not None:  # the new deadline has already passed: late at the change
            self.breached_at, self.deadline = at, passed
        else:
            self.deadline = deadline
            elapsed = self.elapsed_closed
            if since is not None:
                elapsed += cal.between_epoch(since, at)
            for fraction, seconds in self.plan.thresholds:
                if seconds <= elapsed and not self._has_fired(fraction):
                    self.fired.append(FiredWarning(fraction, at))
        if since is not None and paused:
            self._close_running(at)
            self.paused_since = at
            if self.breached_at is None:
                self.deadline = None
        elif since is None and not paused:
            self._close_paused(at)
            self.running_since = at
            self._schedule()
        elif since is not None:
            self._schedule_due()
        self._note(at, cause, event_id, detail)

    # ------------------------------------------------------------ time-driven
    def advance(self, until: int) -> None:
        """Fire every warning and the breach due at or before ``until`` (at their own instants)."""
        while self.due is not None and self.due <= until:
            if not self.due_exact:
                self._pin_due()
                continue
            if self.due_warning is not None:
                self.fired.append(FiredWarning(self.due_warning, self.due))
                self._schedule_due()
            else:
                self.breached_at = self.due
                self.due = None

    def _schedule(self) -> None:
        """Deadline and next due instant of the running span that just began."""
        since = self.running_since
        assert since is not None
        if self.breached_at is None:
            remaining = self.plan.target - self.elapsed_closed
            self.deadline = self.plan.calendar.add_epoch(since, remaining)
            self._schedule_due()

    def _schedule_due(self) -> None:
        since = self.running_since
        self.due = self.due_warning = None
        if not self.timed or since is None or self.breached_at is not None:
            return
        elapsed = self.elapsed_closed
        for fraction, seconds in self.plan.thresholds:
            # Thresholds already passed were caught up at the change that passed them.
            if seconds > elapsed and not self._has_fired(fraction):
                need = seconds - elapsed
                self.due_warning = fraction
                self.due, self.due_need, self.due_exact = since + need, need, False
                return
        deadline = self.deadline
        assert deadline is not None
        self.due, self.due_exact = deadline + 1, True  # late means after the deadline

    def _pin_due(self) -> None:
        since = self.running_since
        assert since is not None
        self.due = self.plan.calendar.add_epoch(since, self.due_need)
        self.due_exact = True

    def _has_fired(self, fraction: Decimal) -> bool:
        return any(warning.threshold == fraction for warning in self.fired)

    # ---------------------------------------------------------------- spans
    def _close_running(self, at: int) -> None:
        since = self.running_since
        if since is not None:
            self.spans += (since, at)
            self.elapsed_closed += self.plan.calendar.between_epoch(since, at)
            self.running_since = None
            self.due = None
            deadline = self.deadline
            if self.breached_at is None and deadline is not None and at > deadline:
                # Ran past its deadline with no time-driven step (a replay): late from then.
                self.breached_at = deadline + 1

    def _close_paused(self, at: int) -> None:
        since = self.paused_since
        if since is not None:
            self.pauses += (since, at)
            self.paused_closed += self.plan.calendar.between_epoch(since, at)
            self.paused_since = None

    # ---------------------------------------------------------------- output
    def measurement(self, ticket: str, now: int) -> Measurement:
        cal = self.plan.calendar
        elapsed, paused = self.elapsed_closed, self.paused_closed
        if self.running_since is not None:
            elapsed += cal.between_epoch(self.running_since, now)
        if self.paused_since is not None:
            paused += cal.between_epoch(self.paused_since, now)
        plan = self.plan
        agreement = plan.applied.agreement
        return Measurement(
            ticket,
            agreement.id,
            agreement.level,
            plan.key,
            plan.applied.metric,
            self.cycle,
            self.state,
            plan.target,
            elapsed,
            paused,
            self.start,
            self.deadline,
            self.stopped_at,
            self.breached_at,
            plan.calendar_name,
            tuple(self.fired),
            tuple(self.history),
            self._exact_due() if self.is_open else None,
            now,
        )

    def _exact_due(self) -> int | None:
        if self.due is not None and not self.due_exact:
            self._pin_due()
        return self.due

    @property
    def state(self) -> ClockState:
        if self.cancelled:
            return ClockState.CANCELLED
        if self.breached_at is not None:
            return ClockState.BREACHED
        if self.stopped_at is not None:
            return ClockState.MET
        return ClockState.PAUSED if self.paused_since is not None else ClockState.RUNNING


def _measure(calendar: BusinessTime, spans: list[int]) -> int:
    between = calendar.between_epoch
    return sum(between(spans[i], spans[i + 1]) for i in range(0, len(spans), 2))


def _passed_deadline(calendar: BusinessTime, spans: list[int], target: int) -> int | None:
    """The deadline a clock with these closed runs ran past (it was late one second later).

    Each run ``[a, b)`` has its own deadline, ``add(a, target - accrued before a)``
    (a resume counts from the resume); ``None`` when every run ended at or before it.
    """
    between, add = calendar.between_epoch, calendar.add_epoch
    total = 0
    for i in range(0, len(spans), 2):
        a, b = spans[i], spans[i + 1]
        length, remaining = between(a, b), target - total
        # Only a run with at least ``remaining`` of business time can reach its
        # deadline (so ``add`` never searches past the calendar's last opening).
        if length >= remaining and (length or remaining):
            deadline = add(a, remaining)
            if b > deadline:
                return deadline
        total += length
    return None
