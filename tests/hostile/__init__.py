"""Hostile input: every case from the hostile-input issue, on SQLite and PostgreSQL.

Each test sends what an attacker or a careless integrator would (out-of-range
instants, broken encodings, bombs, oversized or deep documents, moved tickets)
and asserts three things: a 4xx or a located error, no traceback, and the
stored rows unchanged. One file per theme; the ``database_url`` fixture of
``tests/conftest.py`` runs each storage case on both databases.
"""
