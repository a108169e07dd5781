"""Unknown values: a ticket event's (or outage's) values checked against what the definitions know.

Rule, per dimension (customer, service, priority, status, and each other
attribute): the definitions either *declare* its values (``vocabulary:`` —
priorities, statuses, attribute values; a value outside is an **error**) or
its known values are *inferred* (a value outside is a **warning**):

- customers: the defined customers and the customer values conditions name;
- services: the defined services and the service values conditions name;
- priorities: the priority values objective conditions name;
- statuses: every pause state (agreements' and objectives' ``pause_on``), the
  statuses Servanda itself documents (``BUILT_IN_STATUSES``) and those the
  caller adds (what a state map produces);
- any other attribute: the values objective conditions name for it.

A dimension with nothing inferred is not checked: definitions that define no
customer, name no priority or pause on nothing give every value of it the same
terms, so there is nothing to misspell. Values compare exactly, as conditions
do; a value equal to a known one but for case (``p2``/``P2``), or close to
one, gets a "did you mean". The known values are those of one definitions set
(one revision) as a whole, whatever its agreements' effective dates.

Pure and deterministic: findings come in the order customer, service,
priority, status, then other attributes by name; lists in messages are sorted.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from servanda.domain.agreements import TICKET_METRICS, Definitions
from servanda.domain.availability import Outage
from servanda.domain.events import EventType, TicketEvent

BUILT_IN_STATUSES = frozenset({"new", "open", "resolved", "reopened", "closed"})
"""Statuses Servanda gives or documents itself: ``new`` (a created event without a status), ``open``
(back at work, docs/events.md) and the lifecycle statuses resolved, reopened, closed."""

SHOWN_VALUES = 8
_SCOPE = ("customer", "service", "priority", "status")


class FindingCode(StrEnum):
    """What kind of value is unknown: stable names for machines (API, CLI summaries)."""

    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_PRIORITY = "unknown_priority"
    UNKNOWN_STATUS = "unknown_status"
    UNKNOWN_ATTRIBUTE_VALUE = "unknown_attribute_value"
    CREATED_BEFORE_DEFINITIONS = "created_before_definitions"  # no revision is in force then


class Severity(StrEnum):
    WARNING = "warning"  # inferred vocabulary: the value is stored, and reported
    ERROR = "error"  # declared vocabulary: the event is refused


@dataclass(frozen=True, slots=True)
class Finding:
    """One unknown value of one event: which attribute, the value, and a sentence about it."""

    code: FindingCode
    severity: Severity
    attribute: str
    value: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Known:
    """The values one dimension accepts; ``declared`` names where they are declared
    (``vocabulary.priorities``), ``None`` when they are inferred."""

    values: frozenset[str]
    declared: str | None = None


@dataclass(frozen=True, slots=True)
class KnownValues:
    """What one definitions set knows, per dimension (``None``: the dimension is not checked).

    ``pause_states`` is kept apart for messages; ``priority_everywhere`` says every ticket
    clock objective names a priority (an unknown priority then means no clocks at all).
    """

    customers: Known | None
    services: Known | None
    priorities: Known | None
    statuses: Known | None
    attributes: Mapping[str, Known]
    pause_states: frozenset[str]
    priority_everywhere: bool

    @classmethod
    def of(cls, definitions: Definitions, statuses: Iterable[str] = ()) -> KnownValues:
        """The known values of ``definitions``; ``statuses`` adds those a state map produces."""
        named: dict[str, set[str]] = {}
        pauses: set[str] = set()
        everywhere = True
        for agreement in definitions.agreements:
            pauses |= agreement.pause_on
            for objective in agreement.objectives:
                pauses |= objective.pause_on
                for condition in objective.conditions:
                    named.setdefault(condition.attribute, set()).update(condition.values)
                if objective.metric in TICKET_METRICS and objective.target_seconds is not None:
                    everywhere &= any(c.attribute == "priority" for c in objective.conditions)
        declared = definitions.vocabulary
        groups = {c.group for c in definitions.customers.values() if c.group is not None}
        attributes = {
            name: Known(frozenset(values | (groups if name == "group" else set())))
            for name, values in named.items()
            if name not in ("customer", "service", "priority")
        }
        for name, values in declared.attributes.items():
            attributes[name] = Known(values, f"vocabulary.attributes.{name}")
        return cls(
            customers=_inferred(set(definitions.customers) | named.get("customer", set())),
            services=_inferred(set(definitions.services) | named.get("service", set())),
            priorities=(
                Known(declared.priorities, "vocabulary.priorities")
                if declared.priorities is not None
                else _inferred(named.get("priority", set()))
            ),
            statuses=(
                Known(declared.statuses, "vocabulary.statuses")
                if declared.statuses is not None
                else _inferred(pauses | BUILT_IN_STATUSES | set(statuses))
                if pauses
                else None
            ),
            attributes=dict(sorted(attributes.items())),
            pause_states=frozenset(pauses),
            priority_everywhere=everywhere and "priority" in named,
        )

    def known_for(self, attribute: str) -> Known | None:
        if attribute == "customer":
            return self.customers
        if attribute == "service":
            return self.services
        if attribute == "priority":
            return self.priorities
        if attribute == "status":
            return self.statuses
        return self.attributes.get(attribute)


def _inferred(values: set[str]) -> Known | None:
    return Known(frozenset(values)) if values else None


def check_event(event: TicketEvent, known: KnownValues) -> tuple[Finding, ...]:
    """The unknown values ``event`` carries (empty for most events: a few set lookups)."""
    findings = [
        _finding(attribute, value, found, known, event.type)
        for attribute, value in _values_of(event)
        if (found := known.known_for(attribute)) is not None and value not in found.values
    ]
    return tuple(findings)


def check_outage(outage: Outage, known: KnownValues) -> tuple[Finding, ...]:
    """The unknown service and customers an outage names."""
    pairs = [("service", outage.service), *(("customer", name) for name in outage.customers)]
    return tuple(
        _finding(attribute, value, found, known, None)
        for attribute, value in sorted(pairs, key=lambda pair: _SCOPE.index(pair[0]))
        if (found := known.known_for(attribute)) is not None and value not in found.values
    )


def _values_of(event: TicketEvent) -> Iterator[tuple[str, str]]:
    if event.type is EventType.CREATED:
        pairs = [
            (name, value)
            for name, value in (
                ("customer", event.customer),
                ("service", event.service),
                ("priority", event.priority),
                ("status", event.status),
            )
            if value is not None
        ]
        given = {name for name, _ in pairs}
        pairs += [(name, value) for name, value in event.fields if name not in given]
    elif event.type is EventType.ATTRIBUTES_CHANGED:
        pairs = list(event.changes)
    elif event.type is EventType.STATUS_CHANGED and event.status is not None:
        pairs = [("status", event.status)]
    else:
        return iter(())
    return iter(sorted(pairs, key=_rank))


def _rank(pair: tuple[str, str]) -> tuple[int, str]:
    name = pair[0]
    return (_SCOPE.index(name) if name in _SCOPE else len(_SCOPE), name)


def _finding(
    attribute: str, value: str, known: Known, values: KnownValues, kind: EventType | None
) -> Finding:
    code = _CODES.get(attribute, FindingCode.UNKNOWN_ATTRIBUTE_VALUE)
    if known.declared is not None:
        message = (
            f"{attribute} {value!r} is not in {known.declared} ({listed(known.values)})"
            + hint_suffix(value, known.values)
        )
        return Finding(code, Severity.ERROR, attribute, value, message)
    return Finding(
        code, Severity.WARNING, attribute, value, _warning(attribute, value, known, values, kind)
    )


_CODES = {
    "customer": FindingCode.UNKNOWN_CUSTOMER,
    "service": FindingCode.UNKNOWN_SERVICE,
    "priority": FindingCode.UNKNOWN_PRIORITY,
    "status": FindingCode.UNKNOWN_STATUS,
}


def _warning(
    attribute: str, value: str, known: Known, values: KnownValues, kind: EventType | None
) -> str:
    shown = known.values
    if attribute == "customer":
        what = f"customer {value!r} is not defined: only corporate and service agreements apply"
    elif attribute == "service":
        what = f"service {value!r} is not defined: no agreement for a service applies"
    elif attribute == "priority":
        if not values.priority_everywhere:
            outcome = "only objectives that name no priority apply"
        elif kind is EventType.ATTRIBUTES_CHANGED:
            outcome = "the ticket's clocks are cancelled"
        else:
            outcome = "no clocks"
        what = f"priority {value!r} matches no objective at any level: {outcome}"
    elif attribute == "status":
        what = f"status {value!r} is in no pause list and no state map: it pauses no clock"
        shown = values.pause_states
    else:
        what = (
            f"{attribute} {value!r} is named by no objective condition: objectives that "
            f"name a {attribute} do not apply to it"
        )
    close = suggestion(value, known.values)
    if close is not None:
        return f"{what} (did you mean {close!r}?)"
    noun = {"status": "pause states", "priority": "priorities"}.get(attribute, "known")
    return f"{what} ({noun}: {listed(shown)})"


def suggestion(value: str, known: Iterable[str]) -> str | None:
    """The known value ``value`` was probably meant to be: equal but for case, else close.

    A close value must carry the same digits: ``Category 55`` is another category than
    ``Category 42``, not a typo of it, however alike the words look."""
    choices = sorted(known)
    folded = value.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    digits = _digits(value)
    lowered = {
        choice.casefold(): choice for choice in reversed(choices) if _digits(choice) == digits
    }
    close = difflib.get_close_matches(folded, sorted(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def hint_suffix(value: str, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` or nothing."""
    close = suggestion(value, known)
    return f"; did you mean {close!r}?" if close is not None else ""


def listed(values: Iterable[str]) -> str:
    """Sorted values, the first ``SHOWN_VALUES`` of them, and how many more."""
    ordered = sorted(values)
    shown = ", ".join(ordered[:SHOWN_VALUES])
    more = len(ordered) - SHOWN_VALUES
    return f"{shown} and {more} more" if more > 0 else shown or "none"
