"""The monthly customer report over the in-memory storage (ACME, March 2026: tests.reports_scenario)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from servanda.domain.agreements import Condition, Metric, Objective
from servanda.domain.compliance import Status
from servanda.domain.errors import NotFoundError
from servanda.services.credit_reports import credits_report
from servanda.services.customer_report import CustomerReport, customer_report, describe_target
from servanda.services.reports import ReportSources
from tests import reports_scenario, two_services_scenario
from tests.memory_reports import memory_reports

at = reports_scenario.at


@pytest.fixture(scope="module")
def sources() -> ReportSources:
    return memory_reports().load(reports_scenario.load).sources


@pytest.fixture(scope="module")
def march(sources) -> CustomerReport:
    return customer_report(sources, "acme", "2026-03")


def test_every_objective_that_applies_to_the_customer_is_one_result_in_definitions_order(
    march,
) -> None:
    results = [(r.objective_key, r.status) for r in march.results]
    assert results == [
        ("corporate-standard/first_response-2", Status.NO_ITEMS),
        ("corporate-standard/next_response-1", Status.NO_ITEMS),
        ("corporate-standard/resolution-2", Status.NO_ITEMS),
        ("corporate-standard/resolution-3", Status.NO_ITEMS),
        ("corporate-standard/satisfaction-1", Status.PASS),  # mean 4 against 4.0
        ("gold/first_response-1", Status.PASS),
        ("gold/first_response-2", Status.NO_ITEMS),
        ("gold/resolution-1", Status.FAIL),  # 50 % against 98 %
        ("gold-network/availability-1", Status.FAIL),  # 99.88 % against 99.99 %
        ("email-service/availability-1", Status.PASS),
        ("workplace-service/first_response-1", Status.NO_ITEMS),
        ("workplace-service/resolution-1", Status.NO_ITEMS),
    ]
    # the cover counts the same rows: objectives without items are neither met nor missed
    assert (march.objectives_met, march.objectives_judged) == (3, 5)


def test_a_result_is_the_level_the_credit_statement_used(march, sources) -> None:
    by_key = {r.objective_key: r for r in march.results}
    resolution = by_key["gold/resolution-1"]
    assert (resolution.level, resolution.met, resolution.breached) == (Decimal("0.5"), 1, 1)
    assert (resolution.scope, resolution.target, resolution.goal) == (
        "priority in {P1}",
        "4h on 24x7",
        Decimal("0.98"),
    )
    network = by_key["gold-network/availability-1"]
    assert (network.scope, network.target) == ("service network", "99.99% on 24x7")
    assert network.level == 1 - Decimal(3150) / Decimal(2_667_600)
    satisfaction = by_key["corporate-standard/satisfaction-1"]
    assert (satisfaction.level, satisfaction.ratings, satisfaction.target) == (
        Decimal(4),
        2,
        "mean rating ≥ 4.0",
    )
    (statement,) = credits_report(sources, "2026-03", customer="acme").statements
    assert march.statement == statement


def test_the_trend_shows_only_periods_in_which_the_agreement_was_in_force(march) -> None:
    (gold,) = [o for o in march.objectives if o.objective_key == "gold/resolution-1"]
    # six periods end with March 2026; the gold agreement is in force from 2026-01-01
    assert gold.trend == (("2026-01", None), ("2026-02", None), ("2026-03", Decimal("0.5")))
    assert gold.has_history
    assert all(o.metric.is_ticket_clock for o in march.objectives)


def test_the_change_is_the_attainment_less_the_previous_periods(sources) -> None:
    april = customer_report(sources, "acme", "2026-04")
    (gold,) = [o for o in april.objectives if o.objective_key == "gold/resolution-1"]
    assert (gold.met, gold.breached, gold.previous) == (0, 1, Decimal("0.5"))
    assert gold.change == Decimal("-0.5")
    assert gold.status is Status.FAIL


def test_breaches_drill_down_to_their_tickets_events(march) -> None:
    assert [(b.ticket, b.objective_key, b.breached_at) for b in march.breaches] == [
        ("T4", "gold/resolution-1", at("2026-03-05T14:00:01"))
    ]
    assert march.breach_count == 1
    (trail,) = march.trails
    assert trail.ticket == "T4"
    assert [e.type for e in trail.events] == ["created", "responded", "resolved", "rated"]


def test_the_report_is_cut_in_the_customers_zone_and_names_its_agreements(march) -> None:
    assert (march.period, march.timezone, march.start, march.end) == (
        "2026-03",
        "Europe/Berlin",
        at("2026-02-28T23:00:00"),
        at("2026-03-31T22:00:00"),
    )
    assert [a.agreement.id for a in march.agreements] == [
        "corporate-standard",
        "gold",
        "gold-network",
        "email-service",
        "workplace-service",
    ]
    assert march.next_review == date(2026, 7, 1)  # gold and email-service: every 6 months
    assert (march.customer.name, march.provider) == ("ACME GmbH", "Northwind Managed Services")
    assert march.closed is None


def test_a_customer_the_definitions_do_not_name_has_no_report(sources) -> None:
    with pytest.raises(NotFoundError, match="'nobody' is not in the definitions"):
        customer_report(sources, "nobody", "2026-03")


def test_targets_read_as_people_write_them() -> None:
    fix = Objective("fix", Metric.RESOLUTION, target_seconds=9000, calendar="office")
    p1 = (Condition("priority", frozenset({"P1"})),)
    up = Objective("up", Metric.AVAILABILITY, p1, target_value=Decimal("0.9995"))
    happy = Objective("happy", Metric.SATISFACTION, target_value=Decimal("4.5"))
    assert describe_target(fix) == "2h30m on office"
    assert describe_target(fix, target_seconds=3600) == "1h on office"  # the items' own target
    assert describe_target(up) == "99.95% on 24x7"
    assert describe_target(happy) == "mean rating ≥ 4.5"


def test_an_availability_result_names_every_service_it_is_measured_for() -> None:
    duo = memory_reports().load(two_services_scenario.load).sources
    (result,) = customer_report(duo, "duo", "2026-03").results
    assert (result.scope, result.level, result.status) == (
        "services mail, web",
        two_services_scenario.WEB_AVAILABILITY,
        Status.FAIL,
    )
