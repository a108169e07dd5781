"""The demo's story, reduced (one month, two customers, seed 7), run on the in-memory storage.

``demo_run`` writes the history files into a temporary ``Layout``, applies the
demo definitions as revision 1 and imports the files month by month as
``servanda demo`` does, but into an ``InMemoryStore`` read through
``tests.memory_reports`` instead of a SQLite database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from servanda.demo import definitions_path
from servanda.demo.history import DemoPeriod, demo_customers, demo_period
from servanda.demo.story import History, Layout, Recorded, import_history, write_history
from servanda.domain.agreements import Definitions
from servanda.services.customer_report import CustomerReport, customer_report
from servanda.services.reports import ComplianceReport, compliance_report
from servanda.services.revisions import apply_definitions
from servanda.specs.loader import load_definitions
from servanda.specs.snapshot import content_hash
from tests.memory_reports import MemoryReports, memory_reports

SEED = 7


@dataclass(frozen=True, slots=True)
class DemoRun:
    definitions: Definitions
    customers: tuple[str, ...]
    period: DemoPeriod
    layout: Layout
    history: History
    recorded: Recorded
    reports: MemoryReports


@pytest.fixture(scope="session")
def demo_definitions() -> Definitions:
    return load_definitions(definitions_path())


def run_demo(definitions: Definitions, root: Path, seed: int = SEED) -> DemoRun:
    customers, period = demo_customers(2), demo_period(1, definitions.timezone)
    layout = Layout(root)
    layout.reset()
    history = write_history(layout, definitions, customers, period, seed)
    reports = memory_reports()
    apply_definitions(reports.uow_factory, definitions, fingerprint=content_hash,
                      now=period.start, effective_from=period.start)  # fmt: skip
    recorded = import_history(reports, layout, history, period, lambda _lines, _bytes: None)  # type: ignore[arg-type]
    return DemoRun(definitions, customers, period, layout, history, recorded, reports)


@pytest.fixture(scope="session")
def demo_run(demo_definitions: Definitions, tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(demo_definitions, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def rerun(
    demo_definitions: Definitions, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int], DemoRun]:
    return lambda seed: run_demo(demo_definitions, tmp_path_factory.mktemp("demo"), seed)


def march_reports(run: DemoRun) -> list[tuple[CustomerReport, ComplianceReport]]:
    """Each demo customer's report of the last month and its compliance report, as the demo makes."""
    sources, label = run.reports.sources, run.period.last_label
    return [
        (
            customer_report(sources, customer, label),
            compliance_report(sources, label, customer=customer),
        )
        for customer in run.customers
    ]
