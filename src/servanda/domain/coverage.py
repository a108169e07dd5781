"""Why a ticket has no clock: the reason, read from its facts and its revision's definitions.

The fold resolves a ticket's objectives at its creation and again at each
attribute change; a metric that newly applies starts its clock retroactively,
and a clock that stops applying is kept as cancelled (SEMANTICS "Ticket
clocks" 7). So a ticket without any measurement is one whose *current*
attributes, on its creation date, match no first_response or resolution
objective, and no next_response cycle has started. The reasons, checked in
this order:

1. ``no_created_event``: no created event (applied) yet; objectives are resolved at creation;
2. ``no_agreement_in_force``: no agreement of the ticket's revision is in force on
   its creation date (a local date in the definitions' time zone);
3. ``no_objective_matches``: no ticket objective matches the ticket: the message
   names its customer, service, priority and every attribute a condition names,
   with the unknown ones pointed out (``domain.vocabulary``);
4. ``no_cycle_yet``: only next_response applies, and no customer reply after the
   first agent reply has started a cycle;
5. ``created_after_evaluation``: created after the instant it was last folded at
   (events after ``now`` are not applied);
6. ``ignored_events``: objectives do match its stored attributes, so the events
   that set them were ignored by the fold (they came after the ticket was closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from servanda.domain.agreements import TICKET_METRICS, Definitions, Metric
from servanda.domain.precedence import TicketScope, resolve_objectives
from servanda.domain.vocabulary import KnownValues, suggestion

_SCOPE = frozenset({"customer", "service", "group", "priority"})


class UnmeasuredCode(StrEnum):
    NO_CREATED_EVENT = "no_created_event"
    NO_AGREEMENT_IN_FORCE = "no_agreement_in_force"
    NO_OBJECTIVE_MATCHES = "no_objective_matches"
    NO_CYCLE_YET = "no_cycle_yet"
    CREATED_AFTER_EVALUATION = "created_after_evaluation"
    IGNORED_EVENTS = "ignored_events"
    NOT_EVALUATED = "not_evaluated"  # no revision recorded for it (not folded yet)


@dataclass(frozen=True, slots=True)
class UnmeasuredReason:
    code: UnmeasuredCode
    message: str


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the reason depends on: the ticket's creation instant and current attributes.

    ``attributes`` holds priority, type, channel and custom fields as strings.
    """

    created_at: int | None
    customer: str | None
    service: str | None
    attributes: Mapping[str, str]
    evaluated_at: int | None = None


def local_date(instant: int, timezone: str) -> date:
    """The date of ``instant`` (epoch seconds) in ``timezone``: what selects agreements in force."""
    return datetime.fromtimestamp(instant, tz=UTC).astimezone(ZoneInfo(timezone)).date()


def why_unmeasured(
    definitions: Definitions, facts: TicketFacts, known: KnownValues | None = None
) -> UnmeasuredReason:
    """Why a ticket with these facts, measured by ``definitions``, has no clock (module rules)."""
    return UnmeasuredExplainer(definitions, known).why(facts)


_Decision = tuple[UnmeasuredCode, str]


class UnmeasuredExplainer:
    """``why_unmeasured`` for many tickets of one definitions set, remembering what repeats.

    Precedence is resolved once per (creation date, customer, service, condition values);
    a customer or service no agreement scope and no condition names resolves like none
    (no customer agreement can match it), so the many callers of a corporate-only set
    share one resolution. Hints for unknown values are worked out once per value.
    """

    def __init__(self, definitions: Definitions, known: KnownValues | None = None) -> None:
        self._definitions = definitions
        self._known = known
        agreements = definitions.agreements
        conditions = [c for a in agreements for o in a.objectives for c in o.conditions]
        self._named = sorted({c.attribute for c in conditions} - _SCOPE)
        self._customers = {c for a in agreements for c in a.customers} | {
            name for name, customer in definitions.customers.items() if customer.group
        }
        self._services = {s for a in agreements for s in a.services}
        for condition in conditions:
            if condition.attribute == "customer":
                self._customers |= condition.values
            elif condition.attribute == "service":
                self._services |= condition.values
        self._decisions: dict[tuple[object, ...], _Decision | None] = {}
        self._hints: dict[tuple[str, str], str] = {}

    def why(self, facts: TicketFacts) -> UnmeasuredReason:
        created = facts.created_at
        if created is None:
            return UnmeasuredReason(
                UnmeasuredCode.NO_CREATED_EVENT,
                "no created event yet: objectives are resolved when the ticket is created",
            )
        if facts.evaluated_at is not None and created > facts.evaluated_at:
            return UnmeasuredReason(
                UnmeasuredCode.CREATED_AFTER_EVALUATION,
                f"created at {_iso(created)}, after it was last evaluated "
                f"({_iso(facts.evaluated_at)}): its clocks start once it is evaluated later",
            )
        day = local_date(created, self._definitions.timezone)
        customer = facts.customer if facts.customer in self._customers else None
        service = facts.service if facts.service in self._services else None
        named = tuple(facts.attributes.get(name) for name in ("priority", *self._named))
        # a custom field named like a scope attribute would win in conditions: keep it apart
        fields = tuple(facts.attributes.get(name) for name in ("customer", "service", "group"))
        key = (day, customer, service, named, fields)
        if key not in self._decisions:
            scope = TicketScope(customer, service, facts.attributes)
            self._decisions[key] = self._decide(day, scope)
        decision = self._decisions[key]
        if decision is not None:
            return UnmeasuredReason(*decision)
        values = [
            ("customer", facts.customer),
            ("service", facts.service),
            *zip(("priority", *self._named), named, strict=True),
        ]
        described = ", ".join(self._described(name, value) for name, value in values)
        return UnmeasuredReason(
            UnmeasuredCode.NO_OBJECTIVE_MATCHES,
            f"no first_response, next_response or resolution objective matches {described}",
        )

    def _decide(self, day: date, scope: TicketScope) -> _Decision | None:
        """The reason that does not depend on the ticket's own values; ``None``: none matches."""
        definitions = self._definitions
        if not any(a.is_in_force(day) for a in definitions.agreements):
            return (
                UnmeasuredCode.NO_AGREEMENT_IN_FORCE,
                f"no agreement is in force on {day.isoformat()}, the day it was created "
                f"({definitions.timezone}){_earliest(definitions)}",
            )
        applied = resolve_objectives(definitions, scope, day)
        timed = [
            m
            for m, item in applied.items()
            if m in TICKET_METRICS and item.objective.target_seconds is not None
        ]
        if timed == [Metric.NEXT_RESPONSE]:
            return (
                UnmeasuredCode.NO_CYCLE_YET,
                f"only next_response applies ({applied[Metric.NEXT_RESPONSE].key}) and no cycle "
                "has started: a customer reply after the first agent reply starts one",
            )
        if timed:
            keys = ", ".join(f"{m.value}: {applied[m].key}" for m in timed)
            return (
                UnmeasuredCode.IGNORED_EVENTS,
                f"objectives match its stored attributes ({keys}), but the events that set "
                "them were not applied (they came after the ticket was closed)",
            )
        return None

    def _described(self, name: str, value: str | None) -> str:
        if value is None:
            return f"{name} not set"
        hint = self._hints.get((name, value))
        if hint is None:
            found = self._known.known_for(name) if self._known is not None else None
            if found is None or value in found.values:
                hint = ""
            else:
                close = suggestion(value, found.values)
                hint = " (unknown" + (f"; did you mean {close!r}?)" if close else ")")
            self._hints[(name, value)] = hint
        return f"{name} {value!r}{hint}"


def _iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, tz=UTC).isoformat()


def _earliest(definitions: Definitions) -> str:
    starts = sorted(a.effective_from for a in definitions.agreements if a.effective_from)
    return f"; the earliest agreement starts on {starts[0].isoformat()}" if starts else ""
