"""Frozen report inputs: the record of a close, kept byte for byte, and what it can answer later."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

import pytest

from servanda.domain.availability import Impact, Outage
from servanda.services.frozen_figures import (
    FrozenFiguresError,
    FrozenReadModel,
    Recording,
    RecordingReadModel,
    call_key,
    from_plain,
    to_plain,
)
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    Scope,
    TrailEvent,
    Window,
)

WINDOWS = [Window(0, 100), Window(100, 200), Window(200, 300)]
ACME = Scope(customers=("acme",))


def count(window: int, key: str, service: str, met: int, breached: int, before: int = 0):
    return ComplianceCount(window, key, "resolution", "acme", service, met, breached, 3600,
                           before, 0)  # fmt: skip


COUNTS = [
    count(0, "gold/fix", "email", 1, 0),
    count(1, "gold/fix", "email", 2, 1, before=1),
    count(1, "silver/fix", "network", 0, 1),
    count(2, "gold/fix", "email", 3, 0, before=2),
    count(2, "gold/fix", "network", 0, 2),
]
RATINGS = [
    RatingCount(1, "acme", "email", Decimal("4.5"), 2),
    RatingCount(1, "acme", "network", Decimal(3), 1),
]
BREACH = BreachRow("T4", "gold/fix", "resolution", 0, "acme", "email", "P1", 3600, 3601, 10,
                   3611, None, 1)  # fmt: skip
TRAIL = TrailEvent("T4", 10, "created", "customer=acme, priority=P1")


class CannedReadModel:
    """A live read model with fixed answers, counting the questions it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        self.asked += 1
        return list(COUNTS)

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        self.asked += 1
        return list(RATINGS)

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        self.asked += 1
        return [BREACH]

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        self.asked += 1
        return [TRAIL]


@pytest.fixture
def recorded() -> Recording:
    """What closing ACME's period recorded: one compliance request of three windows, etc."""
    recording = Recording(revision_ceiling=4)
    live = RecordingReadModel(CannedReadModel(), recording)
    live.compliance_counts(WINDOWS, ACME)
    live.rating_counts(WINDOWS[1:], ACME)
    live.breaches(WINDOWS[2], ACME, 200)
    live.trails(["T4"])
    recording.outages[call_key("network", 0, 300)] = [
        Outage("o2", "network", 10, 70, impact=Impact.PARTIAL, weight=Decimal("0.5"),
               customers=("acme",), description="WAN degraded"),
    ]  # fmt: skip
    return recording


def test_a_recording_model_answers_from_live_and_keeps_every_answer(recorded) -> None:
    assert recorded.compliance == {call_key(WINDOWS, ACME): COUNTS}
    assert recorded.ratings == {call_key(WINDOWS[1:], ACME): RATINGS}
    assert recorded.breaches == {call_key(WINDOWS[2], ACME, 200): [BREACH]}
    assert recorded.trails == {call_key(["T4"]): [TRAIL]}


def test_a_record_reads_back_equal_and_writes_the_same_text_again(recorded) -> None:
    text = recorded.to_json()
    again = Recording.from_json(text)
    assert again == recorded
    assert again.to_json() == text
    assert json.loads(text)["version"] == 1


def test_a_record_of_an_unknown_version_is_refused() -> None:
    text = json.dumps({**json.loads(Recording(1).to_json()), "version": 2})
    with pytest.raises(FrozenFiguresError, match="unknown closed-period snapshot version 2"):
        Recording.from_json(text)


def test_plain_values_keep_decimals_enums_tuples_and_nones() -> None:
    outage = Outage("o2", "network", 10, 70, customers=("acme", "globex"),
                    impact=Impact.PARTIAL, weight=Decimal("0.50"))  # fmt: skip
    plain = to_plain(outage)
    assert isinstance(plain, dict)
    assert (plain["weight"], plain["impact"], plain["customers"]) == (
        "0.50",
        "partial",
        ["acme", "globex"],
    )
    assert from_plain(Outage, plain) == outage
    assert from_plain(BreachRow, to_plain(BREACH)) == BREACH  # stopped_at None


def test_a_frozen_model_answers_exactly_what_was_recorded_without_asking_anyone(recorded) -> None:
    frozen = FrozenReadModel(Recording.from_json(recorded.to_json()))
    assert frozen.compliance_counts(WINDOWS, ACME) == COUNTS
    assert frozen.rating_counts(WINDOWS[1:], ACME) == RATINGS
    assert frozen.breaches(WINDOWS[2], ACME, 200) == [BREACH]
    assert frozen.trails(["T4"]) == [TRAIL]


def test_a_narrower_request_is_answered_from_the_recorded_wider_one(recorded) -> None:
    frozen = FrozenReadModel(recorded)
    email = frozen.compliance_counts(WINDOWS, Scope(customers=("acme",), service="email"))
    assert email == [c for c in COUNTS if c.service == "email"]
    silver = frozen.compliance_counts(WINDOWS, Scope(customers=("acme",), agreement="silver"))
    assert silver == [COUNTS[2]]
    ratings = frozen.rating_counts(WINDOWS[1:], Scope(customers=("acme",), service="network"))
    assert ratings == [RATINGS[1]]


def test_a_shorter_trend_is_the_last_windows_renumbered_and_its_first_has_no_previous(
    recorded,
) -> None:
    frozen = FrozenReadModel(recorded)
    found = frozen.compliance_counts(WINDOWS[1:], ACME)
    assert [(c.window, c.objective_key, c.service, c.met, c.previous_met) for c in found] == [
        (0, "gold/fix", "email", 2, 0),  # window 1 became the first: its previous is unknown
        (0, "silver/fix", "network", 0, 0),
        (1, "gold/fix", "email", 3, 2),
        (1, "gold/fix", "network", 0, 0),
    ]


@pytest.mark.parametrize(
    ("windows", "scope"),
    [
        (WINDOWS, Scope(customers=("globex",))),  # another customer
        ([Window(0, 100), Window(100, 200)], ACME),  # not a suffix
        ([Window(300, 400)], ACME),  # a later period
    ],
)
def test_a_request_the_record_does_not_cover_is_refused_with_the_way_out(
    recorded, windows, scope
) -> None:
    with pytest.raises(FrozenFiguresError, match="servanda periods reopen"):
        FrozenReadModel(recorded).compliance_counts(windows, scope)


def test_breaches_trails_and_ratings_not_recorded_are_refused(recorded) -> None:
    frozen = FrozenReadModel(recorded)
    with pytest.raises(FrozenFiguresError, match="breach list"):
        frozen.breaches(WINDOWS[2], ACME, 10)
    with pytest.raises(FrozenFiguresError, match="event trail"):
        frozen.trails(["T1"])
    with pytest.raises(FrozenFiguresError, match="reopen"):
        frozen.rating_counts(WINDOWS, ACME)
