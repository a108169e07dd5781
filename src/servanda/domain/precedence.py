"""Which objective applies to a ticket, per metric, and why (multi-level precedence).

Rule (SEMANTICS "Multi-level precedence"): for each metric, among the objectives
of agreements in force on the ticket's creation date whose scope and conditions
match the ticket, the one of the most specific scope wins:

    customer+service > customer > group+service > group > service > corporate

Less specific matches are reported as *overridden*, so every target can be
explained. Two matches at the same specificity cannot happen in a validated
definitions set: ``find_ambiguities`` rejects them at load time.

Pause states of the winning objective: its own, else its agreement's, else
those of the corporate agreement in force (the house rule everyone inherits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import combinations, product

from servanda.domain.agreements import (
    Agreement,
    Definitions,
    Level,
    Metric,
    Objective,
    Specificity,
    conditions_overlap,
)


@dataclass(frozen=True, slots=True)
class TicketScope:
    """What resolution looks at: who, which service, and every other attribute.

    ``attributes`` holds priority, type, channel and custom fields as strings;
    ``customer``, ``service`` and ``group`` are visible to conditions as well.
    """

    customer: str | None
    service: str | None
    attributes: Mapping[str, str]

    def condition_attributes(self, group: str | None) -> dict[str, str]:
        merged = dict(self.attributes)
        for key, value in (
            ("customer", self.customer),
            ("service", self.service),
            ("group", group),
        ):
            if value is not None:
                merged.setdefault(key, value)
        return merged


@dataclass(frozen=True, slots=True)
class Overridden:
    agreement_id: str
    objective_id: str
    level: Level
    specificity: Specificity
    reason: str


@dataclass(frozen=True, slots=True)
class AppliedObjective:
    """The objective that decides one metric for one ticket, and the candidates it beat."""

    metric: Metric
    agreement: Agreement
    objective: Objective
    specificity: Specificity
    pause_on: frozenset[str]
    overridden: tuple[Overridden, ...]

    @property
    def key(self) -> str:
        """Stable identity of the objective across revisions: ``agreement/objective``."""
        return f"{self.agreement.id}/{self.objective.id}"


def resolve_objectives(
    definitions: Definitions, scope: TicketScope, on: date
) -> dict[Metric, AppliedObjective]:
    """The applicable objective per metric for a ticket created on local date ``on``."""
    group = definitions.group_of(scope.customer)
    attributes = scope.condition_attributes(group)
    candidates: dict[Metric, list[tuple[Specificity, Agreement, Objective]]] = {}
    corporate_pause: frozenset[str] = frozenset()
    for agreement in definitions.agreements:
        if not agreement.is_in_force(on):
            continue
        specificity = agreement.specificity_for(scope.customer, group, scope.service)
        if specificity is None:
            continue
        if agreement.level is Level.CORPORATE and agreement.pause_on:
            corporate_pause = agreement.pause_on
        for objective in agreement.objectives:
            if objective.matches(attributes):
                candidates.setdefault(objective.metric, []).append(
                    (specificity, agreement, objective)
                )
    applied: dict[Metric, AppliedObjective] = {}
    for metric, found in candidates.items():
        found.sort(key=lambda item: item[0], reverse=True)
        specificity, agreement, objective = found[0]
        overridden = tuple(
            Overridden(
                agreement_id=other.id,
                objective_id=other_objective.id,
                level=other.level,
                specificity=other_specificity,
                reason=(
                    f"{other.id} matches at {other_specificity.label} level, less specific "
                    f"than {agreement.id} at {specificity.label} level"
                ),
            )
            for other_specificity, other, other_objective in found[1:]
        )
        pause_on = objective.pause_on or agreement.pause_on or corporate_pause
        applied[metric] = AppliedObjective(
            metric, agreement, objective, specificity, pause_on, overridden
        )
    return dict(sorted(applied.items(), key=lambda item: list(Metric).index(item[0])))


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """Two objectives for one metric that could both win for the same ticket."""

    metric: Metric
    specificity: Specificity
    first: tuple[Agreement, Objective]
    second: tuple[Agreement, Objective]

    def describe(self) -> str:
        (a, oa), (b, ob) = self.first, self.second
        where = (
            f"objectives {oa.id!r} and {ob.id!r} of agreement {a.id!r}"
            if a.id == b.id
            else f"objective {oa.id!r} of agreement {a.id!r} and objective {ob.id!r} "
            f"of agreement {b.id!r}"
        )
        return (
            f"{where} both set {self.metric.value} at {self.specificity.label} level for the "
            f"same tickets ({oa.describe_conditions()} / {ob.describe_conditions()}); "
            "narrow their conditions or scopes so that at most one applies"
        )


def _dates_overlap(a: Agreement, b: Agreement) -> bool:
    a_start, b_start = a.effective_from or date.min, b.effective_from or date.min
    a_end, b_end = a.effective_to or date.max, b.effective_to or date.max
    return a_start <= b_end and b_start <= a_end


def _shared_specificities(
    a: Agreement, b: Agreement, definitions: Definitions
) -> list[Specificity]:
    """Specificities at which one ticket could match both agreements."""
    if a.level is not b.level:
        return []
    if a.level is Level.CORPORATE:
        return [Specificity.CORPORATE] if _services_overlap(a, b) else []
    if a.level is Level.SERVICE:
        return [Specificity.SERVICE] if a.services & b.services else []
    if bool(a.services) != bool(b.services) or not _services_overlap(a, b):
        return []
    narrowed = bool(a.services)
    shared: list[Specificity] = []
    if a.customers & b.customers:
        shared.append(Specificity.CUSTOMER_SERVICE if narrowed else Specificity.CUSTOMER)
    listed = a.customers | b.customers
    common_groups = a.groups & b.groups
    if any(
        customer.group in common_groups and customer.id not in listed
        for customer in definitions.customers.values()
    ):
        shared.append(Specificity.GROUP_SERVICE if narrowed else Specificity.GROUP)
    return shared


def _services_overlap(a: Agreement, b: Agreement) -> bool:
    return not a.services or not b.services or bool(a.services & b.services)


def find_ambiguities(definitions: Definitions) -> list[Ambiguity]:
    """Every pair of objectives that could both win for the same ticket and metric."""
    found: list[Ambiguity] = []
    agreements = definitions.agreements
    for agreement in agreements:
        for oa, ob in combinations(agreement.objectives, 2):
            if oa.metric is ob.metric and conditions_overlap(oa.conditions, ob.conditions):
                specificity = _own_specificity(agreement)
                found.append(Ambiguity(oa.metric, specificity, (agreement, oa), (agreement, ob)))
    for a, b in combinations(agreements, 2):
        if not _dates_overlap(a, b):
            continue
        shared = _shared_specificities(a, b, definitions)
        if not shared:
            continue
        for oa in a.objectives:
            for ob in b.objectives:
                if oa.metric is ob.metric and conditions_overlap(oa.conditions, ob.conditions):
                    found.append(Ambiguity(oa.metric, shared[0], (a, oa), (b, ob)))
    return found


def _own_specificity(agreement: Agreement) -> Specificity:
    if agreement.level is Level.CORPORATE:
        return Specificity.CORPORATE
    if agreement.level is Level.SERVICE:
        return Specificity.SERVICE
    narrowed = bool(agreement.services)
    if agreement.customers:
        return Specificity.CUSTOMER_SERVICE if narrowed else Specificity.CUSTOMER
    return Specificity.GROUP_SERVICE if narrowed else Specificity.GROUP


_SCOPE_ATTRIBUTES = frozenset({"customer", "service", "group"})
_OTHER = "\x00other"  # a value no condition names: "anything else"


def deciding_objectives(
    definitions: Definitions, customer: str | None, services: Iterable[str], on: date
) -> frozenset[str]:
    """Keys (``agreement/objective``) of every objective that decides some ticket of ``customer``.

    A ticket is any combination of one of ``services`` with attribute values:
    for each attribute named by a condition of an agreement in force, every
    value some condition names, plus "anything else" and "not set". Conditions
    only compare values with those named, so these combinations reach every
    outcome precedence can have; no single representative value per condition
    (an objective for P2-P4 must be found even where another layer takes P2).
    """
    in_force = [a for a in definitions.agreements if a.is_in_force(on)]
    named: dict[str, set[str]] = {}
    for agreement in in_force:
        for objective in agreement.objectives:
            for condition in objective.conditions:
                if condition.attribute not in _SCOPE_ATTRIBUTES:
                    named.setdefault(condition.attribute, set()).update(condition.values)
    attributes = sorted(named)
    choices = [[*sorted(named[name]), _OTHER, None] for name in attributes]
    found: set[str] = set()
    for service in services:
        for values in product(*choices):
            given = {name: value for name, value in zip(attributes, values, strict=True) if value}
            scope = TicketScope(customer, service, given)
            found.update(
                applied.key for applied in resolve_objectives(definitions, scope, on).values()
            )
    return frozenset(found)
