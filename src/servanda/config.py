"""Typed settings from the environment (``SERVANDA_*``); read only by bootstrap and entrypoints."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///servanda.sqlite"


class Settings(BaseSettings):
    """Process settings. Every field can be set as ``SERVANDA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SERVANDA_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: a SQLite file (default, created on first use) or ``postgresql+psycopg://...``."""

    import_batch_size: int = 10_000
    """Events per transaction in ``servanda events import`` (each batch commits or fails whole);
    a batch holds whole tickets, so one with more events than this is a batch of its own."""

    import_hold: int = Field(default=300_000, ge=1)
    """Events ``servanda events import`` holds at once, per process, to group them by ticket;
    larger input is read in several passes (``entrypoints.cli.ticket_batches``)."""

    sweep_batch_size: int = 500
    """Tickets claimed per transaction by ``servanda sweep`` / ``worker``."""

    ingestion_processes: int = Field(default=0, ge=0, le=64)
    """Processes per API server worker that fold ``POST /api/v1/events`` batches, at a lower CPU
    priority; 0 folds them in the serving process. ``servanda serve --ingestion-processes``."""

    worker_interval_seconds: float = 30.0
    """Pause between sweeps of ``servanda worker``."""
