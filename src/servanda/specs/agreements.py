"""Agreement entries -> ``Agreement`` values, with every problem located.

Rules checked here: the level matches the scope (corporate names nothing;
service names services only; customer names customers and/or groups, optionally
narrowed to services); every named customer, group, service and calendar
exists; effective_to is not before effective_from; each target has the kind its
metric needs (a duration for first_response/next_response/resolution, a
percentage for availability, a mean score for satisfaction); ``d`` is used only
on 24x7 calendars; goal and warnings stay within 0-100 %; credit bands run
from the highest threshold to the lowest with growing credits; credits and
bonuses name metrics the agreement has objectives for.

Objective ids default to ``<metric>-<n>`` (n counts that metric's objectives in
the agreement from 1, in written order), so they stay stable as long as the
objectives of one metric keep their order.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from servanda.domain.agreements import (
    TICKET_METRICS,
    Agreement,
    BonusBand,
    Condition,
    CreditBand,
    CreditPolicy,
    CreditSchedule,
    Level,
    Metric,
    Objective,
    Responsibilities,
)
from servanda.domain.calendar.spec import ALWAYS_OPEN, CalendarSpec
from servanda.specs.models import (
    AgreementEntry,
    CreditBandEntry,
    CreditsEntry,
    ObjectiveEntry,
)
from servanda.specs.sources import DocPath, Problems
from servanda.specs.units import UnitError, parse_duration, parse_percentage, uses_days

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Known:
    """The names an agreement may refer to. A calendar maps to ``None`` when it is itself invalid."""

    calendars: Mapping[str, CalendarSpec | None]
    services: frozenset[str]
    customers: frozenset[str]
    groups: frozenset[str]


def build_agreement(
    entry: AgreementEntry, path: DocPath, known: Known, problems: Problems
) -> tuple[Agreement, dict[str, DocPath]] | None:
    """The agreement and where each objective id was written, or ``None`` when it has problems."""
    before = len(problems.issues)
    _check_scope(entry, path, known, problems)
    if (
        entry.effective_from is not None
        and entry.effective_to is not None
        and entry.effective_to < entry.effective_from
    ):
        problems.add(
            (*path, "effective_to"),
            f"effective_to ({entry.effective_to}) is before effective_from ({entry.effective_from})",
        )
    objectives, where = _objectives(entry, path, known, problems)
    metrics = {objective.metric for objective in objectives}
    credits = _credits(entry.credits, (*path, "credits"), metrics, problems)
    if len(problems.issues) > before:
        return None
    agreement = Agreement(
        id=entry.id,
        level=entry.level,
        title=entry.title or entry.id,
        objectives=tuple(objectives),
        customers=frozenset(entry.customers),
        groups=frozenset(entry.groups),
        services=frozenset(entry.services),
        version=entry.version,
        description=entry.description,
        effective_from=entry.effective_from,
        effective_to=entry.effective_to,
        review_every_months=entry.review_every,
        pause_on=frozenset(entry.pause_on),
        credits=credits,
        responsibilities=Responsibilities(
            tuple(entry.responsibilities.provider) if entry.responsibilities else (),
            tuple(entry.responsibilities.customer) if entry.responsibilities else (),
        ),
    )
    return agreement, where


def _check_scope(entry: AgreementEntry, path: DocPath, known: Known, problems: Problems) -> None:
    named = {"customers": entry.customers, "groups": entry.groups, "services": entry.services}
    if entry.level is Level.CORPORATE:
        for key, names in named.items():
            if names:
                problems.add(
                    (*path, key),
                    f"a corporate agreement applies to every ticket, so it cannot name {key}; "
                    "use level: service or level: customer for a narrower scope",
                    at_key=True,
                )
    elif entry.level is Level.SERVICE:
        if not entry.services:
            problems.add(
                (*path, "level"), "a service agreement must name its services (services: [email])"
            )
        for key in ("customers", "groups"):
            if named[key]:
                problems.add(
                    (*path, key),
                    f"a service agreement covers every customer of its services, so it cannot "
                    f"name {key}; use level: customer for that",
                    at_key=True,
                )
    elif not entry.customers and not entry.groups:
        problems.add(
            (*path, "level"),
            "a customer agreement must name customers or groups (customers: [acme] or groups: [gold])",
        )
    pools = {"customers": known.customers, "groups": known.groups, "services": known.services}
    for key, names in named.items():
        for index, name in enumerate(names):
            if name not in pools[key]:
                problems.add((*path, key, index), _unknown(key, name, pools[key]))


def _unknown(key: str, name: str, pool: frozenset[str] | Mapping[str, object]) -> str:
    noun = key.removesuffix("s")
    choices = sorted(pool)
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    defined = ", ".join(choices) or "none"
    if noun == "group":
        return f"unknown group {name!r}: no customer is in it; {hint}groups in use: {defined}"
    return f"unknown {noun} {name!r}; {hint}{noun}s defined: {defined}"


def _objectives(
    entry: AgreementEntry, path: DocPath, known: Known, problems: Problems
) -> tuple[list[Objective], dict[str, DocPath]]:
    objectives: list[Objective] = []
    where: dict[str, DocPath] = {}
    counts: dict[Metric, int] = {}
    for index, item in enumerate(entry.objectives):
        here = (*path, "objectives", index)
        counts[item.metric] = counts.get(item.metric, 0) + 1
        objective_id = item.id or f"{item.metric.value}-{counts[item.metric]}"
        if objective_id in where:
            problems.add(
                (*here, "id") if item.id else here,
                f"objective id {objective_id!r} is used twice in this agreement "
                f"(also at {problems.where(where[objective_id])}); give each objective its own id",
            )
        objective = _objective(item, objective_id, here, known, problems)
        if objective is not None:
            objectives.append(objective)
            where.setdefault(objective_id, here)
    return objectives, where


def _objective(
    item: ObjectiveEntry, objective_id: str, here: DocPath, known: Known, problems: Problems
) -> Objective | None:
    before = len(problems.issues)
    conditions = []
    for attribute, values in item.when.items():
        if not values:
            problems.add((*here, "when", attribute), f"the condition on {attribute} has no value")
        conditions.append(Condition(attribute, frozenset(values)))
    if item.calendar != ALWAYS_OPEN and item.calendar not in known.calendars:
        problems.add(
            (*here, "calendar"),
            _unknown("calendars", item.calendar, {ALWAYS_OPEN: None, **known.calendars}),
        )
    seconds, value = _target(item, (*here, "target"), known, problems)
    _check_fractions(item, here, problems)
    if len(problems.issues) > before:
        return None
    return Objective(
        id=objective_id,
        metric=item.metric,
        conditions=tuple(sorted(conditions, key=lambda c: c.attribute)),
        target_seconds=seconds,
        target_value=value,
        calendar=item.calendar,
        warn_at=tuple(sorted(item.warn_at)),
        goal=item.goal,
        period=item.period,
        pause_on=frozenset(item.pause_on or ()),
        description=item.description,
    )


def _target(
    item: ObjectiveEntry, where: DocPath, known: Known, problems: Problems
) -> tuple[int | None, Decimal | None]:
    metric, target = item.metric, item.target
    try:
        if metric in TICKET_METRICS:
            return _duration_target(item, known), None
        if metric is Metric.AVAILABILITY:
            if not isinstance(target, str) or not target.strip().endswith("%"):
                raise UnitError(
                    f"an availability target is a percentage like 99.9%, not {target!r}"
                )
            level = parse_percentage(target)
            if level > ONE or level <= 0:
                raise UnitError(
                    f"an availability target must be above 0% and at most 100%, not {target}"
                )
            return None, level
        return None, _score(target)
    except UnitError as error:
        problems.add(where, str(error))
        return None, None


def _duration_target(item: ObjectiveEntry, known: Known) -> int:
    target, name = item.target, item.metric.value
    if not isinstance(target, str) or target.strip().endswith("%"):
        raise UnitError(f"a {name} target is a duration like 4h or 2h30m, not {target!r}")
    seconds = parse_duration(target)
    if seconds <= 0:
        raise UnitError(f"a {name} target must be longer than zero")
    calendar = known.calendars.get(item.calendar)
    always_open = item.calendar == ALWAYS_OPEN or (calendar is not None and calendar.is_always_open)
    if uses_days(target) and not always_open and item.calendar in known.calendars:
        raise UnitError(
            f"{target!r} counts in days, which are allowed only on a 24x7 calendar: on the "
            f"business calendar {item.calendar!r} a day is not 24 hours of business time; "
            "write the target in hours (e.g. 10h)"
        )
    return seconds


def _score(target: str | float) -> Decimal:
    try:
        if isinstance(target, str) and "%" in target:
            raise InvalidOperation
        score = Decimal(str(target).strip())
    except InvalidOperation:
        raise UnitError(f"a satisfaction target is a mean score like 4.5, not {target!r}") from None
    if not score.is_finite() or score <= 0:
        raise UnitError(f"a satisfaction target is a mean score above 0, not {target!r}")
    return score


def _check_fractions(item: ObjectiveEntry, here: DocPath, problems: Problems) -> None:
    if item.goal is not None:
        if item.metric not in TICKET_METRICS:
            problems.add(
                (*here, "goal"),
                f"{item.metric.value} objectives have no goal: the target is the level the "
                "period must reach",
            )
        elif item.goal > ONE:
            problems.add((*here, "goal"), "a goal above 100% can never be met")
    for index, level in enumerate(item.warn_at):
        if not 0 < level < ONE:
            problems.add(
                (*here, "warn_at", index),
                "a warning threshold must be above 0% and below 100% of the target",
            )


def _band_level(metric: Metric, value: str | float) -> Decimal:
    if metric is Metric.SATISFACTION:
        return _score(value)
    if not isinstance(value, str):
        raise UnitError(f"write the threshold as a percentage, like 99.9%, not {value!r}")
    level = parse_percentage(value)
    if level > ONE:
        raise UnitError(f"a threshold above 100% ({value}) can never be reached")
    return level


def _credits(
    entry: CreditsEntry | None, path: DocPath, metrics: set[Metric], problems: Problems
) -> CreditPolicy | None:
    if entry is None:
        return None
    schedules = []
    for metric, bands in entry.schedules():
        if metric not in metrics:
            problems.add(
                (*path, metric.value),
                f"credits for {metric.value}, but this agreement has no {metric.value} objective",
                at_key=True,
            )
        schedules.append(
            CreditSchedule(metric, _bands(metric, bands, (*path, metric.value), problems))
        )
    credited = {schedule.metric for schedule in schedules} & metrics or metrics
    bonuses = _bonuses(entry, path, credited, metrics, problems)
    for key in ("cap", "bonus_cap"):
        value = getattr(entry, key)
        if value is not None and not 0 < value <= ONE:
            problems.add((*path, key), f"{key} must be above 0% and at most 100% of the fees")
    return CreditPolicy(tuple(schedules), bonuses, entry.cap, entry.bonus_cap)


def _bands(
    metric: Metric, entries: list[CreditBandEntry], path: DocPath, problems: Problems
) -> tuple[CreditBand, ...]:
    bands: list[CreditBand] = []
    for index, entry in enumerate(entries):
        here = (*path, index)
        try:
            below = _band_level(metric, entry.below)
        except UnitError as error:
            problems.add((*here, "below"), str(error))
            continue
        credit: Decimal = entry.credit
        if credit > ONE:
            problems.add((*here, "credit"), "a credit above 100% of the fee is not allowed")
        if bands and below == bands[-1].below:
            problems.add((*here, "below"), f"two bands start at the same threshold ({entry.below})")
        elif bands and below > bands[-1].below:
            problems.add(
                (*here, "below"),
                "credit bands are out of order: list them from the highest threshold to the "
                f"lowest (this one, {entry.below}, is above the band before it)",
            )
        elif bands and credit < bands[-1].credit:
            problems.add(
                (*here, "credit"),
                "a lower band must not give a smaller credit than the band above it",
            )
        bands.append(CreditBand(below, credit))
    return tuple(bands)


def _bonuses(
    entry: CreditsEntry,
    path: DocPath,
    credited: set[Metric],
    metrics: set[Metric],
    problems: Problems,
) -> tuple[BonusBand, ...]:
    """Bonus bands, per metric from the lowest threshold to the highest."""
    bands: list[BonusBand] = []
    last: dict[Metric, Decimal] = {}
    for index, item in enumerate(entry.bonus):
        here = (*path, "bonus", index)
        metric = item.metric
        if metric is None and len(credited) != 1:
            problems.add(here, "say which metric this bonus is for (metric: availability)")
            continue
        metric = metric or next(iter(credited))
        if metric not in metrics:
            problems.add(
                (*here, "metric"),
                f"a bonus for {metric.value}, but this agreement has no {metric.value} objective",
            )
            continue
        try:
            level = _band_level(metric, item.at_least)
        except UnitError as error:
            problems.add((*here, "at_least"), str(error))
            continue
        previous = last.get(metric)
        if previous is not None and level == previous:
            problems.add(
                (*here, "at_least"),
                f"two bonus bands start at the same threshold ({item.at_least})",
            )
        elif previous is not None and level < previous:
            problems.add(
                (*here, "at_least"),
                "bonus bands are out of order: list them from the lowest threshold to the highest",
            )
        last[metric] = level
        bands.append(BonusBand(metric, level, item.bonus))
    return tuple(bands)
