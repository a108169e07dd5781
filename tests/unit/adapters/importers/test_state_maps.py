"""State maps: a desk's ticket states as Servanda statuses and events, validated as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from servanda.adapters.importers.state_maps import (
    StateMap,
    load_state_map,
    state_map_from_mapping,
)
from servanda.domain.errors import EventError

SMALL: dict[str, Any] = {
    "statuses": {"Open": "open", "Waiting": "waiting_on_customer"},
    "initial": "Open",
    "resolved": "Done",
    "closed": ["Closed"],
    "responded": ["Waiting"],
}


def test_the_shipped_servicenow_map_knows_every_incident_state() -> None:
    shipped = load_state_map()
    assert shipped.initial == "New"
    assert shipped.statuses["Awaiting User Info"] == "waiting_on_customer"
    assert (shipped.resolved, shipped.closed) == (frozenset({"Resolved"}), frozenset({"Closed"}))
    assert "New" not in shipped.responded
    assert all(shipped.is_known(s) for s in ("New", "Active", "Resolved", "Closed"))
    assert not shipped.is_known("Cancelled")
    assert shipped.is_open("Active")
    assert not shipped.is_open("Resolved")


def test_a_single_state_may_be_written_for_a_list_and_names_are_read_as_text() -> None:
    mapped = state_map_from_mapping(
        {**SMALL, "statuses": {1: "open"}, "initial": 1, "responded": [1]}
    )
    assert mapped.statuses == {"1": "open"}
    assert (mapped.initial, mapped.responded) == ("1", frozenset({"1"}))
    assert state_map_from_mapping(SMALL).resolved == frozenset({"Done"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"initial": "New"}, "initial state 'New' has no status"),
        ({"resolved": ["Open"]}, "state(s) in more than one role: Open"),
        ({"resolved": ["Closed"]}, "state(s) in more than one role: Closed"),
        ({"responded": ["Nowhere"]}, "responded state(s) without a status: Nowhere"),
        ({"closed": []}, "at least one resolved and one closed state are needed"),
    ],
)
def test_an_inconsistent_map_is_refused_naming_the_problem(change: dict[str, Any], message: str):
    with pytest.raises(EventError) as caught:
        state_map_from_mapping({**SMALL, **change})
    assert str(caught.value).startswith("invalid state map: ")
    assert message in str(caught.value)


def test_every_problem_of_a_map_is_named_at_once() -> None:
    with pytest.raises(EventError) as caught:
        StateMap({"Open": "open"}, "New", frozenset(), frozenset(), frozenset({"Gone"}))
    assert str(caught.value).count(";") == 2


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({**SMALL, "colour": "red"}, "unknown key(s) colour"),
        ({**SMALL, "statuses": {}}, "'statuses' must map states to statuses"),
        ({**SMALL, "statuses": ["Open"]}, "'statuses' must map states to statuses"),
        ({**SMALL, "closed": {"Closed": 1}}, "'closed' must be a list of states"),
    ],
)
def test_a_malformed_document_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError, match=message.replace("(", r"\(").replace(")", r"\)")):
        state_map_from_mapping(document)


def test_a_map_file_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "states.yaml"
    path.write_text(
        "statuses: {Open: open, Waiting: waiting_on_customer}\n"
        "initial: Open\nresolved: [Done]\nclosed: [Closed]\nresponded: [Waiting]\n",
        encoding="utf-8",
    )
    assert load_state_map(path) == state_map_from_mapping(SMALL)


@pytest.mark.parametrize(
    ("text", "message"),
    [("statuses: [unclosed\n", "is not valid YAML"), ("- a list\n", "must be a mapping")],
)
def test_an_unreadable_map_file_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "states.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventError) as caught:
        load_state_map(path)
    assert str(caught.value).startswith(f"state map {path} {message}")


def test_a_missing_map_file_is_an_event_error_not_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(EventError, match=r"cannot read state map .*missing\.yaml"):
        load_state_map(tmp_path / "missing.yaml")
