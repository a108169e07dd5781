"""Typed settings from the environment (``SERVANDA_*``); read only by bootstrap and entrypoints."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///servanda.sqlite"


class Settings(BaseSettings):
    """Process settings. Every field can be set as ``SERVANDA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SERVANDA_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: a SQLite file (default, created on first use) or ``postgresql+psycopg://...``."""
