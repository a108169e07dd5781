"""Servanda: an SLA management engine for B2B service providers.

Agreements are written as versioned YAML definitions, applied to the stream of
ticket events and outages, measured in exact business time, and reported as
compliance, availability and service credits.
"""

__version__ = "0.1.0.dev0"
