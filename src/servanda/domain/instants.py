"""The instants Servanda keeps: 1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z.

Every instant that enters (an event, an outage, a definitions date, ``--now``,
``--effective-from``, a report period) must lie in this range; outside it the
input is refused where it enters, with a located error, so nothing out of range
is ever stored or computed with. The range covers every date a service desk
records, keeps business-time arithmetic and period cutting away from the ends
of ``datetime`` (years 1 and 9999, where zone offsets overflow), and leaves room
for the deadlines of the latest tickets (``LATEST`` plus years of calendar).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

FIRST_YEAR = 1970
LAST_YEAR = 2199
EARLIEST = 0
"""1970-01-01T00:00:00Z in epoch seconds."""
LATEST = int(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()) - 1
"""2199-12-31T23:59:59Z in epoch seconds."""
RANGE_TEXT = "1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z"
FIRST_DATE = date(FIRST_YEAR, 1, 1)
LAST_DATE = date(LAST_YEAR, 12, 31)
DATE_RANGE_TEXT = "1970-01-01 to 2199-12-31"


def is_supported(seconds: int) -> bool:
    """Whether ``seconds`` (epoch, UTC) lies in the supported range, both ends inclusive."""
    return EARLIEST <= seconds <= LATEST


def unsupported(what: str, shown: str) -> str:
    """The sentence refusing ``what`` (``"event at"``, ``"--now"``) given as ``shown``."""
    return f"{what} {shown} is outside the supported instants ({RANGE_TEXT})"


def is_supported_date(day: date) -> bool:
    """Whether a calendar date (a definitions date: effective, holiday, exception) lies in
    1970-01-01..2199-12-31, both ends inclusive: the dates of the supported instants in UTC."""
    return FIRST_DATE <= day <= LAST_DATE
