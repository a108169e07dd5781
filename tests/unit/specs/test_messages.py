"""Pydantic's validation errors as located sentences: one per location, in words, no pydantic tags."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from servanda.domain.errors import Issue
from servanda.specs.messages import report_validation_error
from servanda.specs.models import AgreementEntry, CalendarEntry, CustomerEntry
from servanda.specs.sources import Problems

OBJECTIVE = {"metric": "resolution", "target": "4h"}


def reported(model: type[BaseModel], raw: dict[str, Any], prefix=("agreements", 0)) -> list[Issue]:
    problems = Problems()
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw)
    report_validation_error(problems, prefix, model, caught.value)
    return problems.issues


def one(model: type[BaseModel], raw: dict[str, Any], prefix=("agreements", 0)) -> Issue:
    (issue,) = reported(model, raw, prefix)
    return issue


def test_a_missing_key_is_named() -> None:
    found = one(AgreementEntry, {"id": "a", "objectives": [OBJECTIVE]})
    assert (found.path, found.message) == (
        "agreements[0].level",
        "the key 'level' is required here",
    )


def test_an_unknown_key_suggests_the_closest_allowed_key_and_lists_them_all() -> None:
    found = one(AgreementEntry, {"id": "a", "level": "corporate", "objectives": [
        {**OBJECTIVE, "calender": "office"}]})  # fmt: skip
    assert found.path == "agreements[0].objectives[0].calender"
    assert found.message.startswith(
        "unknown key 'calender'; did you mean 'calendar'? allowed here:"
    )
    assert "metric, when, target, calendar, warn_at, goal, period, pause_on" in found.message


def test_an_unknown_key_inside_a_mapping_of_entries_lists_the_entrys_keys() -> None:
    found = one(CustomerEntry, {"name": "A", "fees": {"email": {"amount": 1, "currency": "EUR",
                                                                 "vat": 1}}}, ("customers", "acme"))  # fmt: skip
    assert found.path == "customers.acme.fees.email.vat"
    assert found.message == "unknown key 'vat'; allowed here: amount, currency, per"


def test_a_value_of_the_wrong_enumeration_lists_the_allowed_values() -> None:
    found = one(AgreementEntry, {"id": "a", "level": "global", "objectives": [OBJECTIVE]})
    assert found.message == "level must be one of: corporate, service or customer"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"customers": 5}, "agreements[0].customers", "'customers' must be a list (- item, or [a, b])"),
        ({"effective_from": "soon"}, "agreements[0].effective_from", "must be a date written as YYYY-MM-DD"),
        ({"id": ""}, "agreements[0].id", "'id' must not be empty"),
        ({"objectives": []}, "agreements[0].objectives", "an agreement needs at least one objective"),
        ({"review_every": "fortnightly"}, "agreements[0].review_every", "review_every: "),
    ],
)  # fmt: skip
def test_each_kind_of_error_reads_as_a_sentence(change: dict[str, Any], path: str, message: str):
    raw = {"id": "a", "level": "corporate", "objectives": [OBJECTIVE], **change}
    found = one(AgreementEntry, raw)
    assert found.path == path
    assert message in found.message


def test_bounds_say_at_least_or_at_most() -> None:
    low, high = reported(CalendarEntry, {"timezone": "UTC", "hours": {"mon": "09:00-17:00"},
        "holidays": {"first_year": 1800, "last_year": 2300}}, ("calendars", "office"))  # fmt: skip
    assert low.message == "'first_year' must be at least 1970"
    assert high.message == "'last_year' must be at most 2199"


def test_a_currency_in_the_wrong_form_asks_for_an_iso_code() -> None:
    found = one(CustomerEntry, {"name": "A", "fees": {"email": {"amount": 1, "currency": "eur"}}},
                ("customers", "acme"))  # fmt: skip
    assert found.message.startswith("currency must be a three-letter ISO 4217 code")


def test_a_union_that_fails_in_every_member_gives_one_message_at_the_documents_path() -> None:
    found = one(AgreementEntry, {"id": "a", "level": "corporate",
                                 "objectives": [{"metric": "resolution", "target": [4]}]})  # fmt: skip
    assert found.message == "'target' must be text"
    assert found.path == "agreements[0].objectives[0].target"


def test_a_windows_value_of_the_wrong_type_is_located_at_its_weekday() -> None:
    found = one(
        CalendarEntry, {"timezone": "UTC", "hours": {"mon-fri": 9}}, ("calendars", "office")
    )
    assert (found.path, found.message) == (
        "calendars.office.hours.mon-fri",
        "'mon-fri' must be text",
    )


def test_errors_in_several_places_are_all_reported_in_order() -> None:
    issues = reported(AgreementEntry, {"level": "corporate", "colour": "red", "objectives": [
        {"metric": "speed", "target": "4h"}]})  # fmt: skip
    assert [issue.path for issue in issues] == [
        "agreements[0].id",
        "agreements[0].objectives[0].metric",
        "agreements[0].colour",
    ]
