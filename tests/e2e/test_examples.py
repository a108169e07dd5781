"""Every example validates and explains as documented; every invalid example fails as documented."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from servanda.domain.errors import DefinitionError
from servanda.specs.explain import explain
from servanda.specs.loader import load_definitions
from servanda.specs.sources import read_sources

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INVALID = EXAMPLES / "invalid"
DAY = date(2026, 4, 1)


@pytest.mark.parametrize("name", ["service-based", "customer-based", "multi-level"])
def test_every_example_is_valid(name: str) -> None:
    definitions = load_definitions(EXAMPLES / name)
    assert definitions.agreements


@pytest.mark.parametrize(
    ("example", "customer", "service", "attributes", "metric", "agreement", "target"),
    [
        # multi-level: every rung of the ladder, and per-metric fallback
        ("multi-level", "globex", "email", {"priority": "P1"}, "resolution", "globex-email", "2h"),
        (
            "multi-level",
            "globex",
            "workplace",
            {"priority": "P2"},
            "resolution",
            "globex-tailored",
            "8h",
        ),
        (
            "multi-level",
            "globex",
            "email",
            {"priority": "P2"},
            "next_response",
            "corporate-standard",
            "8h",
        ),
        ("multi-level", "acme", "network", {}, "availability", "gold-network", "99.99%"),
        ("multi-level", "acme", "email", {"priority": "P1"}, "first_response", "gold", "30m"),
        (
            "multi-level",
            "umbrella",
            "network",
            {"priority": "P1"},
            "resolution",
            "network-service",
            "4h",
        ),
        ("multi-level", "initech", "email", {"priority": "P2"}, "resolution", "silver", "12h"),
        (
            "multi-level",
            "hooli",
            "email",
            {"priority": "P3"},
            "resolution",
            "corporate-standard",
            "40h",
        ),
        (
            "multi-level",
            "hooli",
            "workplace",
            {"priority": "P3"},
            "first_response",
            "workplace-service",
            "2h",
        ),
        (
            "multi-level",
            "globex",
            "network",
            {"type": "change"},
            "resolution",
            "globex-network-changes",
            "6h",
        ),
        # service-based: the service agreement wins over the support policy
        (
            "service-based",
            "brightside",
            "api",
            {"priority": "urgent"},
            "first_response",
            "api-uptime",
            "15m",
        ),
        (
            "service-based",
            "tallgrass",
            "reporting",
            {"priority": "high"},
            "resolution",
            "support",
            "2d",
        ),
        # customer-based: key account, tailored customer, customer+service
        (
            "customer-based",
            "fresh-market",
            "campaigns",
            {"priority": "urgent"},
            "first_response",
            "key-accounts",
            "1h",
        ),
        (
            "customer-based",
            "harbour-bank",
            "campaigns",
            {"priority": "urgent"},
            "first_response",
            "harbour-bank-campaigns",
            "20m",
        ),
        (
            "customer-based",
            "harbour-bank",
            "website",
            {"priority": "high"},
            "resolution",
            "harbour-bank",
            "16h",
        ),
        (
            "customer-based",
            "corner-cafe",
            "website",
            {"priority": "high"},
            "resolution",
            "agency-standard",
            "5d",
        ),
    ],
)
def test_examples_explain_which_objective_applies(
    example: str,
    customer: str,
    service: str,
    attributes: dict[str, str],
    metric: str,
    agreement: str,
    target: str,
) -> None:
    definitions = load_definitions(EXAMPLES / example)
    rows = explain(definitions, customer=customer, service=service, attributes=attributes, on=DAY)
    row = next(row for row in rows if row.metric.value == metric)
    assert (row.agreement, row.target) == (agreement, target)


def test_the_multi_level_calendars_carry_berlin_and_new_york_holidays() -> None:
    calendars = load_definitions(EXAMPLES / "multi-level").calendars
    berlin = {h.day for h in calendars["berlin-office"].holidays}
    new_york = {h.day for h in calendars["new-york-office"].holidays}
    assert date(2026, 3, 8) in berlin  # International Women's Day, Berlin only
    assert date(2026, 12, 24) in berlin  # explicit date
    assert date(2026, 2, 12) in new_york  # Lincoln's Birthday, New York State
    assert calendars["new-york-night-desk"].weekly[0][0].is_overnight


INVALID_CASES = [
    # file, line, column, the message (or its start)
    (
        "syntax-error.yaml",
        4,
        1,
        "this is not valid YAML: found unexpected end of the file (while scanning a quoted text that starts at line 2, column 45)",
    ),
    ("type-error.yaml", 4, 21, "'effective_from' must be a date written as YYYY-MM-DD"),
    ("unknown-key.yaml", 5, 42, "unknown key 'calender'; did you mean 'calendar'?"),
    (
        "unknown-metric.yaml",
        5,
        18,
        "metric must be one of: first_response, next_response, resolution, availability or satisfaction",
    ),
    (
        "unknown-calendar.yaml",
        9,
        52,
        "unknown calendar 'berlin-ofice'; did you mean 'berlin-office'?",
    ),
    ("unknown-service.yaml", 6, 16, "unknown service 'network'; services defined: email"),
    ("unknown-customer.yaml", 6, 17, "unknown customer 'globex'; customers defined: acme"),
    (
        "unknown-group.yaml",
        6,
        14,
        "unknown group 'platinum': no customer is in it; groups in use: gold",
    ),
    (
        "unknown-timezone.yaml",
        3,
        15,
        "'Europe/Berln' is not a time zone; did you mean Europe/Berlin?",
    ),
    ("unknown-holiday-region.yaml", 5, 42, "DE has no subdivision 'XY'"),
    (
        "malformed-duration.yaml",
        5,
        38,
        "'4 hours' is not a duration; write it like 90m, 4h, 2h30m or 45s",
    ),
    (
        "malformed-percentage.yaml",
        5,
        48,
        "goal: 95 is not a percentage; write it with a % sign, like 99.9%",
    ),
    ("malformed-window.yaml", 5, 16, "'8am' is not a time of day; write it like 08:00"),
    (
        "overlapping-windows.yaml",
        6,
        12,
        "the opening window 17:00-20:00 on Friday overlaps 08:00-18:00 on Friday",
    ),
    (
        "overnight-overlap.yaml",
        6,
        12,
        "the opening window 05:00-13:00 on Tuesday overlaps 22:00-06:00 on Monday",
    ),
    (
        "days-on-business-calendar.yaml",
        9,
        38,
        "'2d' counts in days, which are allowed only on a 24x7 calendar",
    ),
    ("goal-above-100.yaml", 5, 48, "a goal above 100% can never be met"),
    (
        "credit-bands-out-of-order.yaml",
        12,
        19,
        "credit bands are out of order: list them from the highest threshold to the lowest",
    ),
    ("credit-bands-duplicated.yaml", 12, 19, "two bands start at the same threshold (99.9%)"),
    (
        "credits-without-objective.yaml",
        10,
        7,
        "credits for resolution, but this agreement has no resolution objective",
    ),
    (
        "effective-dates-reversed.yaml",
        5,
        19,
        "effective_to (2026-06-30) is before effective_from (2026-07-01)",
    ),
    (
        "corporate-with-scope.yaml",
        6,
        5,
        "a corporate agreement applies to every ticket, so it cannot name customers",
    ),
    ("service-without-services.yaml", 3, 12, "a service agreement must name its services"),
    (
        "customer-without-customers.yaml",
        3,
        12,
        "a customer agreement must name customers or groups",
    ),
    (
        "target-kind-wrong.yaml",
        5,
        40,
        "an availability target is a percentage like 99.9%, not '4h'",
    ),
    (
        "value-outside-vocabulary.yaml",
        7,
        52,
        "priority 'p2' is not in vocabulary.priorities (P1, P2, P3): no ticket may have it, so "
        "this condition could never match; did you mean 'P2'?",
    ),
]


def test_every_invalid_example_has_a_case() -> None:
    files = {path.name for path in INVALID.glob("*.yaml")}
    assert files == {case[0] for case in INVALID_CASES} | {"ambiguous-objectives.yaml"}


@pytest.mark.parametrize(("name", "line", "column", "message"), INVALID_CASES)
def test_each_invalid_example_is_reported_where_it_is_wrong(
    name: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definitions(INVALID / name)
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.column) == (str(INVALID / name), line, column)
    assert issue.message.startswith(message)


def test_ambiguous_objectives_are_reported_at_both_objectives() -> None:
    path = INVALID / "ambiguous-objectives.yaml"
    with pytest.raises(DefinitionError) as caught:
        load_definitions(path)
    first, second = caught.value.issues
    assert [(first.line, first.column), (second.line, second.column)] == [(8, 9), (13, 9)]
    for issue, other in ((first, "13:9"), (second, "8:9")):
        assert issue.message.startswith(
            "ambiguous: objective 'resolution-1' of agreement 'gold-support' and objective "
            "'resolution-1' of agreement 'gold-extra' both set resolution at group level"
        )
        assert issue.message.endswith(f"(the other one is at {path}:{other})")


def test_three_files_with_three_kinds_of_problem_give_three_located_messages() -> None:
    folder = INVALID / "three-problems"
    with pytest.raises(DefinitionError) as caught:
        load_definitions(folder)
    located = [(Path(i.file or "").name, i.line, i.column) for i in caught.value.issues]
    assert located == [
        ("agreements.yaml", 5, 52),
        ("calendars.yaml", 5, 1),
        ("customers.yaml", 5, 23),
    ]
    messages = [issue.message for issue in caught.value.issues]
    assert messages[0].startswith("unknown calendar 'support-hours'")
    assert messages[1].startswith("this is not valid YAML")
    assert messages[2] == "'amount' must be a number"


def test_a_calendar_defined_in_two_files_is_located_in_both() -> None:
    folder = INVALID / "duplicate-across-files"
    with pytest.raises(DefinitionError) as caught:
        load_definitions(folder)
    (issue,) = caught.value.issues
    assert (Path(issue.file or "").name, issue.line, issue.column) == ("two.yaml", 2, 3)
    assert (
        issue.message
        == f"calendar 'office' is defined twice: here and at {folder / 'one.yaml'}:2:3"
    )


def test_a_revision_reloads_from_its_kept_source_texts() -> None:
    from servanda.specs.loader import load_definitions_from_texts

    texts = read_sources(EXAMPLES / "multi-level")
    assert load_definitions_from_texts(texts) == load_definitions(EXAMPLES / "multi-level")
