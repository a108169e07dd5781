"""The exception tree of Servanda. Every error we raise on purpose is one of these.

    ServandaError
    ├── DefinitionError        definitions that cannot be used (carries located issues)
    ├── CalendarError          business-time misuse: naive datetimes, negative durations
    ├── EventError             an event that cannot be accepted (bad shape, conflicting duplicate)
    ├── NotFoundError          a named thing (ticket, revision, agreement, customer) does not exist
    └── ConflictError          a write that contradicts what is stored

Each is mapped to an HTTP status and a CLI exit code in exactly one place each
(the API's error handlers and the CLI's error boundary).
"""

from __future__ import annotations

from dataclasses import dataclass


class ServandaError(Exception):
    """Base class of every error Servanda raises on purpose."""

    code: str = "servanda_error"


@dataclass(frozen=True, slots=True)
class Issue:
    """One located problem in a definitions set: where it is and a sentence a manager understands."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = (
        None  # dotted path inside the document, e.g. "agreements[2].objectives[0].target"
    )

    def __str__(self) -> str:
        where = self.file or "<definitions>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DefinitionError(ServandaError):
    """The definitions are invalid; ``issues`` lists every problem found, each located."""

    code = "invalid_definitions"

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the definitions"
        super().__init__(head + "".join(f"\n  {issue}" for issue in self.issues))


class CalendarError(ServandaError, ValueError):
    """Business-time arithmetic was asked something it cannot answer (naive datetime, negative duration)."""

    code = "calendar_error"


class EventError(ServandaError, ValueError):
    """An event cannot be accepted."""

    code = "invalid_event"


class NotFoundError(ServandaError, LookupError):
    """A named thing does not exist (or is not visible to the caller)."""

    code = "not_found"


class ConflictError(ServandaError):
    """A write contradicts what is already stored."""

    code = "conflict"
