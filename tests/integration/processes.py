"""Run ``servanda`` commands in real, concurrent OS processes (forked from the test process).

Forking reuses the modules already imported here, so eight processes start in
milliseconds instead of paying the interpreter and import start-up each; the
child runs the real CLI entry point (``main``) with its own environment and
its own database connections, and its output goes to a file.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from servanda.domain.events import TicketEvent
from servanda.specs.events import event_to_line

EXAMPLE = Path(__file__).parents[2] / "examples" / "multi-level"


def write_events(path: Path, events: list[TicketEvent]) -> Path:
    path.write_bytes(b"".join(event_to_line(event) for event in events))
    return path


@dataclass
class Child:
    pid: int
    output: Path

    def finish(self) -> str:
        _, status = os.waitpid(self.pid, 0)
        text = self.output.read_text()
        code = os.waitstatus_to_exitcode(status)
        assert code == 0, f"exit {code}:\n{text}"
        return text

    def kill(self) -> None:
        """SIGKILL the process and every process it started (its import workers)."""
        os.killpg(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def start(args: list[str], output: Path, **env: str) -> Child:
    """Fork a process that runs ``servanda ARGS`` with ``env`` added to its environment."""
    pid = os.fork()
    if pid:
        return Child(pid, output)
    code = 70
    try:
        os.setpgid(0, 0)  # its own process group, so that kill() reaches its workers too
        os.environ.update(env)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        # pytest's capture replaced sys.stdout/stderr: write to the real descriptors again.
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - lives until os._exit
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        sys.argv = ["servanda", *args]
        from servanda.entrypoints.cli import main

        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # no finalizers: the parent's pooled connections are not ours to close


def servanda(output_dir: Path, *args: str, **env: str) -> str:
    counter = len(list(output_dir.glob("out-*.txt")))
    return start(list(args), output_dir / f"out-{counter}.txt", **env).finish()


def apply_example(output_dir: Path, url: str) -> None:
    servanda(
        output_dir,
        "definitions",
        "apply",
        str(EXAMPLE),
        "--effective-from",
        "2020-01-01",
        "--database-url",
        url,
    )
