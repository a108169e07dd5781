"""The supported instants: 1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z, both ends inclusive."""

from __future__ import annotations

from datetime import UTC, datetime

from servanda.domain.instants import (
    EARLIEST,
    FIRST_YEAR,
    LAST_YEAR,
    LATEST,
    RANGE_TEXT,
    is_supported,
    unsupported,
)


def test_the_range_runs_from_the_epoch_to_the_last_second_of_2199() -> None:
    assert datetime.fromtimestamp(EARLIEST, tz=UTC) == datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    assert datetime.fromtimestamp(LATEST, tz=UTC) == datetime(
        LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    assert RANGE_TEXT == "1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z"


def test_both_ends_are_supported_and_one_second_beyond_either_is_not() -> None:
    assert is_supported(EARLIEST)
    assert is_supported(LATEST)
    assert not is_supported(EARLIEST - 1)
    assert not is_supported(LATEST + 1)


def test_the_refusal_names_what_was_given_and_the_range() -> None:
    assert unsupported("--now", "'2300-01-01'") == (
        "--now '2300-01-01' is outside the supported instants "
        "(1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z)"
    )
