"""SLA clocks: a ticket's events folded into measurements, in business time.

- ``engine``: ``ClockEngine``, the clock engine of one definitions set: resolves
  which objectives apply (precedence) and folds one ticket's events at ``now``.
- ``ticket_fold``: ``TicketFold``, one pass over one ticket's events: its facts
  (customer, service, priority, status, attributes) and its clocks.
- ``sla_clock``: ``SLAClock``, one clock of one objective: running, paused,
  stopped; deadline, breach, warnings.
- ``measurement``: ``Measurement``, what a clock says at ``now`` (the stored row).
"""
