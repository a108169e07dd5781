"""The answer to a batch of items (``POST /api/v1/events``, ``POST /api/v1/outages``).

One result per item, in input order: ``created`` (stored now), ``duplicate``
(already stored with equal content, or earlier in the batch) or ``rejected``
with a reason (invalid, an identity holding other content, or refused for
unknown values). Each result lists the item's unknown values (``warnings``,
``domain.vocabulary``) in the checker's fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from servanda.domain.vocabulary import Finding, FindingCode, Severity
from servanda.services.ports import Identity

ItemStatus = Literal["created", "duplicate", "rejected"]


class ValueWarning(BaseModel):
    """A value of the item that the definitions do not know (docs/api.md, "Unknown values")."""

    code: FindingCode = Field(description="The kind of unknown value; stable.")
    severity: Severity = Field(
        description="warning: not in the values the definitions name (the item is stored "
        "unless strict=true); error: outside a declared vocabulary (the item is rejected)."
    )
    attribute: str = Field(description="customer, service, priority, status or the attribute.")
    value: str
    message: str = Field(description="What is unknown, what follows, and a likely correction.")


class ItemResult(BaseModel):
    index: int = Field(description="Position of the item in the request (0-based).")
    source: str | None
    id: str | None
    status: ItemStatus
    reason: str | None = None
    warnings: list[ValueWarning] = Field(
        default_factory=list,
        description="Unknown values of the item, in a fixed order (empty: none).",
    )


class BatchResult(BaseModel):
    received: int
    created: int
    duplicates: int
    rejected: int
    results: list[ItemResult]


class Identified(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def identity(self) -> Identity: ...


def stored_results(
    parsed: Sequence[tuple[int, Identified]],
    conflicts: Sequence[Identified],
    stored_now: Callable[[Identity], bool],
    findings: Mapping[Identity, Sequence[Finding]] | None = None,
    refused: Collection[Identity] = frozenset(),
) -> Iterator[ItemResult]:
    """The result of each valid item of a batch after storing: ``rejected`` if its identity
    holds other content (``conflicts``) or it was refused for unknown values (``refused``),
    ``duplicate`` if it was stored before this batch or appeared earlier in it, else
    ``created``; each with the unknown values found in it (``findings``)."""
    conflicting = {id(item) for item in conflicts}
    seen: set[Identity] = set()
    for index, item in parsed:
        status: ItemStatus = "created"
        reason = None
        found = () if id(item) in conflicting else (findings or {}).get(item.identity, ())
        if id(item) in conflicting:
            status = "rejected"
            reason = f"identity {item.source}/{item.id} is already taken by other content"
        elif item.identity in refused:
            status, reason = "rejected", refusal(found)
        elif item.identity in seen or not stored_now(item.identity):
            status = "duplicate"
        seen.add(item.identity)
        yield ItemResult(
            index=index,
            source=item.source,
            id=item.id,
            status=status,
            reason=reason,
            warnings=[value_warning(finding) for finding in found],
        )


def refusal(findings: Sequence[Finding]) -> str:
    """Why an item was refused for its values: its errors, or (strict) every warning."""
    errors = [finding.message for finding in findings if finding.is_error]
    if errors:
        return "; ".join(errors)
    return "unknown values refused (strict): " + "; ".join(f.message for f in findings)


def value_warning(finding: Finding) -> ValueWarning:
    return ValueWarning(
        code=finding.code,
        severity=finding.severity,
        attribute=finding.attribute,
        value=finding.value,
        message=finding.message,
    )


def summarise(results: list[ItemResult]) -> BatchResult:
    return BatchResult(
        received=len(results),
        created=sum(r.status == "created" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        results=results,
    )
