"""Alembic migrations of the Servanda schema (run with ``servanda db upgrade``)."""
