"""The error tree in ``domain/errors.py``'s docstring is the truth: every ``ServandaError``
subclass in the package is listed there, under its parent, with the code, exit code and HTTP
status the two error boundaries really give it."""

from __future__ import annotations

import importlib
import pkgutil
import re

import servanda
from servanda.domain import errors
from servanda.entrypoints.api.errors import status_for
from servanda.entrypoints.cli import exit_code_for

ROW = re.compile(
    r"^(?P<indent>[ │├└─]*)(?P<name>\w+Error)\b[^\n]*?(?:\n[ │]+)?"
    r"\s(?P<code>[a-z_]+)\s+(?P<exit>\d)\s+(?P<status>\d{3})\s*$",
    re.MULTILINE,
)


def _documented() -> dict[str, tuple[str, int, int, int]]:
    """Class name -> (code, exit code, HTTP status, depth in the drawn tree)."""
    text = errors.__doc__ or ""
    return {
        m["name"]: (m["code"], int(m["exit"]), int(m["status"]), len(m["indent"]) // 4 - 1)
        for m in ROW.finditer(text)
    }


def _every_error_class() -> set[type[errors.ServandaError]]:
    for module in pkgutil.walk_packages(servanda.__path__, "servanda."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[errors.ServandaError]] = set()
    pending = [errors.ServandaError]
    while pending:
        kind = pending.pop()
        found.add(kind)
        pending.extend(kind.__subclasses__())
    return found


def _instance(kind: type[errors.ServandaError]) -> errors.ServandaError:
    """One instance of ``kind``: the base constructor's message, plus what a subclass requires."""
    if issubclass(kind, errors.DefinitionError):
        return kind([errors.Issue("x")])
    error = kind.__new__(kind)
    errors.ServandaError.__init__(error, "x")
    return error


def test_every_error_class_is_in_the_drawn_tree() -> None:
    documented = _documented()
    missing = {kind.__name__ for kind in _every_error_class()} - set(documented)
    assert not missing, f"add these to the tree in domain/errors.py: {sorted(missing)}"
    assert len(documented) >= 16


def test_the_tree_states_each_class_code_exit_code_and_status_as_the_boundaries_map_them() -> None:
    documented = _documented()
    for kind in _every_error_class():
        code, exit_code, status, _depth = documented[kind.__name__]
        error = _instance(kind)
        assert (error.code, exit_code_for(error), status_for(error)) == (code, exit_code, status), (
            kind.__name__
        )


def test_the_tree_draws_each_class_under_its_parent() -> None:
    documented = _documented()
    for kind in _every_error_class():
        parents = [b for b in kind.__mro__[1:] if issubclass(b, errors.ServandaError)]
        assert documented[kind.__name__][3] == len(parents), kind.__name__
