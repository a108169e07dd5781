"""The ``vocabulary:`` section: loading, located problems, schema and revision snapshots."""

from __future__ import annotations

import pytest

from servanda.domain.agreements import Definitions, Vocabulary
from servanda.domain.errors import DefinitionError, Issue
from servanda.specs import snapshot
from servanda.specs.loader import load_definitions_from_texts
from servanda.specs.models import DefinitionsDocument

AGREEMENTS = """\
agreements:
  - id: corp
    level: corporate
    pause_on: [waiting_on_customer]
    objectives:
      - {metric: first_response, when: {priority: [P1, P2]}, target: 1h}
      - {metric: resolution, when: {channel: phone}, target: 8h}
"""

VOCABULARY = """\
vocabulary:
  priorities: [P1, P2, P3]
  statuses: [open, waiting_on_customer]
  attributes:
    channel: [email, phone, portal]
    seats: [1, 2]
"""


def load(*texts: str) -> Definitions:
    return load_definitions_from_texts({f"file{i}.yaml": text for i, text in enumerate(texts)})


def problems(*texts: str) -> list[Issue]:
    with pytest.raises(DefinitionError) as caught:
        load(*texts)
    return list(caught.value.issues)


def position(text: str, needle: str) -> tuple[int, int]:
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def test_a_declared_vocabulary_is_loaded_with_numbers_read_as_text():
    definitions = load(VOCABULARY + AGREEMENTS)
    assert definitions.vocabulary == Vocabulary(
        priorities=frozenset({"P1", "P2", "P3"}),
        statuses=frozenset({"open", "waiting_on_customer"}),
        attributes={
            "channel": frozenset({"email", "phone", "portal"}),
            "seats": frozenset({"1", "2"}),
        },
    )


def test_definitions_without_a_vocabulary_declare_none():
    assert not load(AGREEMENTS).vocabulary.is_declared


def test_the_vocabulary_is_kept_in_the_revision_snapshot_and_absent_ones_keep_the_old_bytes():
    declared = load(VOCABULARY + AGREEMENTS)
    assert snapshot.loads(snapshot.canonical_bytes(declared)) == declared
    plain = load(AGREEMENTS)
    assert b"vocabulary" not in snapshot.canonical_bytes(plain)  # content hashes unchanged
    assert snapshot.content_hash(plain) != snapshot.content_hash(declared)


def test_a_vocabulary_may_be_in_its_own_file_of_a_folder_but_only_once():
    assert load(AGREEMENTS, VOCABULARY).vocabulary.priorities == frozenset({"P1", "P2", "P3"})
    [issue] = problems(AGREEMENTS, VOCABULARY, VOCABULARY)
    assert issue.file == "file2.yaml"
    assert issue.message == "vocabulary is set twice: here and at file1.yaml:2:3"


def test_a_condition_value_outside_the_declared_list_is_located_with_a_suggestion():
    text = VOCABULARY.replace("[P1, P2, P3]", "[P1, P3]") + AGREEMENTS.replace(
        "when: {channel: phone}", "when: {channel: Phone}"
    )
    first, second = problems(text)
    assert (first.line, first.column) == position(text, "P2]}")
    assert first.message == (
        "priority 'P2' is not in vocabulary.priorities (P1, P3): no ticket may have it, so this "
        "condition could never match"
    )
    assert (second.line, second.column) == position(text, "Phone")
    assert second.message.endswith("could never match; did you mean 'phone'?")


def test_a_pause_state_outside_the_declared_statuses_is_an_error():
    text = VOCABULARY.replace("waiting_on_customer]", "waiting_on_custmer]") + AGREEMENTS
    [issue] = problems(text)
    assert (issue.line, issue.column) == position(text, "waiting_on_customer]")
    assert issue.message == (
        "pause state 'waiting_on_customer' is not in vocabulary.statuses (open, "
        "waiting_on_custmer): no event may carry it, so this pause could never happen; "
        "did you mean 'waiting_on_custmer'?"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  priorities: [P1, P2, P1]\n", "'P1' is listed twice"),
        ("  priorities: []\n", "List should have at least 1 item"),
        ("  statuses: [waiting_on_customer, '']\n", "an empty value matches no ticket; remove it"),
        (
            "  attributes: {priority: [P1]}\n",
            "'priority' cannot be declared as an attribute: declare priorities under "
            "vocabulary.priorities",
        ),
        (
            "  attributes: {service: [email]}\n",
            "'service' cannot be declared as an attribute: services are the ids of the "
            "services: section",
        ),
        ("  colours: [red]\n", "colours"),
    ],
)
def test_each_malformed_vocabulary_entry_is_a_located_problem(entry: str, message: str):
    text = (
        "vocabulary:\n"
        + entry
        + AGREEMENTS.replace("[P1, P2]", "P1").replace("when: {channel: phone}, ", "")
    )
    issues = problems(text)
    assert any(message in issue.message for issue in issues), issues
    assert all(issue.line == 2 for issue in issues), issues


def test_the_json_schema_describes_the_vocabulary():
    schema = DefinitionsDocument.model_json_schema()
    entry = schema["$defs"]["VocabularyEntry"]
    assert set(entry["properties"]) == {"priorities", "statuses", "attributes"}
    assert entry["additionalProperties"] is False
    assert entry["properties"]["attributes"]["additionalProperties"]["minItems"] == 1
