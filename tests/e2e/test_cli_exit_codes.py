"""The CLI's one error boundary: messages, never tracebacks, and documented exit codes."""

from __future__ import annotations

import subprocess
import sys

from servanda.demo import definitions_path


def servanda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servanda", *args], capture_output=True, text=True, check=False
    )


def test_success_exits_zero():
    from servanda import __version__

    result = servanda("--version")
    assert result.returncode == 0
    assert result.stdout == f"servanda {__version__}\n"
    assert result.stderr == ""


def test_a_usage_error_exits_two_with_clicks_message():
    result = servanda("definitions", "explain")
    assert result.returncode == 2
    assert "Usage: " in result.stderr
    assert "Missing argument" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_customer_is_not_found_exit_three_with_a_sentence():
    result = servanda(
        "definitions",
        "explain",
        str(definitions_path()),
        "--customer",
        "nobody",
        "--at",
        "2026-03-02",
    )
    assert result.returncode == 3
    assert "unknown customer 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_definitions_exit_one(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "calendars:\n  office: {timezone: Mars/Olympus, hours: {mon: '09:00-17:00'}}\n"
    )
    result = servanda("definitions", "validate", str(broken))
    assert result.returncode == 1
    assert "broken.yaml:2" in result.stdout + result.stderr
