"""Servanda's HTTP API (FastAPI): ``create_app(settings)``; one router per resource."""

from __future__ import annotations

from servanda.entrypoints.api.app import create_app

__all__ = ["create_app"]
