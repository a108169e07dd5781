"""Report sources over a closed period's frozen inputs, and over recording ones at its close.

Reports read revisions and outages through a unit of work; these wrappers give
them the live revisions up to the period's ``revision_ceiling`` and the
outages recorded at the close (``services.frozen_figures``). Every other
repository is deliberately absent: reports never read events or measurements
through a unit of work.
"""

from __future__ import annotations

from typing import Self, cast

from servanda.domain.agreements import Definitions
from servanda.domain.availability import Outage
from servanda.domain.errors import NotFoundError
from servanda.services.frozen_figures import FrozenFiguresError, Recording, call_key
from servanda.services.ports import RevisionSummary, UnitOfWork, UnitOfWorkFactory


class _ReportUnitOfWork:
    """What a closed period's reports read through: revisions up to the recording's ceiling,
    and outages as the subclass answers them; everything else is the live unit of work's."""

    def __init__(self, live: UnitOfWork, recording: Recording) -> None:
        self._live = live
        self._recording = recording

    def __enter__(self) -> Self:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(*exc)  # type: ignore[arg-type]

    @property
    def revisions(self) -> _CeilingRevisions:
        return _CeilingRevisions(self._live, self._recording.revision_ceiling)


class FrozenUnitOfWork(_ReportUnitOfWork):
    """A unit of work for a closed period's reports: revisions up to the ceiling, frozen outages.

    Events and measurements are never read by reports through it.
    """

    @property
    def outages(self) -> _FrozenOutages:
        return _FrozenOutages(self._recording)


class _CeilingRevisions:
    def __init__(self, live: UnitOfWork, ceiling: int) -> None:
        self._live = live
        self._ceiling = ceiling

    def history(self) -> list[RevisionSummary]:
        return [r for r in self._live.revisions.history() if r.id <= self._ceiling]

    def definitions(self, revision_id: int) -> Definitions:
        if revision_id > self._ceiling:
            raise NotFoundError(f"revision {revision_id} came after the period was closed")
        return self._live.revisions.definitions(revision_id)


class _FrozenOutages:
    def __init__(self, recording: Recording) -> None:
        self._recording = recording

    def overlapping(self, service: str, start: int, end: int) -> list[Outage]:
        found = self._recording.outages.get(call_key(service, start, end))
        if found is None:
            raise FrozenFiguresError(
                f"this closed period's snapshot holds no outages of {service!r} for that span"
            )
        return list(found)


class RecordingUnitOfWork(_ReportUnitOfWork):
    """The live unit of work, keeping every outage answer in ``recording``."""

    @property
    def outages(self) -> _RecordingOutages:
        return _RecordingOutages(self._live, self._recording)


class _RecordingOutages:
    def __init__(self, live: UnitOfWork, recording: Recording) -> None:
        self._live = live
        self._recording = recording

    def overlapping(self, service: str, start: int, end: int) -> list[Outage]:
        found = self._live.outages.overlapping(service, start, end)
        self._recording.outages[call_key(service, start, end)] = list(found)
        return found


def frozen_factory(live: UnitOfWorkFactory, recording: Recording) -> UnitOfWorkFactory:
    """Units of work that answer reports from ``recording`` (reports read only revisions and
    outages through a unit of work; any other repository is deliberately absent)."""
    return lambda: cast(UnitOfWork, FrozenUnitOfWork(live(), recording))


def recording_factory(live: UnitOfWorkFactory, recording: Recording) -> UnitOfWorkFactory:
    """Live units of work that keep every outage answer in ``recording``."""
    return lambda: cast(UnitOfWork, RecordingUnitOfWork(live(), recording))
