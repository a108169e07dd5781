"""Compliance and availability reports over the in-memory storage: periods, zones, revisions.

Figures are those hand-computed in ``tests.reports_scenario`` (ACME, Berlin, March 2026) and
``tests.fee_base_scenario`` (Shop, New York); the integration tests check the same figures on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from servanda.adapters.memory import InMemoryStore
from servanda.domain.agreements import Definitions
from servanda.domain.errors import NotFoundError
from servanda.domain.periods import parse_period
from servanda.services.ports import RevisionSummary
from servanda.services.report_ports import RatingCount, Scope
from servanda.services.reports import (
    PendingRevision,
    ReportSources,
    availability_report,
    availability_row,
    compliance_report,
    load_definitions,
    satisfaction_rows,
    zone_scopes,
)
from servanda.specs.snapshot import content_hash
from tests import fee_base_scenario, reports_scenario
from tests.memory_reports import InMemoryReportReadModel, memory_reports
from tests.streams import small_definitions

at = reports_scenario.at


@pytest.fixture(scope="module")
def acme() -> ReportSources:
    return memory_reports().load(reports_scenario.load).sources


@pytest.fixture(scope="module")
def example() -> Definitions:
    return reports_scenario.example_definitions()


@pytest.fixture(scope="module")
def shop() -> ReportSources:
    return memory_reports().load(fee_base_scenario.load).sources


def rows(report, key: str) -> list[tuple[str | None, int, int]]:
    return [(r.service, r.met, r.breached) for r in report.rows if r.objective_key == key]


# ------------------------------------------------------------------ compliance
def test_an_item_counts_in_the_month_it_concluded_in_the_customers_zone(acme) -> None:
    march = compliance_report(acme, "2026-03", customer="acme")
    april = compliance_report(acme, "2026-04", customer="acme")
    # T2 breached at 2026-03-31T23:30:01Z: already April in Berlin
    assert rows(march, "gold/resolution-1") == [("email", 0, 1), ("network", 1, 0)]
    assert rows(april, "gold/resolution-1") == [("email", 0, 1)]
    (email,) = [r for r in april.rows if r.objective_key == "gold/resolution-1"]
    assert (email.previous_met, email.previous_breached) == (0, 1)  # March's T4


def test_a_row_carries_its_objectives_goal_its_items_target_and_the_zone_it_was_cut_in(
    acme,
) -> None:
    report = compliance_report(acme, "2026-03", customer="acme")
    (network,) = [
        r for r in report.rows if r.objective_key == "gold/resolution-1" and r.service == "network"
    ]
    assert (network.goal, network.target_seconds, network.timezone) == (
        Decimal("0.98"),
        4 * 3600,
        "Europe/Berlin",
    )
    assert (report.period, report.title, report.revision_id) == ("2026-03", "March 2026", 1)


def test_the_trend_holds_every_period_asked_for_and_not_the_one_before(acme) -> None:
    report = compliance_report(acme, "2026-04", customer="acme", periods=2)
    trend = [
        (p.period, p.service, p.met, p.breached)
        for p in report.trend
        if p.objective_key == "gold/resolution-1"
    ]
    assert trend == [
        ("2026-03", "email", 0, 1),
        ("2026-03", "network", 1, 0),
        ("2026-04", "email", 0, 1),
    ]
    single = compliance_report(acme, "2026-04", customer="acme")
    assert {p.period for p in single.trend} == {"2026-04"}


def test_satisfaction_is_the_mean_rating_per_customer_and_service(acme) -> None:
    report = compliance_report(acme, "2026-03", customer="acme")
    assert [(s.objective_key, s.service, s.ratings, s.rating_sum) for s in report.satisfaction] == [
        ("corporate-standard/satisfaction-1", "email", 1, Decimal(3)),
        ("corporate-standard/satisfaction-1", "network", 1, Decimal(5)),
    ]
    # narrowed to one agreement, ratings (which belong to no agreement's items) are left out
    assert compliance_report(acme, "2026-03", customer="acme", agreement="gold").satisfaction == ()


def test_a_narrowed_report_keeps_only_the_service_and_agreement_asked_for(acme) -> None:
    network = compliance_report(acme, "2026-03", customer="acme", service="network")
    gold = compliance_report(acme, "2026-03", customer="acme", agreement="gold-network")
    assert {r.service for r in network.rows} == {"network"}
    assert gold.rows == ()


def test_a_provider_wide_report_cuts_each_customer_in_its_own_zone(shop) -> None:
    report = compliance_report(shop, "2026-03")
    assert {(r.customer, r.timezone) for r in report.rows} == {("shop", "America/New_York")}
    assert rows(report, "shop-deal/email-fix") == [("email", 1, 1)]


def test_ratings_count_for_the_satisfaction_objective_precedence_picks(example) -> None:
    definitions = example
    period = parse_period("2026-03", "America/New_York")
    ratings = [
        RatingCount(1, "globex", "email", Decimal(4), 2),  # globex-email's own objective
        RatingCount(0, "globex", "email", Decimal(5), 1),  # the period before
        RatingCount(1, "globex", "network", Decimal(3), 1),  # the house objective
    ]
    found = satisfaction_rows(definitions, ratings, period)
    assert [
        (s.objective_key, s.service, s.ratings, s.rating_sum, s.previous_ratings, s.target)
        for s in found
    ] == [
        ("corporate-standard/satisfaction-1", "network", 1, Decimal(3), 0, Decimal("4.0")),
        ("globex-email/satisfaction-1", "email", 2, Decimal(8), 1, Decimal("4.6")),
    ]
    assert found[1].previous_rating_sum == Decimal(5)


# ------------------------------------------------------------------ which definitions, which zones
def store_with_revisions(*effective: str) -> InMemoryStore:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        for number, day in enumerate(effective, start=1):
            definitions = small_definitions(resolution_hours=number)
            uow.revisions.add(
                definitions,
                content_hash=content_hash(definitions),
                effective_from=at(day),
                applied_at=at("2026-01-01T00:00:00"),
                comment=str(number),
                sources={},
            )
        uow.commit()
    return store


def test_a_period_is_reported_under_the_newest_revision_in_force_by_its_end() -> None:
    store = store_with_revisions(
        "2026-01-01T00:00:00", "2026-04-01T00:00:00", "2026-03-15T00:00:00"
    )
    sources = ReportSources(store.unit_of_work, InMemoryReportReadModel(store))
    chosen = {
        label: load_definitions(sources, parse_period(label, "UTC"))[0]
        for label in ("2025-06", "2026-02", "2026-03", "2026-04")
    }
    # before every revision: the oldest; March: the one effective mid-March, not April's
    assert chosen == {"2025-06": 1, "2026-02": 1, "2026-03": 3, "2026-04": 2}


def test_a_pending_revision_takes_part_in_choosing_as_if_it_were_stored() -> None:
    store = store_with_revisions("2026-01-01T00:00:00")
    draft = small_definitions(resolution_hours=7)
    pending = PendingRevision(RevisionSummary(2, "", at("2026-03-10T00:00:00"), 0, ""), draft)
    sources = ReportSources(store.unit_of_work, InMemoryReportReadModel(store), pending=pending)
    assert load_definitions(sources, parse_period("2026-03", "UTC")) == (2, draft)
    assert load_definitions(sources, parse_period("2026-02", "UTC"))[0] == 1


def test_reporting_without_definitions_says_to_apply_them() -> None:
    store = InMemoryStore()
    sources = ReportSources(store.unit_of_work, InMemoryReportReadModel(store))
    with pytest.raises(NotFoundError, match="definitions apply"):
        compliance_report(sources, "2026-03")


def test_one_scope_per_reporting_zone_and_the_providers_takes_unknown_customers(example) -> None:
    definitions = example
    assert zone_scopes(definitions, None, "email", None) == [
        ("America/New_York", Scope(customers=("globex", "initech"), service="email")),
        ("Europe/Berlin", Scope(exclude_customers=("globex", "initech"), service="email")),
    ]
    assert zone_scopes(definitions, None, None, "gold", skipped=("globex", "acme")) == [
        ("America/New_York", Scope(customers=("initech",), agreement="gold")),
        ("Europe/Berlin", Scope(exclude_customers=("acme", "globex", "initech"), agreement="gold")),
    ]
    assert zone_scopes(definitions, "globex", None, None) == [
        ("America/New_York", Scope(customers=("globex",)))
    ]
    assert zone_scopes(definitions, "stranger", None, None) == [
        ("Europe/Berlin", Scope(customers=("stranger",)))
    ]


# ------------------------------------------------------------------ availability
def test_availability_merges_outages_weighs_partial_ones_and_excludes_maintenance(acme) -> None:
    (row,) = availability_report(acme, "2026-03", customer="acme", service="network").rows
    assert row.figure.objective_key == "gold-network/availability-1"  # ACME is gold
    assert row.figure.measured.covered_seconds == 2_667_600
    assert row.figure.measured.downtime_seconds == Decimal(3150)
    assert row.figure.availability == 1 - Decimal(3150) / Decimal(2_667_600)
    assert [o.id for o in row.outages] == ["o1", "o2", "m1"]
    assert (row.start, row.end, row.timezone) == (
        at("2026-02-28T23:00:00"),
        at("2026-03-31T22:00:00"),
        "Europe/Berlin",
    )


def test_a_service_wide_report_has_one_row_per_service_under_the_service_agreement(acme) -> None:
    report = availability_report(acme, "2026-03")
    assert [(r.figure.objective_key, r.figure.customer) for r in report.rows] == [
        ("email-service/availability-1", None),
        ("network-service/availability-1", None),
    ]


def test_a_customer_with_a_scoped_outage_gets_its_own_row_cut_in_its_zone(shop) -> None:
    report = availability_report(shop, "2026-03")
    found = [
        (r.figure.objective_key, r.figure.customer, r.timezone, r.figure.availability)
        for r in report.rows
    ]
    assert found == [
        (
            "hosting-service/availability-1",
            None,
            "Europe/Berlin",
            1 - Decimal(3600) / Decimal(fee_base_scenario.NEW_YORK_MARCH_SECONDS),
        ),
        (
            "shop-deal/hosting-up",
            "shop",
            "America/New_York",
            fee_base_scenario.HOSTING_AVAILABILITY,
        ),
    ]
    service_wide = report.rows[0]
    assert [o.id for o in service_wide.outages] == ["h1"]  # Shop's own outage is not everyone's


def test_a_service_without_an_availability_objective_has_no_row(shop) -> None:
    definitions = load_definitions(shop, parse_period("2026-03", "UTC"))[1]
    period = parse_period("2026-03", "America/New_York")
    assert availability_row(definitions, "email", "shop", period, []) is None
    assert availability_report(shop, "2026-03", customer="shop", service="email").rows == ()
    measured = availability_row(definitions, "hosting", "shop", period, [])
    assert measured is not None
    assert measured.figure.availability == 1


def test_a_customers_report_covers_the_services_it_pays_for_as_it_sees_them(acme) -> None:
    report = availability_report(acme, "2026-03", customer="acme")
    # ACME pays for email, network and workplace; workplace has no availability objective
    assert [(r.figure.service, r.figure.objective_key, r.figure.customer) for r in report.rows] == [
        ("email", "email-service/availability-1", "acme"),
        ("network", "gold-network/availability-1", "acme"),
    ]
