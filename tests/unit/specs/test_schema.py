"""The JSON Schema of the definitions format: its dialect, its id, and the sections the loader reads."""

from __future__ import annotations

from servanda.specs.schema import SCHEMA_DIALECT, definitions_json_schema
from servanda.specs.sources import TOP_LEVEL


def test_the_schema_declares_draft_2020_12_and_its_id() -> None:
    schema = definitions_json_schema()
    assert schema["$schema"] == SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://servanda.dev/schema/definitions.json"
    assert next(iter(schema)) == "$schema"


def test_the_schema_describes_exactly_the_sections_a_file_may_hold_and_requires_none() -> None:
    schema = definitions_json_schema()
    assert set(schema["properties"]) == set(TOP_LEVEL)
    assert "required" not in schema  # a folder's files each hold some sections
