"""State maps: how a service desk's ticket states become Servanda events.

A state map names, for each source state, the status a ``status_changed``
event carries, which states resolve or close the ticket, which state a new
ticket starts in, and which states count as the agent's first response (the
``responded`` proxy). The ServiceNow default ships as
``servicenow_states.yaml`` next to this module; ``--state-map FILE`` replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from servanda.domain.errors import EventError

DEFAULT_SERVICENOW_MAP = "servicenow_states.yaml"
_KEYS = frozenset({"statuses", "initial", "resolved", "closed", "responded"})


@dataclass(frozen=True, slots=True)
class StateMap:
    """Source state -> Servanda meaning. A state in none of the sets is unknown (rows rejected)."""

    statuses: Mapping[str, str]
    initial: str
    resolved: frozenset[str]
    closed: frozenset[str]
    responded: frozenset[str]

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.initial not in self.statuses:
            problems.append(f"initial state {self.initial!r} has no status")
        overlap = (set(self.statuses) & (self.resolved | self.closed)) | (
            self.resolved & self.closed
        )
        if overlap:
            problems.append(f"state(s) in more than one role: {', '.join(sorted(overlap))}")
        unknown = sorted(self.responded - set(self.statuses))
        if unknown:
            problems.append(f"responded state(s) without a status: {', '.join(unknown)}")
        if not self.resolved or not self.closed:
            problems.append("at least one resolved and one closed state are needed")
        if problems:
            raise EventError("invalid state map: " + "; ".join(problems))

    def is_known(self, state: str) -> bool:
        return state in self.statuses or state in self.resolved or state in self.closed

    def is_open(self, state: str) -> bool:
        return state in self.statuses


def state_map_from_mapping(document: Mapping[str, object]) -> StateMap:
    """A state map from a decoded document; ``EventError`` says what is wrong."""
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise EventError(f"invalid state map: unknown key(s) {', '.join(unknown)}")
    statuses = document.get("statuses")
    if not isinstance(statuses, Mapping) or not statuses:
        raise EventError("invalid state map: 'statuses' must map states to statuses")
    return StateMap(
        statuses={str(state): str(status) for state, status in statuses.items()},
        initial=str(document.get("initial", "")),
        resolved=_names(document, "resolved"),
        closed=_names(document, "closed"),
        responded=_names(document, "responded"),
    )


def _names(document: Mapping[str, object], key: str) -> frozenset[str]:
    value = document.get(key, [])
    if isinstance(value, str):
        return frozenset({value})
    if not isinstance(value, list):
        raise EventError(f"invalid state map: {key!r} must be a list of states")
    return frozenset(str(name) for name in value)


def load_state_map(path: Path | None = None) -> StateMap:
    """The state map in the YAML file ``path``, or the shipped ServiceNow default."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_SERVICENOW_MAP).read_text("utf-8")
        where = DEFAULT_SERVICENOW_MAP
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise EventError(f"cannot read state map {path}: {error.strerror}") from error
        where = str(path)
    try:
        document = YAML(typ="safe").load(text)
    except YAMLError as error:
        raise EventError(f"state map {where} is not valid YAML: {error}") from error
    if not isinstance(document, Mapping):
        raise EventError(f"state map {where} must be a mapping")
    return state_map_from_mapping(document)
