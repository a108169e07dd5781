"""Frozen report inputs: what a closed period's reports were computed from, kept byte for byte.

A report is a pure function of three inputs: the definitions revision chosen
for its period, the read model's answers (compliance counts, ratings, breaches,
event trails) and the outages read through the unit of work. Closing a period
runs the customer's reports once over *recording* sources and keeps every
answer (``Recording``), and the adjustments after close of earlier periods its
credit statement booked; the closed period's reports are then computed by the
same code over *frozen* sources that answer from that record
(``frozen_sources``), so every format (table, CSV, JSON, HTML, PDF) is exactly
what it was at the close, whatever events, revisions or re-measurements came
later. Revisions applied after the close are not seen (``revision_ceiling``).

A frozen read model answers a request it did not record when a recorded one
covers it: the same windows for the same customer, narrowed to a service or an
agreement (``report compliance --service``), or a suffix of the recorded
windows (a shorter trend). Anything else is a ``FrozenFiguresError``.
"""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Self, TypeVar, Union, get_args, get_origin, get_type_hints

from servanda.domain.availability import Outage
from servanda.domain.credits import StatementLine
from servanda.domain.errors import ServandaError
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    ReportReadModel,
    Scope,
    TrailEvent,
    Window,
)

SNAPSHOT_VERSION = 1
T = TypeVar("T")


class FrozenFiguresError(ServandaError):
    """A closed period's report asked for figures its snapshot does not hold."""

    code = "closed_period_figures"


# ------------------------------------------------------------------ value codec
def to_plain(value: object) -> object:
    """JSON-ready form of flat report values: dataclasses, tuples, Decimals, enums."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value


def from_plain(kind: Any, data: Any) -> Any:  # noqa: ANN401 - the inverse of to_plain, by type
    """The value of type ``kind`` that ``to_plain`` turned into ``data``."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [k for k in get_args(kind) if k is not type(None)]
        return None if data is None else from_plain(options[0], data)
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], item) for item in data)
        return tuple(from_plain(a, item) for a, item in zip(args, data, strict=True))
    if origin is list:
        return [from_plain(get_args(kind)[0], item) for item in data]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(
            **{f.name: from_plain(hints[f.name], data[f.name]) for f in dataclasses.fields(kind)}
        )
    if kind is Decimal:
        return Decimal(data)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    return data


def canonical(value: object) -> str:
    return json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -------------------------------------------------------------------- recording
@dataclasses.dataclass(slots=True)
class Recording:
    """Every answer the reports of one customer and period were computed from."""

    revision_ceiling: int
    compliance: dict[str, list[ComplianceCount]] = dataclasses.field(default_factory=dict)
    ratings: dict[str, list[RatingCount]] = dataclasses.field(default_factory=dict)
    breaches: dict[str, list[BreachRow]] = dataclasses.field(default_factory=dict)
    trails: dict[str, list[TrailEvent]] = dataclasses.field(default_factory=dict)
    outages: dict[str, list[Outage]] = dataclasses.field(default_factory=dict)
    adjustments: dict[str, list[StatementLine]] = dataclasses.field(default_factory=dict)

    def to_json(self) -> str:
        """The canonical text of the record (what the content hash is taken of)."""
        data = {
            "version": SNAPSHOT_VERSION,
            "revision_ceiling": self.revision_ceiling,
            "compliance": {k: to_plain(v) for k, v in sorted(self.compliance.items())},
            "ratings": {k: to_plain(v) for k, v in sorted(self.ratings.items())},
            "breaches": {k: to_plain(v) for k, v in sorted(self.breaches.items())},
            "trails": {k: to_plain(v) for k, v in sorted(self.trails.items())},
            "outages": {k: to_plain(v) for k, v in sorted(self.outages.items())},
            "adjustments": {k: to_plain(v) for k, v in sorted(self.adjustments.items())},
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Self:
        data = json.loads(text)
        if data.get("version") != SNAPSHOT_VERSION:
            raise FrozenFiguresError(
                f"unknown closed-period snapshot version {data.get('version')}"
            )

        def rows(name: str, kind: type[T]) -> dict[str, list[T]]:
            return {k: [from_plain(kind, row) for row in v] for k, v in data[name].items()}

        return cls(
            int(data["revision_ceiling"]),
            rows("compliance", ComplianceCount),
            rows("ratings", RatingCount),
            rows("breaches", BreachRow),
            rows("trails", TrailEvent),
            rows("outages", Outage),
            rows("adjustments", StatementLine),
        )


def call_key(*parts: object) -> str:
    """The canonical text of a recorded call's arguments."""
    return canonical(list(parts))


class RecordingReadModel:
    """Answers from ``live`` and keeps every answer in ``recording``."""

    def __init__(self, live: ReportReadModel, recording: Recording) -> None:
        self._live = live
        self._recording = recording

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        found = self._live.compliance_counts(windows, scope)
        self._recording.compliance[call_key(windows, scope)] = list(found)
        return found

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        found = self._live.rating_counts(windows, scope)
        self._recording.ratings[call_key(windows, scope)] = list(found)
        return found

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        found = self._live.breaches(window, scope, limit)
        self._recording.breaches[call_key(window, scope, limit)] = list(found)
        return found

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        found = self._live.trails(tickets)
        self._recording.trails[call_key(list(tickets))] = list(found)
        return found


# ------------------------------------------------------------------- replaying
class FrozenReadModel:
    """Answers from a ``Recording`` (see the module docstring for what it can derive)."""

    def __init__(self, recording: Recording) -> None:
        self._recording = recording

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        found = self._recording.compliance.get(call_key(windows, scope))
        if found is not None:
            return list(found)
        return _narrowed_counts(self._recording.compliance, windows, scope)

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        found = self._recording.ratings.get(call_key(windows, scope))
        if found is not None:
            return list(found)
        wide = _wider(self._recording.ratings, windows, scope)
        return [r for r in wide if scope.service is None or r.service == scope.service]

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        found = self._recording.breaches.get(call_key(window, scope, limit))
        if found is None:
            raise FrozenFiguresError("this closed period's snapshot holds no such breach list")
        return list(found)

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        found = self._recording.trails.get(call_key(list(tickets)))
        if found is None:
            raise FrozenFiguresError("this closed period's snapshot holds no such event trail")
        return list(found)


def _wider(recorded: dict[str, list[T]], windows: Sequence[Window], scope: Scope) -> list[T]:
    """The answer recorded for the same windows and customers, without a service/agreement."""
    wide = dataclasses.replace(scope, service=None, agreement=None)
    found = recorded.get(call_key(windows, wide))
    if found is None:
        raise FrozenFiguresError(
            "this closed period's snapshot holds no figures for that request: reopen the period "
            "(`servanda periods reopen`) to compute it from the stored measurements"
        )
    return found


def _narrowed_counts(
    recorded: dict[str, list[ComplianceCount]], windows: Sequence[Window], scope: Scope
) -> list[ComplianceCount]:
    """Counts of a narrower scope, or of the last windows of a recorded request."""
    wide = dataclasses.replace(scope, service=None, agreement=None)
    for key, counts in recorded.items():
        recorded_windows, recorded_scope = json.loads(key)
        if recorded_scope != to_plain(wide):
            continue
        spans = [Window(w["start"], w["end"]) for w in recorded_windows]
        offset = len(spans) - len(windows)
        if offset < 0 or spans[offset:] != list(windows):
            continue
        return [
            _shifted(c, offset)
            for c in counts
            if c.window >= offset
            and (scope.service is None or c.service == scope.service)
            and (scope.agreement is None or c.objective_key.startswith(f"{scope.agreement}/"))
        ]
    raise FrozenFiguresError(
        "this closed period's snapshot holds no figures for that request: reopen the period "
        "(`servanda periods reopen`) to compute it from the stored measurements"
    )


def _shifted(count: ComplianceCount, offset: int) -> ComplianceCount:
    """The count renumbered for an answer that starts ``offset`` windows later; a count that
    became the answer's first window has no previous window (as the database answers)."""
    shifted = dataclasses.replace(count, window=count.window - offset)
    if count.window == offset:
        return dataclasses.replace(shifted, previous_met=0, previous_breached=0)
    return shifted
