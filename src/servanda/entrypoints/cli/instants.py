"""Instants and periods given on the command line (``--now``, ``--since``, ``PERIOD``).

Each is checked as the command line is read: an instant that is not ISO 8601
with an offset, or that lies outside the supported range
(``servanda.domain.instants``, 1970-2199 UTC), and a period that cannot be read
or lies outside those years, is a usage error (exit 2) naming the option,
before any file or database is opened. The rules are the ones an event's ``at``
and a report's period follow, so ``--now`` can never put a clock where no
stored instant could be.
"""

from __future__ import annotations

import typer


def instant_option(value: str | None) -> str | None:
    """Typer callback for an optional instant option: the text unchanged, or ``BadParameter``."""
    if value is None:
        return None
    from servanda.domain.errors import EventError
    from servanda.specs.events import parse_instant

    try:
        parse_instant(value)
    except EventError as error:
        raise typer.BadParameter(str(error)) from None
    return value


def period_argument(value: str) -> str:
    """Typer callback for a reporting period (``2026-03``...): the text unchanged, or
    ``BadParameter``."""
    from servanda.domain.periods import PeriodError, parse_period

    try:
        parse_period(value, "UTC")
    except PeriodError as error:
        raise typer.BadParameter(str(error)) from None
    return value
