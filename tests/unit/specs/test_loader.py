"""Loading definitions from texts: mapping to domain values, defaults, and located problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from servanda.domain.agreements import Definitions, Level, Metric
from servanda.domain.calendar.spec import Window
from servanda.domain.errors import DefinitionError, Issue
from servanda.specs.loader import load_definitions_from_texts

BASE = """\
provider: Example MSP
timezone: Europe/Berlin
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: "08:00-12:00, 13:00-17:00"
      sat: "09:00-12:00"
    holidays:
      country: DE
      subdivision: BE
      dates: [2026-12-24, {date: 2026-12-31, name: New Year's Eve}]
    exceptions:
      - {date: 2026-12-23, hours: "08:00-10:00"}
      - {date: 2026-12-27, closed: true}
services:
  email: {name: Managed Email, description: Mailboxes, owner: Messaging}
customers:
  acme:
    name: ACME GmbH
    group: gold
    contacts: [{name: Jane Roe, role: service owner, email: jane@acme.example}]
    fees: {email: {amount: 2000.50, currency: EUR}}
agreements:
  - id: standard
    level: corporate
    effective_from: 2026-01-01
    review_every: 6 months
    pause_on: [waiting_on_customer]
    objectives:
      - {metric: resolution, when: {priority: P1}, target: 8h, goal: 95%, warn_at: [80%, 50%]}
      - {metric: resolution, when: {priority: [P2, 3]}, target: 2h30m, calendar: office}
      - {metric: availability, target: 99.9%, period: quarter}
      - {metric: satisfaction, target: 4.5}
"""


def load(*texts: str) -> Definitions:
    return load_definitions_from_texts({f"file{i}.yaml": text for i, text in enumerate(texts)})


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle``."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def problems(*texts: str) -> tuple[Issue, ...]:
    with pytest.raises(DefinitionError) as caught:
        load(*texts)
    return caught.value.issues


def test_a_definitions_file_becomes_domain_values() -> None:
    definitions = load(BASE)
    assert definitions.provider == "Example MSP"
    assert definitions.timezone == "Europe/Berlin"
    (agreement,) = definitions.agreements
    assert agreement.level is Level.CORPORATE
    assert agreement.title == "standard"  # the id stands in for a missing title
    assert agreement.review_every_months == 6
    assert agreement.effective_from == date(2026, 1, 1)
    first, second, availability, satisfaction = agreement.objectives
    assert first.target_seconds == 8 * 3600
    assert first.calendar == "24x7"
    assert first.goal == Decimal("0.95")
    assert first.warn_at == (Decimal("0.5"), Decimal("0.8"))
    assert second.target_seconds == 9000
    assert second.conditions[0].values == frozenset({"P2", "3"})
    assert availability.target_value == Decimal("0.999")
    assert availability.period.value == "quarter"
    assert satisfaction.target_value == Decimal("4.5")


def test_objective_ids_default_to_metric_and_position_within_the_metric() -> None:
    (agreement,) = load(BASE).agreements
    ids = [objective.id for objective in agreement.objectives]
    assert ids == ["resolution-1", "resolution-2", "availability-1", "satisfaction-1"]


def test_calendar_windows_holidays_and_exceptions_are_materialised() -> None:
    office = load(BASE).calendars["office"]
    assert office.weekly[0] == (Window(8 * 3600, 12 * 3600), Window(13 * 3600, 17 * 3600))
    assert office.weekly[5] == (Window(9 * 3600, 12 * 3600),)
    assert office.weekly[6] == ()
    holidays = {holiday.day: holiday.name for holiday in office.holidays}
    assert date(2026, 10, 3) in holidays  # German Unity Day, from the holidays package
    assert date(2026, 3, 8) in holidays  # International Women's Day: Berlin only
    assert holidays[date(2026, 12, 31)] == "New Year's Eve"
    assert holidays[date(2026, 12, 24)] == "holiday"
    assert min(holidays).year == 2000
    assert max(holidays).year == 2045
    assert "DE-BE" in office.holiday_source
    assert "2000-2045" in office.holiday_source
    partial, closed = office.exceptions
    assert partial.windows == (Window(8 * 3600, 10 * 3600),)
    assert closed.windows == ()


def test_the_holiday_years_can_be_chosen() -> None:
    text = BASE.replace(
        "subdivision: BE\n", "subdivision: BE\n      first_year: 2025\n      last_year: 2027\n"
    )
    office = load(text).calendars["office"]
    assert {holiday.day.year for holiday in office.holidays} == {2025, 2026, 2027}


def test_norway_is_a_country_code_not_false_under_yaml_1_2() -> None:
    text = BASE.replace("country: DE\n      subdivision: BE", "country: NO")
    holidays = {holiday.day for holiday in load(text).calendars["office"].holidays}
    assert date(2026, 5, 17) in holidays  # Constitution Day


def test_the_24x7_calendar_is_built_in() -> None:
    assert load(BASE).calendars["24x7"].is_always_open


def test_customers_report_in_the_provider_zone_unless_they_name_one() -> None:
    customer = load(BASE).customers["acme"]
    assert customer.reporting_timezone == "Europe/Berlin"
    assert customer.fee_for("email") is not None
    assert customer.fee_for("email").amount == Decimal("2000.5")  # type: ignore[union-attr]
    assert customer.contacts[0].role == "service owner"


def test_files_of_a_folder_are_merged_section_by_section() -> None:
    calendars, rest = BASE.split("services:\n")
    definitions = load(calendars, "services:\n" + rest)
    assert set(definitions.services) == {"email"}
    assert "office" in definitions.calendars


def test_a_name_defined_in_two_files_is_located_in_both() -> None:
    (issue,) = problems(BASE, "services:\n  email: {name: Again}\n")
    assert issue.file == "file1.yaml"
    assert (issue.line, issue.column) == (2, 3)
    line, column = position(BASE, "email: {name: Managed")
    assert (
        f"service 'email' is defined twice: here and at file0.yaml:{line}:{column}" in issue.message
    )


def test_a_syntax_error_a_type_error_and_a_dangling_reference_are_all_reported_at_once() -> None:
    syntax = "calendars:\n  office: {timezone: Europe/Berlin\n"
    typed = "customers:\n  acme: {name: ACME, fees: {email: {amount: lots, currency: EUR}}}\n"
    dangling = (
        "agreements:\n  - id: std\n    level: corporate\n"
        "    objectives: [{metric: resolution, target: 8h, calendar: support}]\n"
    )
    found = problems(syntax, typed, dangling)
    assert [(i.file, i.line, i.column) for i in found] == [
        ("file0.yaml", 3, 1),  # the end of the file, where the {...} mapping should have closed
        ("file1.yaml", *position(typed, "lots")),
        ("file2.yaml", *position(dangling, "support")),
    ]
    assert "not valid YAML" in found[0].message
    assert "'amount' must be a number" in found[1].message
    assert "unknown calendar 'support'" in found[2].message


def test_a_broken_agreement_does_not_hide_problems_in_another() -> None:
    text = BASE + (
        "  - id: broken\n    level: corporate\n    objectives: [{metric: resolution}]\n"
        "  - id: dangling\n    level: customer\n    customers: [globex]\n"
        "    objectives: [{metric: resolution, target: 4h}]\n"
    )
    messages = [issue.message for issue in problems(text)]
    assert "the key 'target' is required here" in messages
    assert any("unknown customer 'globex'" in message for message in messages)


def test_ambiguous_objectives_are_reported_at_both() -> None:
    text = BASE + (
        "  - id: second\n    level: corporate\n    effective_from: 2026-06-01\n"
        "    objectives: [{metric: satisfaction, target: 4.0}]\n"
    )
    first, second = problems(text)
    line_a, column_a = position(text, "{metric: satisfaction, target: 4.5}")
    line_b, column_b = position(text, "{metric: satisfaction, target: 4.0}")
    assert (first.line, first.column, second.line, second.column) == (
        line_a,
        column_a,
        line_b,
        column_b,
    )
    assert "ambiguous" in first.message
    assert f"file0.yaml:{line_b}:{column_b}" in first.message
    assert f"file0.yaml:{line_a}:{column_a}" in second.message


def test_a_repeated_objective_id_is_an_error() -> None:
    text = BASE.replace(
        "{metric: availability, target: 99.9%",
        "{id: resolution-1, metric: availability, target: 99.9%",
    )
    (issue,) = problems(text)
    assert "objective id 'resolution-1' is used twice" in issue.message


def test_days_are_allowed_on_24x7_calendars() -> None:
    text = BASE.replace("target: 8h,", "target: 1d,")
    (agreement,) = load(text).agreements
    assert agreement.objectives[0].target_seconds == 86400


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("target: 99.9%, period", "target: 100.1%, period", "at most 100%"),
        ("target: 4.5}", "target: 90%}", "mean score like 4.5"),
        ("target: 2h30m", "target: 3", "duration like 4h"),
        ("review_every: 6 months", "review_every: 6", "review cadence"),
        ("warn_at: [80%, 50%]", "warn_at: [100%]", "below 100%"),
        ("currency: EUR", "currency: euro", "ISO 4217"),
        ("per: month", "per: week", "must be one of"),
        ("timezone: Europe/Berlin\ncalendars", "timezone: Berlin\ncalendars", "not a time zone"),
    ],
)
def test_each_broken_value_is_named_in_plain_words(old: str, new: str, message: str) -> None:
    text = BASE.replace("currency: EUR}", "currency: EUR, per: month}")
    assert old in text
    (issue,) = problems(text.replace(old, new, 1))
    assert message in issue.message
    assert issue.line is not None
    assert issue.column is not None


def test_a_bonus_without_a_metric_belongs_to_the_only_credited_metric() -> None:
    text = BASE + (
        "    credits:\n      availability: [{below: 99.9%, credit: 10%}]\n"
        "      bonus: [{at_least: 99.99%, bonus: 2%}]\n      cap: 20%\n"
    )
    (agreement,) = load(text).agreements
    assert agreement.credits is not None
    (bonus,) = agreement.credits.bonuses
    assert bonus.metric is Metric.AVAILABILITY
    assert bonus.at_least == Decimal("0.9999")
    assert agreement.credits.cap == Decimal("0.2")


def test_a_file_that_is_not_a_mapping_is_located_at_its_start() -> None:
    (issue,) = problems("- just\n- a list\n")
    assert (issue.file, issue.line, issue.column) == ("file0.yaml", 1, 1)
    assert "mapping of sections" in issue.message


def test_an_unknown_section_is_located_at_its_key_with_the_allowed_ones() -> None:
    text = BASE + "calender: {}\n"
    (issue,) = problems(text)
    assert (issue.line, issue.column) == position(text, "calender")
    assert "unknown section 'calender'" in issue.message
