"""The one place that reads the wall clock. Everything else takes "now" as a parameter.

``now`` is whole epoch seconds (UTC), floored, like every instant in Servanda.
Only the entrypoints (API, ``servanda sweep``/``worker``/``events import``) call it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


class SystemClock:
    """The machine's clock."""

    def now(self) -> int:
        return int(time.time())  # noqa: TID251 - the single sanctioned wall-clock read


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at ``at`` (tests, ``--now``)."""

    at: int

    def now(self) -> int:
        return self.at
