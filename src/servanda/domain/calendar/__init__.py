"""Business-hours calendars: what they are, and business time on them.

- ``spec``: the definition values (windows, holidays, exceptions, ``CalendarSpec``).
- ``blocks``: a calendar's opening intervals as UTC epoch seconds, one block at a time.
- ``arithmetic``: business-time arithmetic (``EpochCalendar`` on epoch seconds, the clock
  engine's hot path; ``BusinessCalendar`` adds the datetime API; ``build_calendars``).


A calendar is weekly opening windows in local wall-clock time of one IANA zone,
plus holidays (whole local days closed) and exceptions (a local day whose
windows are replaced: partly closed, or opened when normally closed).

Rules (see docs/semantics.md, "Business time"):
- A window is ``[start, end)`` in seconds after local midnight. ``end <= start``
  means the window crosses midnight and ends on the next local day; an
  overnight window belongs to the day it opens on.
- A holiday closes every window that *opens* on it (including the part after
  midnight), not the tail of the previous night's window.
- An exception replaces the windows that open on its date; it wins over a
  holiday on the same date. An exception with no windows closes the day.
- Business time is real elapsed seconds inside opening intervals ``[start, end)``
  (the union of the windows), so DST shortens or lengthens a window; a bound in a
  spring-forward gap takes effect when the clock jumps, one in a fall-back fold
  means its first occurrence (``blocks``).
- ``add`` returns the earliest instant at which the duration has elapsed (a
  window's end, not the next opening); ``add(t, 0)`` is ``next_open(t)``;
  ``between`` counts ``[a, b)``. Aware datetimes in, aware UTC out; the
  ``*_epoch`` twins work on integer UTC epoch seconds for the clock engine.
"""
