"""The exception tree of Servanda. Every error we raise on purpose is one of these.

Each is mapped to a CLI exit code in exactly one place (``exit_code_for`` in
``entrypoints/cli/__init__.py``) and to an HTTP status in exactly one place
(``STATUS_BY_ERROR`` in ``entrypoints/api/errors.py``); ``code`` is the stable
machine-readable name in every API answer. Classes defined outside this module
are listed with their module; a test keeps this table and those two mappings in
step, and fails on a subclass missing here.

    class                                            code                       exit  HTTP
    ServandaError                                    servanda_error               5    400
    ├── DefinitionError                              invalid_definitions          1    422
    │       definitions that cannot be used (carries every located issue)
    ├── EventError                                   invalid_event                1    422
    │       an event or outage that cannot be accepted (bad shape, conflicting duplicate)
    ├── CalendarError                                calendar_error               5    422
    │       business-time misuse: naive datetimes, negative durations
    ├── PeriodError (domain.periods)                 invalid_period               5    422
    │       a report period that cannot be read or lies outside the supported years
    ├── NotFoundError                                not_found                    3    404
    │       a named thing (ticket, revision, agreement, customer) does not exist
    ├── ConflictError                                conflict                     4    409
    │   │   a write that contradicts what is stored
    │   └── RemeasureChoiceRequiredError (services.revisions)
    │                                                remeasure_choice_required    4    409
    │           a revision would move stored tickets: say --remeasure or --no-remeasure
    ├── AuthenticationError (services.auth)          unauthenticated              5    401
    ├── PermissionDeniedError (services.auth)        forbidden                    5    403
    ├── InvalidTokenRequestError (services.auth)     invalid_token_request        5    422
    ├── InvalidSubscriptionError (services.webhooks) invalid_subscription         5    422
    ├── ReasonRequiredError (services.closing)       reason_required              5    400
    │       reopening a closed period needs a reason for the audit log
    ├── FrozenFiguresError (services.frozen_figures) closed_period_figures        5    400
    │       a closed period's recorded figures cannot answer what was asked
    ├── StorageContentionError (services.ports)      storage_contention           5    503
    │       a transaction lost a race (deadlock, serialization): retry as it is
    └── SchemaOutOfDateError (bootstrap)             schema_out_of_date           5    400
            the database schema is older than this Servanda: run ``servanda db upgrade``

Exit code 2 is reserved for usage errors (a malformed option), which the
command-line parser reports before any of these can be raised.
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
    code: str | None = None  # a stable name for programs, e.g. "yaml_too_deep"

    def __str__(self) -> str:
        where = self.file or "<definitions>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        tail = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.message}{tail}"


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
