"""Report aggregates on SQLite and PostgreSQL: hand-computed figures, and the same report from both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
from servanda.bootstrap import Storage, connect, load_settings
from servanda.domain.compliance import Status
from servanda.domain.credits import LineKind
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.money import Money
from servanda.services.credit_reports import credits_report
from servanda.services.ingestion import record_events
from servanda.services.reports import ReportSources, availability_report, compliance_report
from tests import reports_scenario


@pytest.fixture
def sources(database_url: str) -> Iterator[ReportSources]:
    storage = connect(load_settings(database_url=database_url))
    reports_scenario.load(storage)
    yield ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    storage.dispose()


def row(report, key: str, customer: str = "acme"):
    (found,) = [r for r in report.rows if r.objective_key == key and r.customer == customer]
    return found


def test_compliance_counts_each_item_in_the_berlin_month_it_concluded(sources):
    march = compliance_report(sources, "2026-03", customer="acme")
    p1 = [r for r in march.rows if r.objective_key == "gold/resolution-1"]
    assert sum(r.met for r in p1) == 1
    assert sum(r.breached for r in p1) == 1
    email = (
        row(march, "gold/resolution-1")
        if len(p1) == 1
        else next(r for r in p1 if r.service == "email")
    )
    assert email.breached == 1
    april = compliance_report(sources, "2026-04", customer="acme")
    p1_april = [r for r in april.rows if r.objective_key == "gold/resolution-1"]
    assert [(r.service, r.met, r.breached) for r in p1_april] == [("email", 0, 1)]
    assert p1_april[0].previous_breached == 1  # March's email breach, found with LAG
    assert p1_april[0].status is Status.FAIL


def test_satisfaction_is_the_mean_of_each_tickets_last_rating(sources):
    march = compliance_report(sources, "2026-03", customer="acme")
    ratings = sum(s.ratings for s in march.satisfaction)
    total = sum((s.rating_sum for s in march.satisfaction), Decimal(0))
    assert (ratings, total) == (2, Decimal(8))


def test_availability_merges_weights_and_excludes_announced_maintenance(sources):
    report = availability_report(sources, "2026-03", customer="acme", service="network")
    (found,) = report.rows
    assert found.figure.objective_key == "gold-network/availability-1"
    assert found.figure.measured.covered_seconds == 2_667_600
    assert found.figure.measured.downtime_seconds == Decimal("3150.0")
    assert found.figure.availability == 1 - Decimal(3150) / Decimal(2_667_600)
    assert found.figure.status is Status.FAIL


def test_the_credit_statement_lists_each_credit_with_its_reason(sources):
    (statement,) = credits_report(sources, "2026-03", customer="acme").statements
    credits = [line for line in statement.lines if line.kind is LineKind.CREDIT]
    assert sorted((line.objective_key, line.amount.rounded()) for line in credits) == [
        ("gold-network/availability-1", Money(Decimal("1250.00"), "EUR")),
        ("gold/resolution-1", Money(Decimal("2850.00"), "EUR")),
    ]
    assert statement.credits("EUR") == Money(Decimal("4100.00"), "EUR")
    assert any(
        line.agreement == "email-service" and line.kind is LineKind.NONE for line in statement.lines
    )


def test_a_ticket_moved_to_another_customer_and_service_counts_only_for_the_new_ones(
    database_url: str,
):
    storage = connect(load_settings(database_url=database_url))
    reports_scenario.load(storage)
    moved = TicketEvent(
        "T4-moved",
        "T4",
        EventType.ATTRIBUTES_CHANGED,
        reports_scenario.at("2026-03-05T12:00:00"),
        changes=(("customer", "globex"), ("service", "network")),
    )
    record_events(storage.uow_factory, storage.evaluator, [moved], reports_scenario.NOW)
    sources = ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    acme = compliance_report(sources, "2026-03", customer="acme")
    globex = compliance_report(sources, "2026-03", customer="globex")
    everyone = compliance_report(sources, "2026-03")
    storage.dispose()
    # March resolution items: T1 met for ACME; T4 breached, now Globex's (network)
    assert [(r.service, r.met, r.breached) for r in acme.rows if r.metric == "resolution"] == [
        ("network", 1, 0)
    ]
    assert {(r.customer, r.service) for r in globex.rows} == {("globex", "network")}
    assert sum(r.breached for r in globex.rows if r.metric == "resolution") == 1
    assert sorted(everyone.rows, key=repr) == sorted(acme.rows + globex.rows, key=repr)


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_reports(
    sqlite_template: Path, postgres_url: str, tmp_path
):
    from tests.conftest import empty_postgres

    path = tmp_path / "same.sqlite"
    shutil.copyfile(sqlite_template, path)
    empty_postgres(postgres_url)
    produced = []
    for url in (f"sqlite:///{path}", postgres_url):
        storage: Storage = connect(load_settings(database_url=url))
        reports_scenario.load(storage)
        sources = ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
        produced.append(
            (
                compliance_report(sources, "2026-03", periods=6),
                availability_report(sources, "2026-03"),
                credits_report(sources, "2026-03"),
            )
        )
        storage.dispose()
    assert produced[0] == produced[1]
    assert produced[0][0].rows  # something was compared


def test_upgrading_a_database_fills_each_measurements_customer_and_service_from_its_ticket(
    database_url: str,
):
    from alembic import command
    from sqlalchemy import insert, select

    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.schema import alembic_config, upgrade_database
    from servanda.adapters.sqlalchemy.tables import measurements, tickets

    engine = make_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        connection.execute(
            insert(tickets).values(id="T1", customer="acme", service="email", event_count=0)
        )
        connection.execute(
            insert(measurements).values(
                ticket_id="T1", key="resolution:0", agreement="gold",
                objective_key="gold/resolution-1", metric="resolution", cycle=0, state="met",
                concluded_at=0, evaluated_at=0, payload="{}",
            )
        )  # fmt: skip
    upgrade_database(engine)
    with engine.connect() as connection:
        stored = connection.execute(select(measurements.c.customer, measurements.c.service)).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == [("acme", "email")]
