"""The per-process history cache: an entry counts only at the stored event count."""

from __future__ import annotations

from servanda.domain.events import EventType, TicketEvent
from servanda.services.evaluation import HistoryCache


def _event(n: int, ticket: str = "T-1") -> TicketEvent:
    return TicketEvent(id=f"e{n}", ticket=ticket, type=EventType.CUSTOMER_REPLIED, at=1_000 + n)


def test_a_history_is_returned_only_at_its_own_length() -> None:
    cache = HistoryCache()
    cache.remember({"T-1": [_event(1), _event(2)]})
    assert cache.get("T-1", 2) == (_event(1), _event(2))
    assert cache.get("T-1", 3) is None  # another process stored a third event since
    assert cache.get("T-2", 0) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_the_least_recently_used_history_goes_first() -> None:
    cache = HistoryCache(capacity=2)
    cache.remember({"A": [_event(1, "A")], "B": [_event(2, "B")]})
    assert cache.get("A", 1) is not None  # A is now the most recently used
    cache.remember({"C": [_event(3, "C")]})
    assert cache.get("B", 1) is None
    assert cache.get("A", 1) is not None
    assert cache.get("C", 1) is not None
