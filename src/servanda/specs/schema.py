"""The JSON Schema of the definitions format, for editors and CI (draft 2020-12).

Generated from the pydantic models, so it never drifts from what the loader
accepts in shape. It cannot express the checks that need the whole set
(references, overlaps, ambiguity): ``servanda definitions validate`` does those.
"""

from __future__ import annotations

from typing import Any

from servanda.specs.models import DefinitionsDocument

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def definitions_json_schema() -> dict[str, Any]:
    """The schema of one definitions file (every section optional, as in a folder's files)."""
    schema = DefinitionsDocument.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema}
