"""Precedence questions answered on the shipped multi-level example."""

from __future__ import annotations

from datetime import date

from servanda.domain.precedence import deciding_objectives

DAY = date(2026, 3, 2)


def test_the_example_provider_lists_the_corporate_first_response_for_gold_customers():
    from servanda.demo import definitions_path
    from servanda.specs.loader import load_definitions

    definitions = load_definitions(definitions_path())
    keys = deciding_objectives(definitions, "acme", ["email", "network", "workplace"], DAY)
    assert "corporate-standard/first_response-2" in keys  # P2-P4; gold takes only P2
