"""Credit statements over the in-memory storage: applicable objectives, levels, fee bases and caps.

Figures: ``tests.reports_scenario`` (ACME, EUR 4,100 of credits in March 2026) and
``tests.fee_base_scenario`` (Shop, a 10 % cap on the fees of the missed objectives' services).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from servanda.domain.agreements import Definitions
from servanda.domain.credits import LineKind
from servanda.domain.errors import NotFoundError
from servanda.domain.money import Money
from servanda.domain.periods import parse_period
from servanda.services.credit_reports import (
    applicable_objectives,
    credits_report,
    customer_services,
    customer_statement,
    overlaps,
)
from servanda.services.reports import ReportSources, load_definitions
from tests import fee_base_scenario, reports_scenario, two_services_scenario
from tests.memory_reports import memory_reports


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.fixture(scope="module")
def acme() -> ReportSources:
    return memory_reports().load(reports_scenario.load).sources


@pytest.fixture(scope="module")
def shop() -> ReportSources:
    return memory_reports().load(fee_base_scenario.load).sources


@pytest.fixture(scope="module")
def example() -> Definitions:
    return reports_scenario.example_definitions()


def test_each_missed_objective_earns_the_band_it_reached_as_a_share_of_its_fees(acme) -> None:
    (statement,) = credits_report(acme, "2026-03", customer="acme").statements
    credits = sorted(
        (line.objective_key, line.amount.rounded())
        for line in statement.lines
        if line.kind is LineKind.CREDIT
    )
    assert credits == [
        ("gold-network/availability-1", eur("1250.00")),  # 25 % of network's EUR 5,000
        ("gold/resolution-1", eur("2850.00")),  # 15 % of all ACME's fees, EUR 19,000
    ]
    assert statement.credits("EUR") == eur("4100.00")
    assert statement.adjustments == ()


def test_a_cap_takes_back_what_exceeds_its_share_of_the_capped_lines_fees(shop) -> None:
    (statement,) = credits_report(shop, "2026-03", customer="shop").statements
    lines = [(line.kind, line.objective_key, line.amount.rounded()) for line in statement.lines]
    assert (LineKind.CREDIT, "shop-deal/hosting-up", eur("300.00")) in lines
    assert (LineKind.CREDIT, "shop-deal/email-fix", eur("200.00")) in lines
    (cap,) = [line for line in statement.lines if line.kind is LineKind.CREDIT_CAP]
    assert cap.amount.rounded() == eur("-100.00")
    assert cap.fee_base.services == ("email", "hosting")  # backup widens no cap
    assert statement.own_net("EUR").rounded() == eur("400.00")


def test_levels_are_attainment_lowest_availability_and_mean_rating(acme, example) -> None:
    figures = customer_statement(acme, example, "acme", "2026-03", revision_id=1)
    levels = {key: (level.level, level.basis) for key, level in figures.levels.items()}
    assert levels["gold/resolution-1"] == (Decimal("0.5"), "1 met, 1 breached")
    assert levels["corporate-standard/satisfaction-1"] == (Decimal(4), "2 rated tickets")
    assert levels["gold-network/availability-1"] == (
        1 - Decimal(3150) / Decimal(2_667_600),
        "lowest availability of its services",
    )
    assert levels["gold/first_response-2"] == (None, "0 met, 0 breached")
    assert set(levels) == {f"{a.id}/{o.id}" for a, o in figures.applicable}


def test_an_objective_applies_once_its_agreement_is_in_force_for_one_of_the_services(
    example,
) -> None:
    february = {
        f"{a.id}/{o.id}" for a, o in applicable_objectives(example, "globex", date(2026, 2, 28))
    }
    march = {
        f"{a.id}/{o.id}" for a, o in applicable_objectives(example, "globex", date(2026, 3, 31))
    }
    assert "globex-email/resolution-1" not in february  # effective from 2026-03-01
    assert {"globex-email/resolution-1", "globex-email/satisfaction-1"} <= march
    # globex buys email and network, never workplace
    assert not any(key.startswith("workplace-service/") for key in march)
    # precedence: globex's own P2 resolution replaces the house one
    assert "globex-tailored/resolution-1" in march
    assert "corporate-standard/resolution-2" not in march


def test_a_customer_without_fees_is_measured_on_every_service(example) -> None:
    assert customer_services(example, "globex") == ["email", "network"]
    free = replace(example.customers["hooli"], fees=())
    definitions = replace(example, customers={**example.customers, "hooli": free})
    assert customer_services(definitions, "hooli") == ["email", "network", "workplace"]


def test_an_agreement_overlaps_a_period_when_in_force_on_one_of_its_days(example) -> None:
    (globex_email,) = [a for a in example.agreements if a.id == "globex-email"]
    february = parse_period("2026-02", "America/New_York")
    march = parse_period("2026-03", "America/New_York")
    assert not overlaps(globex_email, february)
    assert overlaps(globex_email, march)
    ended = replace(globex_email, effective_from=date(2026, 1, 1), effective_to=date(2026, 2, 1))
    assert overlaps(ended, february)
    assert not overlaps(ended, march)


def test_a_provider_wide_report_has_one_statement_per_customer_in_name_order(acme) -> None:
    report = credits_report(acme, "2026-03")
    assert [s.customer for s in report.statements] == [
        "acme",
        "globex",
        "hooli",
        "initech",
        "umbrella",
    ]
    assert (report.period, report.revision_id, report.closed) == ("2026-03", 1, ())


def test_a_statement_for_a_customer_the_definitions_do_not_name_is_refused(acme) -> None:
    revision_id, definitions = load_definitions(acme, parse_period("2026-03", "UTC"))
    with pytest.raises(NotFoundError, match="'nobody'"):
        customer_statement(acme, definitions, "nobody", "2026-03", revision_id=revision_id)


def test_an_availability_objective_of_several_services_is_at_its_lowest_one() -> None:
    duo = memory_reports().load(two_services_scenario.load).sources
    revision_id, definitions = load_definitions(duo, parse_period("2026-03", "UTC"))
    figures = customer_statement(duo, definitions, "duo", "2026-03", revision_id=revision_id)
    assert figures.levels["house/up"].level == two_services_scenario.WEB_AVAILABILITY
    (credit,) = [line for line in figures.statement.lines if line.kind is LineKind.CREDIT]
    assert credit.amount.rounded() == eur("200.00")
    assert credit.fee_base.services == ("mail", "web")
