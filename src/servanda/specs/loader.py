"""Load a definitions set (one YAML file or a folder of them) into validated domain values.

Every problem is collected, located (file, 1-based line and column) and raised
at once as one ``DefinitionError``; nothing half-valid is ever returned. Order
of work: refuse files over the size limits, parse each file (a syntax error or
a passed limit of ``specs.yaml_limits`` stops only that file), merge the
folder, check each entry's shape (pydantic), then its meaning (references,
units per metric, overlaps, bands, values outside a declared vocabulary), then
ambiguity across agreements (``find_ambiguities``), reported at both objectives.

``load_definitions_from_texts({name: text})`` does the same from texts, so a
stored revision can keep its source files and be reloaded as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from servanda.domain.agreements import Agreement, Contact, Customer, Definitions, Fee, Service
from servanda.domain.calendar.spec import ALWAYS_OPEN, CalendarSpec
from servanda.domain.errors import DefinitionError, Issue
from servanda.domain.precedence import find_ambiguities
from servanda.specs.agreements import Known, build_agreement
from servanda.specs.calendars import build_calendar, check_zone
from servanda.specs.messages import report_validation_error
from servanda.specs.models import (
    AgreementEntry,
    CalendarEntry,
    CustomerEntry,
    ServiceEntry,
    VocabularyEntry,
)
from servanda.specs.sources import (
    DocPath,
    Problems,
    check_sizes,
    merge,
    parse_text,
    read_sources,
)
from servanda.specs.vocabulary import build_vocabulary, check_agreements

__all__ = ["load_definitions", "load_definitions_from_texts", "read_sources"]


def load_definitions(path: str | Path) -> Definitions:
    """The definitions in a file or folder (``*.yaml``/``*.yml``, recursively, sorted)."""
    texts = read_sources(path)
    if not texts:
        where = Path(path)
        reason = (
            "this folder holds no .yaml or .yml files"
            if where.is_dir()
            else "no such file or folder"
        )
        raise DefinitionError([Issue(reason, str(path))])
    return load_definitions_from_texts(texts)


def load_definitions_from_texts(texts: Mapping[str, str]) -> Definitions:
    """The definitions in the given file texts, keyed by the names used in messages."""
    problems = Problems()
    if not check_sizes(texts, problems):
        raise DefinitionError(problems.sorted())
    trees = {}
    for name, text in texts.items():
        tree = parse_text(name, text, problems)
        if tree is not None:
            trees[name] = tree
    document = merge(trees, problems)
    definitions = _build(document, problems)
    if problems.issues or definitions is None:
        raise DefinitionError(problems.sorted())
    return definitions


def _validate(model: type[BaseModel], raw: object, path: DocPath, problems: Problems) -> Any:  # noqa: ANN401 - the entry model given
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        report_validation_error(problems, path, model, error)
        return None


def _build(document: dict[str, Any], problems: Problems) -> Definitions | None:
    timezone = _scalar(document, "timezone", "UTC", problems)
    provider = _scalar(document, "provider", "", problems)
    if timezone is not None:
        check_zone(timezone, ("timezone",), problems)
    calendars: dict[str, CalendarSpec | None] = {}
    for name, raw in document["calendars"].items():
        entry = _validate(CalendarEntry, raw, ("calendars", name), problems)
        calendars[name] = entry and build_calendar(name, entry, ("calendars", name), problems)
    services = {}
    for name, raw in document["services"].items():
        service = _validate(ServiceEntry, raw, ("services", name), problems)
        if service is not None:
            services[name] = Service(name, service.name, service.description, service.owner)
    customers = _customers(document, timezone or "UTC", frozenset(document["services"]), problems)
    groups = frozenset(
        raw["group"]
        for raw in document["customers"].values()
        if isinstance(raw, dict) and isinstance(raw.get("group"), str)
    )
    known = Known(
        calendars, frozenset(document["services"]), frozenset(document["customers"]), groups
    )
    agreements, where = _agreements(document, known, problems)
    raw_vocabulary = document.get("vocabulary")
    vocabulary = build_vocabulary(
        None
        if raw_vocabulary is None
        else _validate(VocabularyEntry, raw_vocabulary, ("vocabulary",), problems),
        problems,
    )
    check_agreements(vocabulary, document["agreements"], problems)
    built = {name: spec for name, spec in calendars.items() if spec is not None}
    definitions = Definitions(
        calendars={ALWAYS_OPEN: CalendarSpec.always_open(), **built},
        services=services,
        customers=customers,
        agreements=tuple(agreements),
        timezone=timezone or "UTC",
        provider=provider or "",
        vocabulary=vocabulary,
    )
    _report_ambiguities(definitions, where, problems)
    return None if problems.issues else definitions


def _scalar(document: dict[str, Any], key: str, default: str, problems: Problems) -> str | None:
    value = document.get(key, default)
    if isinstance(value, str):
        return value
    problems.add((key,), f"{key} must be text")
    return None


def _customers(
    document: dict[str, Any], timezone: str, services: frozenset[str], problems: Problems
) -> dict[str, Customer]:
    customers = {}
    for name, raw in document["customers"].items():
        path: DocPath = ("customers", name)
        entry: CustomerEntry | None = _validate(CustomerEntry, raw, path, problems)
        if entry is None:
            continue
        zone = entry.reporting_timezone or timezone
        if entry.reporting_timezone is not None:
            check_zone(zone, (*path, "reporting_timezone"), problems)
        for service in entry.fees:
            if service not in services:
                problems.add(
                    (*path, "fees", service),
                    f"a fee for unknown service {service!r}; services defined: "
                    + (", ".join(sorted(services)) or "none"),
                    at_key=True,
                )
        customers[name] = Customer(
            id=name,
            name=entry.name,
            group=entry.group,
            reporting_timezone=zone,
            contacts=tuple(Contact(c.name, c.role, c.email) for c in entry.contacts),
            fees=tuple(
                Fee(service, fee.amount, fee.currency) for service, fee in entry.fees.items()
            ),
        )
    return customers


def _agreements(
    document: dict[str, Any], known: Known, problems: Problems
) -> tuple[list[Agreement], dict[tuple[str, str], DocPath]]:
    agreements: list[Agreement] = []
    where: dict[tuple[str, str], DocPath] = {}
    for index, raw in enumerate(document["agreements"]):
        path: DocPath = ("agreements", index)
        entry = _validate(AgreementEntry, raw, path, problems)
        built = entry and build_agreement(entry, path, known, problems)
        if built:
            agreement, objective_paths = built
            agreements.append(agreement)
            for objective_id, objective_path in objective_paths.items():
                where[(agreement.id, objective_id)] = objective_path
    return agreements, where


def _report_ambiguities(
    definitions: Definitions, where: dict[tuple[str, str], DocPath], problems: Problems
) -> None:
    for ambiguity in find_ambiguities(definitions):
        (a, oa), (b, ob) = ambiguity.first, ambiguity.second
        first, second = where[(a.id, oa.id)], where[(b.id, ob.id)]
        message = f"ambiguous: {ambiguity.describe()}"
        problems.add(first, f"{message} (the other one is at {problems.where(second)})")
        problems.add(second, f"{message} (the other one is at {problems.where(first)})")
