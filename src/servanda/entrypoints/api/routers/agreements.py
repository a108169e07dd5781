"""``GET /api/v1/agreements``: the agreements of the latest revision, with their objectives.

A customer token sees the agreements that can apply to its tickets: corporate
and service agreements, and customer agreements naming it or its group. Their
``customers`` and ``groups`` lists are cut down to the caller's own, so no
other customer's name is revealed. Durations are seconds; fractions are
decimal strings (``"0.95"``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from servanda.domain.agreements import Agreement, Definitions, Level, Objective
from servanda.entrypoints.api.context import Context, Reader, only_customer
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.revisions import revision_definitions

router = APIRouter(tags=["agreements"], route_class=StrictJsonRoute)


class ConditionOut(BaseModel):
    attribute: str
    values: list[str]


class ObjectiveOut(BaseModel):
    id: str
    key: str
    metric: str
    conditions: list[ConditionOut]
    target_seconds: int | None
    target_value: str | None
    calendar: str
    warn_at: list[str]
    goal: str | None
    period: str
    description: str


class AgreementOut(BaseModel):
    id: str
    level: str
    title: str
    version: str
    description: str
    customers: list[str]
    groups: list[str]
    services: list[str]
    effective_from: str | None
    effective_to: str | None
    objectives: list[ObjectiveOut]


class AgreementList(BaseModel):
    revision_id: int | None
    agreements: list[AgreementOut]


def _objective(agreement: Agreement, o: Objective) -> ObjectiveOut:
    return ObjectiveOut(
        id=o.id,
        key=f"{agreement.id}/{o.id}",
        metric=o.metric.value,
        conditions=[
            ConditionOut(attribute=c.attribute, values=sorted(c.values)) for c in o.conditions
        ],
        target_seconds=o.target_seconds,
        target_value=None if o.target_value is None else str(o.target_value),
        calendar=o.calendar,
        warn_at=[str(w) for w in o.warn_at],
        goal=None if o.goal is None else str(o.goal),
        period=o.period.value,
        description=o.description,
    )


def visible_agreements(definitions: Definitions, customer: str | None) -> list[AgreementOut]:
    """The agreements ``customer`` may see (all when ``None``), with other customers' names cut."""
    group = None
    if customer is not None and customer in definitions.customers:
        group = definitions.customers[customer].group
    shown: list[AgreementOut] = []
    for a in definitions.agreements:
        customers, groups = sorted(a.customers), sorted(a.groups)
        if customer is not None:
            if a.level is Level.CUSTOMER and customer not in a.customers and group not in a.groups:
                continue
            customers = [c for c in customers if c == customer]
            groups = [g for g in groups if g == group]
        shown.append(
            AgreementOut(
                id=a.id,
                level=a.level.value,
                title=a.title,
                version=a.version,
                description=a.description,
                customers=customers,
                groups=groups,
                services=sorted(a.services),
                effective_from=a.effective_from.isoformat() if a.effective_from else None,
                effective_to=a.effective_to.isoformat() if a.effective_to else None,
                objectives=[_objective(a, o) for o in a.objectives],
            )
        )
    return shown


@router.get("/agreements", response_model=AgreementList, summary="Agreements in force")
def get_agreements(ctx: Context, principal: Reader) -> AgreementList:
    with ctx.storage.uow_factory() as uow:
        latest = uow.revisions.latest()
    if latest is None:
        return AgreementList(revision_id=None, agreements=[])
    _, definitions = revision_definitions(ctx.storage.uow_factory, latest.id)
    return AgreementList(
        revision_id=latest.id,
        agreements=visible_agreements(definitions, only_customer(principal)),
    )
