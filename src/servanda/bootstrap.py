"""The composition root: settings -> engine -> unit of work -> services.

Only this module knows the concrete adapters. Nothing is built at import time.
"""

from __future__ import annotations

from servanda.config import Settings


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. a ``--database-url`` flag) winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
