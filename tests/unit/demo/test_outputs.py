"""The demo's report files, written from the in-memory storage (PDFs switched off: WeasyPrint
takes seconds a page): which files, the summary they end with, and the same bytes for the same seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from servanda.demo.outputs import PdfRenderer, Written, relevant_agreements, write_reports
from servanda.demo.summary import DemoSummary, summarise, summary_json
from tests.unit.demo.conftest import DemoRun, march_reports


def written_reports(run: DemoRun) -> tuple[DemoSummary, Written, list[Path]]:
    announced: list[Path] = []
    with PdfRenderer(enabled=False) as renderer:
        summary, written = write_reports(
            SimpleNamespace(reports=run.reports.sources),  # type: ignore[arg-type]
            run.layout.reports, run.definitions, run.customers, run.period, renderer,
            announced.append,
        )  # fmt: skip
    assert renderer.submitted == renderer.finished == 0
    return summary, written, announced


@pytest.fixture(scope="module")
def outputs(demo_run: DemoRun) -> tuple[DemoSummary, Written, list[Path]]:
    return written_reports(demo_run)


def test_every_report_file_is_written_under_reports_and_announced(
    demo_run: DemoRun, outputs
) -> None:
    _, written, announced = outputs
    root = demo_run.layout.reports
    names = sorted(str(path.relative_to(root)) for path in written.files)
    agreements = relevant_agreements(demo_run.definitions, demo_run.customers, demo_run.period)
    assert names == sorted(
        [
            "customers/acme-2026-03.html",
            "customers/globex-2026-03.html",
            "credits-2026-03.html",
            *(f"{kind}-2026-03.{suffix}" for kind in ("compliance", "availability", "credits")
              for suffix in ("csv", "json")),
            *(f"agreements/{agreement}.{suffix}" for agreement in agreements for suffix in ("md", "html")),
            "summary.json",
        ]
    )  # fmt: skip
    assert announced == written.files
    assert all(path.is_file() for path in written.files)
    assert not list(root.rglob("*.pdf"))


def test_the_summary_file_is_the_summary_of_the_customer_reports(
    demo_run: DemoRun, outputs
) -> None:
    summary, _, _ = outputs
    assert summary == summarise(demo_run.definitions, march_reports(demo_run))
    text = (demo_run.layout.reports / "summary.json").read_text(encoding="utf-8")
    assert text == summary_json(summary)


def test_the_credit_tables_hold_the_demo_customers_only(demo_run: DemoRun, outputs) -> None:
    rows = (
        (demo_run.layout.reports / "credits-2026-03.csv").read_text(encoding="utf-8").splitlines()
    )
    assert rows[0].startswith("customer,zone,agreement")
    assert {row.split(",")[0] for row in rows[1:]} == {"acme", "globex"}


def test_the_agreements_documented_are_those_that_decide_some_objective_of_a_demo_customer(
    demo_run: DemoRun,
) -> None:
    chosen = relevant_agreements(demo_run.definitions, ("acme",), demo_run.period)
    assert chosen[0] == "corporate-standard"
    assert {"gold", "gold-network"} <= set(chosen)
    assert not {"silver", "globex-tailored", "globex-email"} & set(chosen)
    order = [a.id for a in demo_run.definitions.agreements]
    assert chosen == sorted(chosen, key=order.index)


def test_csv_json_and_html_are_byte_identical_for_the_same_seed(
    demo_run: DemoRun, outputs, rerun: Callable[[int], DemoRun]
) -> None:
    again = rerun(7)
    written_reports(again)
    for path in outputs[1].files:
        relative = path.relative_to(demo_run.layout.reports)
        assert (again.layout.reports / relative).read_bytes() == path.read_bytes(), relative
