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
    if facts.created_at is None:
        return UnmeasuredReason(
            UnmeasuredCode.NO_CREATED_EVENT,
            "no created event yet: objectives are resolved when the ticket is created",
        )
    if facts.evaluated_at is not None and facts.created_at > facts.evaluated_at:
        return UnmeasuredReason(
            UnmeasuredCode.CREATED_AFTER_EVALUATION,
            f"created at {_iso(facts.created_at)}, after it was last evaluated "
            f"({_iso(facts.evaluated_at)}): its clocks start once it is evaluated later",
        )
    day = local_date(facts.created_at, definitions.timezone)
    in_force = [a for a in definitions.agreements if a.is_in_force(day)]
    if not in_force:
        return UnmeasuredReason(
            UnmeasuredCode.NO_AGREEMENT_IN_FORCE,
            f"no agreement is in force on {day.isoformat()}, the day it was created "
            f"({definitions.timezone}){_earliest(definitions)}",
        )
    scope = TicketScope(facts.customer, facts.service, facts.attributes)
    applied = resolve_objectives(definitions, scope, day)
    timed = [
        m
        for m, item in applied.items()
        if m in TICKET_METRICS and item.objective.target_seconds is not None
    ]
    if timed == [Metric.NEXT_RESPONSE]:
        return UnmeasuredReason(
            UnmeasuredCode.NO_CYCLE_YET,
            f"only next_response applies ({applied[Metric.NEXT_RESPONSE].key}) and no cycle "
            "has started: a customer reply after the first agent reply starts one",
        )
    if timed:
        keys = ", ".join(f"{m.value}: {applied[m].key}" for m in timed)
        return UnmeasuredReason(
            UnmeasuredCode.IGNORED_EVENTS,
            f"objectives match its stored attributes ({keys}), but the events that set them "
            "were not applied (they came after the ticket was closed)",
        )
    named = sorted(
        {
            condition.attribute
            for agreement in in_force
            for objective in agreement.objectives
            for condition in objective.conditions
        }
        - _SCOPE
    )
    values = [
        ("customer", facts.customer),
        ("service", facts.service),
        ("priority", facts.attributes.get("priority")),
        *((name, facts.attributes.get(name)) for name in named),
    ]
    described = ", ".join(_described(name, value, known) for name, value in values)
    return UnmeasuredReason(
        UnmeasuredCode.NO_OBJECTIVE_MATCHES,
        f"no first_response, next_response or resolution objective matches {described}",
    )


def _iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, tz=UTC).isoformat()


def _earliest(definitions: Definitions) -> str:
    starts = sorted(a.effective_from for a in definitions.agreements if a.effective_from)
    return f"; the earliest agreement starts on {starts[0].isoformat()}" if starts else ""


def _described(name: str, value: str | None, known: KnownValues | None) -> str:
    if value is None:
        return f"{name} not set"
    found = known.known_for(name) if known is not None else None
    if found is None or value in found.values:
        return f"{name} {value!r}"
    close = suggestion(value, found.values)
    return f"{name} {value!r} (unknown" + (f"; did you mean {close!r}?)" if close else ")")
