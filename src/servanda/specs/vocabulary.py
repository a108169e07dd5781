"""The ``vocabulary:`` section -> ``Vocabulary``, checked against the agreements that use it.

Rules: each declared list names at least one value, none twice; numbers are
read as text (``priorities: [1, 2]`` means ``"1"``, ``"2"``), as in conditions.
``attributes`` may not declare ``priority`` (that is ``priorities``) nor
``customer``, ``service`` or ``group`` (the ``customers:`` and ``services:``
sections define those). A declared list is exact, so every value an objective
condition names for a declared attribute, and every ``pause_on`` status when
statuses are declared, must be in it: otherwise that condition or pause could
never apply. Problems are located like every other definitions problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servanda.domain.agreements import Vocabulary
from servanda.domain.vocabulary import hint_suffix, listed
from servanda.specs.models import VocabularyEntry
from servanda.specs.sources import DocPath, Problems

RESERVED = {
    "priority": "declare priorities under vocabulary.priorities",
    "customer": "customers are the ids of the customers: section",
    "service": "services are the ids of the services: section",
    "group": "groups are the customers' group: values",
}


def build_vocabulary(entry: VocabularyEntry | None, problems: Problems) -> Vocabulary:
    """The declared vocabulary (empty when the section is absent); problems are recorded."""
    if entry is None:
        return Vocabulary()
    path: DocPath = ("vocabulary",)
    priorities = _values(entry.priorities, (*path, "priorities"), problems)
    statuses = _values(entry.statuses, (*path, "statuses"), problems)
    attributes: dict[str, frozenset[str]] = {}
    for name, values in entry.attributes.items():
        if name in RESERVED:
            problems.add(
                (*path, "attributes", name),
                f"{name!r} cannot be declared as an attribute: {RESERVED[name]}",
                at_key=True,
            )
            continue
        attributes[name] = _values(values, (*path, "attributes", name), problems) or frozenset()
    return Vocabulary(priorities, statuses, attributes)


def _values(values: list[str] | None, path: DocPath, problems: Problems) -> frozenset[str] | None:
    if values is None:
        return None
    seen: set[str] = set()
    for index, value in enumerate(values):
        if not value:
            problems.add((*path, index), "an empty value matches no ticket; remove it")
        elif value in seen:
            problems.add((*path, index), f"{value!r} is listed twice")
        seen.add(value)
    return frozenset(seen)


def check_agreements(vocabulary: Vocabulary, agreements: list[Any], problems: Problems) -> None:
    """Every condition value and pause state the raw ``agreements`` name is in the declared
    lists (entries that are not even shaped right are skipped: their shape is reported)."""
    if not vocabulary.is_declared:
        return
    declared: dict[str, tuple[frozenset[str], str]] = {
        name: (values, f"vocabulary.attributes.{name}")
        for name, values in vocabulary.attributes.items()
    }
    if vocabulary.priorities is not None:
        declared["priority"] = (vocabulary.priorities, "vocabulary.priorities")
    for index, agreement in enumerate(agreements):
        if not isinstance(agreement, Mapping):
            continue
        here: DocPath = ("agreements", index)
        _check_pauses(vocabulary, agreement.get("pause_on"), (*here, "pause_on"), problems)
        objectives = agreement.get("objectives")
        for number, objective in enumerate(objectives if isinstance(objectives, list) else []):
            if not isinstance(objective, Mapping):
                continue
            at: DocPath = (*here, "objectives", number)
            _check_pauses(vocabulary, objective.get("pause_on"), (*at, "pause_on"), problems)
            when = objective.get("when")
            for attribute, raw in when.items() if isinstance(when, Mapping) else ():
                if attribute in declared:
                    _check_condition(attribute, raw, declared[attribute], (*at, "when"), problems)


def _check_pauses(vocabulary: Vocabulary, raw: object, path: DocPath, problems: Problems) -> None:
    if vocabulary.statuses is None or not isinstance(raw, list):
        return
    for index, status in enumerate(raw):
        if isinstance(status, str) and status not in vocabulary.statuses:
            problems.add(
                (*path, index),
                f"pause state {status!r} is not in vocabulary.statuses "
                f"({listed(vocabulary.statuses)}): no event may carry it, so this pause could "
                f"never happen{hint_suffix(status, vocabulary.statuses)}",
            )


def _check_condition(
    attribute: str,
    raw: object,
    declared: tuple[frozenset[str], str],
    path: DocPath,
    problems: Problems,
) -> None:
    values, where = declared
    items = raw if isinstance(raw, list) else [raw]
    for index, item in enumerate(items):
        value = str(item).lower() if isinstance(item, bool) else str(item)
        if value not in values:
            at = (*path, attribute, index) if isinstance(raw, list) else (*path, attribute)
            problems.add(
                at,
                f"{attribute} {value!r} is not in {where} ({listed(values)}): no ticket may "
                f"have it, so this condition could never match{hint_suffix(value, values)}",
            )
