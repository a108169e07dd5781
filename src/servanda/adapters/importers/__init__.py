"""Importers: files from the outside world turned into domain values.

Each importer yields domain values (``TicketEvent``, ``Outage``) or a
``Rejection`` naming the line that could not be used and why; none of them
touches storage. The CLI and the use cases decide what to do with both.
"""
