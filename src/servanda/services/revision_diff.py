"""A readable diff of two definitions sets: what an auditor wants to see between revisions.

Agreements and their objectives are matched by id; calendars, services and
customers by name. Each change is one line: ``+`` added, ``-`` removed,
``~`` changed with ``field: old -> new``. Business durations are shown as
``4h``/``2h30m`` and fractions as percentages, as people write them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum

from servanda.domain.agreements import Agreement, Definitions, Metric, Objective, Vocabulary
from servanda.domain.display import exact_percent, format_duration


class ChangeKind(StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CHANGED = "~"


@dataclass(frozen=True, slots=True)
class DefinitionChange:
    """One line of a diff: what (``agreement gold / objective resolution-1``) and how."""

    kind: ChangeKind
    subject: str
    detail: str = ""

    def __str__(self) -> str:
        return f"  {self.kind.value} {self.subject}" + (f": {self.detail}" if self.detail else "")


def diff_definitions(old: Definitions, new: Definitions) -> list[DefinitionChange]:
    """Every difference from ``old`` to ``new``, agreements first."""
    changes = _diff_agreements(old, new)
    for label, before, after in (
        ("calendar", old.calendars, new.calendars),
        ("service", old.services, new.services),
        ("customer", old.customers, new.customers),
    ):
        changes.extend(_diff_named(label, before, after))
    for name in ("timezone", "provider"):
        if getattr(old, name) != getattr(new, name):
            changes.append(
                DefinitionChange(
                    ChangeKind.CHANGED, name, f"{getattr(old, name)} -> {getattr(new, name)}"
                )
            )
    changes.extend(_diff_vocabulary(old.vocabulary, new.vocabulary))
    return changes


def _diff_vocabulary(old: Vocabulary, new: Vocabulary) -> list[DefinitionChange]:
    """A declared list added (``+``), dropped (``-``: its values are inferred again) or changed
    (``~`` with the values added and removed)."""
    pairs = [
        ("vocabulary.priorities", old.priorities, new.priorities),
        ("vocabulary.statuses", old.statuses, new.statuses),
        *(
            (f"vocabulary.attributes.{name}", old.attributes.get(name), new.attributes.get(name))
            for name in sorted(old.attributes.keys() | new.attributes.keys())
        ),
    ]
    changes: list[DefinitionChange] = []
    for subject, before, after in pairs:
        if before == after:
            continue
        if before is None and after is not None:
            changes.append(DefinitionChange(ChangeKind.ADDED, subject, ", ".join(sorted(after))))
        elif after is None:
            changes.append(DefinitionChange(ChangeKind.REMOVED, subject))
        elif before is not None:
            moved = [f"+{v}" for v in sorted(after - before)] + [
                f"-{v}" for v in sorted(before - after)
            ]
            changes.append(DefinitionChange(ChangeKind.CHANGED, subject, ", ".join(moved)))
    return changes


def _diff_agreements(old: Definitions, new: Definitions) -> list[DefinitionChange]:
    before = {a.id: a for a in old.agreements}
    after = {a.id: a for a in new.agreements}
    changes: list[DefinitionChange] = []
    for agreement_id in _ordered_keys(before, after):
        a, b = before.get(agreement_id), after.get(agreement_id)
        subject = f"agreement {agreement_id}"
        if a is None or b is None:
            present = b if a is None else a
            assert present is not None
            kind = ChangeKind.ADDED if a is None else ChangeKind.REMOVED
            detail = f"{present.level.value}, {len(present.objectives)} objective(s)"
            changes.append(DefinitionChange(kind, subject, detail))
            continue
        changes.extend(
            DefinitionChange(ChangeKind.CHANGED, subject, line)
            for line in _field_changes(a, b, skip={"objectives"})
        )
        changes.extend(_diff_objectives(subject, a, b))
    return changes


def _diff_objectives(subject: str, a: Agreement, b: Agreement) -> list[DefinitionChange]:
    before = {o.id: o for o in a.objectives}
    after = {o.id: o for o in b.objectives}
    changes: list[DefinitionChange] = []
    for objective_id in _ordered_keys(before, after):
        x, y = before.get(objective_id), after.get(objective_id)
        where = f"{subject} / objective {objective_id}"
        if x is None or y is None:
            present = y if x is None else x
            assert present is not None
            kind = ChangeKind.ADDED if x is None else ChangeKind.REMOVED
            changes.append(DefinitionChange(kind, where, _summary(present)))
            continue
        changes.extend(
            DefinitionChange(ChangeKind.CHANGED, where, line) for line in _field_changes(x, y)
        )
    return changes


def _summary(objective: Objective) -> str:
    if objective.target_seconds is not None:
        target = format_duration(objective.target_seconds)
    elif objective.metric is Metric.AVAILABILITY and objective.target_value is not None:
        target = exact_percent(objective.target_value)  # a fraction, read as people write it
    else:
        target = _show(objective.target_value)  # a mean rating (satisfaction)
    return f"{objective.metric.value} {target} for {objective.describe_conditions()}"


def _diff_named(
    label: str, before: Mapping[str, object], after: Mapping[str, object]
) -> list[DefinitionChange]:
    changes: list[DefinitionChange] = []
    for name in _ordered_keys(before, after):
        a, b = before.get(name), after.get(name)
        subject = f"{label} {name}"
        if a is None:
            changes.append(DefinitionChange(ChangeKind.ADDED, subject))
        elif b is None:
            changes.append(DefinitionChange(ChangeKind.REMOVED, subject))
        elif a != b:
            changes.extend(
                DefinitionChange(ChangeKind.CHANGED, subject, line) for line in _field_changes(a, b)
            )
    return changes


def _ordered_keys(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    return list(before) + [key for key in after if key not in before]


def _field_changes(
    a: object, b: object, skip: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    lines: list[str] = []
    assert dataclasses.is_dataclass(a)
    assert dataclasses.is_dataclass(b)
    for f in dataclasses.fields(a):
        if f.name in skip:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x != y:
            lines.append(f"{f.name}: {_show(x, f.name)} -> {_show(y, f.name)}")
    return lines


def _show(value: object, name: str = "") -> str:
    if value is None:
        return "none"
    if name == "target_seconds" and isinstance(value, int):
        return format_duration(value)
    if isinstance(value, Decimal) and name in {"goal", "target_value"} and value <= 1:
        return exact_percent(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(item, name) for item in value) + "]"
    if isinstance(value, Decimal) and name == "warn_at":
        return exact_percent(value)
    return str(value)
