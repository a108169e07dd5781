from decimal import Decimal

import pytest

from servanda.domain.agreements import (
    Agreement,
    BonusBand,
    Condition,
    CreditBand,
    CreditPolicy,
    CreditSchedule,
    Customer,
    Fee,
    Level,
    Metric,
    Objective,
)
from servanda.domain.credits import (
    CreditStatement,
    FeeBase,
    LineKind,
    ObjectiveLevel,
    ServiceFee,
    StatementLine,
    adjustment_line,
    credit_statement,
    fee_bases,
    objective_services,
)
from servanda.domain.money import Money

D = Decimal
EMAIL_AVAILABILITY = CreditSchedule(
    Metric.AVAILABILITY,
    (
        CreditBand(D("0.999"), D("0.10")),
        CreditBand(D("0.99"), D("0.25")),
        CreditBand(D("0.95"), D(1)),
    ),
)
CUSTOMER = Customer(
    "acme", "ACME GmbH", fees=(Fee("email", D(2000), "EUR"), Fee("network", D(5000), "EUR"))
)


def agreement(
    policy: CreditPolicy, *objectives: Objective, services: tuple[str, ...] = ("email",)
) -> Agreement:
    return Agreement(
        "email-service",
        Level.SERVICE,
        "Email",
        objectives,
        services=frozenset(services),
        credits=policy,
    )


def availability_objective(id_: str = "availability") -> Objective:
    return Objective(id_, Metric.AVAILABILITY, target_value=D("0.999"))


def level(key: str, metric: Metric, value: str | None) -> ObjectiveLevel:
    return ObjectiveLevel(key, metric, None if value is None else D(value))


def test_the_lowest_band_reached_applies_to_the_fee_of_the_covered_service():
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,)), availability_objective())
    levels = {
        "email-service/availability": level(
            "email-service/availability", Metric.AVAILABILITY, "0.985"
        )
    }
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    (line,) = statement.lines
    assert (line.kind, line.rate, line.threshold) == (LineKind.CREDIT, D("0.25"), D("0.99"))
    assert line.fee == Money(D(2000), "EUR")  # email only, not the network fee
    assert statement.credits("EUR") == Money(D("500.00"), "EUR")
    assert "98.5% is below 99%: 25% of EUR 2,000.00 (email)" in line.reason


def test_a_level_at_the_threshold_is_not_below_it():
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,)), availability_objective())
    levels = {
        "email-service/availability": level(
            "email-service/availability", Metric.AVAILABILITY, "0.999"
        )
    }
    (line,) = credit_statement(CUSTOMER, [deal], levels, "2026-03").lines
    assert line.kind is LineKind.NONE
    assert line.amount == Money(D(0), "EUR")


def test_no_items_means_no_credit_and_says_so():
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,)), availability_objective())
    levels = {
        "email-service/availability": level("email-service/availability", Metric.AVAILABILITY, None)
    }
    (line,) = credit_statement(CUSTOMER, [deal], levels, "2026-03").lines
    assert line.kind is LineKind.NONE
    assert (
        line.reason
        == "availability: no items in the period, so no credit; fee base EUR 2,000.00 (email)"
    )


def test_objectives_that_do_not_apply_to_the_customer_get_no_line():
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,)), availability_objective())
    assert credit_statement(CUSTOMER, [deal], {}, "2026-03").lines == ()


def test_the_cap_takes_back_what_exceeds_its_share_of_the_fee():
    # Two resolution objectives at 85 % each earn 20 % of EUR 2,000 = 400 each; the cap is 25 % = 500.
    schedule = CreditSchedule(
        Metric.RESOLUTION, (CreditBand(D("0.95"), D("0.10")), CreditBand(D("0.90"), D("0.20")))
    )
    objectives = (Objective("p1", Metric.RESOLUTION), Objective("p2", Metric.RESOLUTION))
    deal = agreement(CreditPolicy((schedule,), cap=D("0.25")), *objectives)
    levels = {
        f"email-service/{o.id}": level(f"email-service/{o.id}", Metric.RESOLUTION, "0.85")
        for o in objectives
    }
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    assert [line.kind for line in statement.lines] == [
        LineKind.CREDIT,
        LineKind.CREDIT,
        LineKind.CREDIT_CAP,
    ]
    assert statement.lines[-1].amount == Money(D(-300), "EUR")
    assert statement.credits("EUR") == Money(D("500.00"), "EUR")


def test_bonuses_take_the_highest_band_reached_and_are_capped():
    bonus = (
        BonusBand(Metric.AVAILABILITY, D("0.9995"), D("0.02")),
        BonusBand(Metric.AVAILABILITY, D("0.9999"), D("0.03")),
    )
    deal = agreement(
        CreditPolicy((EMAIL_AVAILABILITY,), bonus, bonus_cap=D("0.025")), availability_objective()
    )
    levels = {
        "email-service/availability": level("email-service/availability", Metric.AVAILABILITY, "1")
    }
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    assert [line.kind for line in statement.lines] == [LineKind.BONUS, LineKind.BONUS_CAP]
    assert statement.lines[0].amount == Money(D("60.00"), "EUR")  # 3 % of 2,000
    assert statement.bonuses("EUR") == Money(D("50.00"), "EUR")  # capped at 2.5 %
    assert statement.credits("EUR") == Money(D("0.00"), "EUR")
    assert statement.net("EUR") == Money(D("-50.00"), "EUR")


def test_satisfaction_credits_compare_the_mean_rating():
    schedule = CreditSchedule(Metric.SATISFACTION, (CreditBand(D("4.0"), D("0.05")),))
    deal = agreement(
        CreditPolicy((schedule,)), Objective("sat", Metric.SATISFACTION, target_value=D("4.6"))
    )
    levels = {"email-service/sat": level("email-service/sat", Metric.SATISFACTION, "3.75")}
    (line,) = credit_statement(CUSTOMER, [deal], levels, "2026-03").lines
    assert line.amount == Money(D("100.00"), "EUR")
    assert line.reason == "satisfaction 3.75 is below 4: 5% of EUR 2,000.00 (email)"


@pytest.mark.parametrize(
    ("policy", "rating", "reason"),
    [
        (
            CreditPolicy((CreditSchedule(Metric.SATISFACTION, (CreditBand(D(4), D("0.05")),)),)),
            "4.25",
            "satisfaction 4.25 reached no credit band; fee base EUR 2,000.00 (email)",
        ),
        (
            CreditPolicy((), (BonusBand(Metric.SATISFACTION, D("4.5"), D("0.01")),)),
            "4.25",
            "satisfaction 4.25: no bonus reached; fee base EUR 2,000.00 (email)",
        ),
        (
            CreditPolicy((), (BonusBand(Metric.SATISFACTION, D("4.5"), D("0.01")),)),
            "4.75",
            "satisfaction 4.75 reached 4.5: bonus of 1% of EUR 2,000.00 (email)",
        ),
    ],
)
def test_satisfaction_lines_show_mean_ratings_not_percentages(policy, rating, reason):
    deal = agreement(policy, Objective("sat", Metric.SATISFACTION, target_value=D("4.6")))
    levels = {"email-service/sat": level("email-service/sat", Metric.SATISFACTION, rating)}
    (line,) = credit_statement(CUSTOMER, [deal], levels, "2026-03").lines
    assert line.reason == reason


def test_the_total_is_rounded_once_from_the_exact_sum_not_from_rounded_lines():
    # Each line is 5 % of EUR 333.33 = 16.6665 (shown 16.67); two lines are 33.333 -> 33.33, not 33.34.
    customer = Customer("tiny", "Tiny", fees=(Fee("email", D("333.33"), "EUR"),))
    schedule = CreditSchedule(Metric.RESOLUTION, (CreditBand(D("0.95"), D("0.05")),))
    objectives = (Objective("a", Metric.RESOLUTION), Objective("b", Metric.RESOLUTION))
    deal = agreement(CreditPolicy((schedule,)), *objectives)
    levels = {
        f"email-service/{o.id}": level(f"email-service/{o.id}", Metric.RESOLUTION, "0.5")
        for o in objectives
    }
    statement = credit_statement(customer, [deal], levels, "2026-03")
    assert [line.amount.rounded().amount for line in statement.lines] == [D("16.67"), D("16.67")]
    assert statement.credits("EUR").amount == D("33.33")


def test_an_objective_of_an_agreement_without_services_covers_every_fee_per_currency():
    customer = Customer(
        "mixed",
        "Mixed",
        fees=(Fee("email", D(100), "EUR"), Fee("network", D(200), "EUR"), Fee("x", D(50), "USD")),
    )
    deal = Agreement("gold", Level.CUSTOMER, "Gold", ())
    bases = fee_bases(customer, objective_services(deal, Objective("r", Metric.RESOLUTION)))
    assert bases == (
        FeeBase(
            "EUR",
            (
                ServiceFee("email", Money(D(100), "EUR")),
                ServiceFee("network", Money(D(200), "EUR")),
            ),
        ),
        FeeBase("USD", (ServiceFee("x", Money(D(50), "USD")),)),
    )
    assert [base.total for base in bases] == [Money(D(300), "EUR"), Money(D(50), "USD")]


def on_service(*services: str) -> tuple[Condition, ...]:
    return (Condition("service", frozenset(services)),)


SHOP = Customer(
    "shop",
    "Shop",
    fees=(
        Fee("backup", D(2000), "EUR"),
        Fee("email", D(1000), "EUR"),
        Fee("hosting", D(3000), "EUR"),
    ),
)
HOSTING_UP = Objective(
    "hosting-up", Metric.AVAILABILITY, on_service("hosting"), target_value=D("0.999")
)
EMAIL_FIX = Objective("email-fix", Metric.RESOLUTION, on_service("email"), target_seconds=14400)
DOWN = CreditSchedule(Metric.AVAILABILITY, (CreditBand(D("0.999"), D("0.10")),))
SLOW = CreditSchedule(Metric.RESOLUTION, (CreditBand(D("0.90"), D("0.20")),))


def shop_deal(policy: CreditPolicy, *objectives: Objective, services: tuple[str, ...] = ()):
    return Agreement(
        "shop-deal",
        Level.CUSTOMER,
        "Shop",
        objectives,
        customers=frozenset({"shop"}),
        services=frozenset(services),
        credits=policy,
    )


def missed(*objectives: Objective) -> dict[str, ObjectiveLevel]:
    return {f"shop-deal/{o.id}": level(f"shop-deal/{o.id}", o.metric, "0.5") for o in objectives}


def test_a_credit_is_a_share_of_the_fees_of_the_services_the_objective_names_in_when():
    deal = shop_deal(CreditPolicy((DOWN,)), HOSTING_UP)
    (line,) = credit_statement(SHOP, [deal], missed(HOSTING_UP), "2026-03").lines
    assert line.fee_base.services == ("hosting",)
    assert line.amount == Money(D(300), "EUR")  # 10 % of hosting's 3,000, not of all 6,000
    assert line.reason.endswith("10% of EUR 3,000.00 (hosting)")


def test_the_objectives_when_service_narrows_the_agreements_services():
    both = Objective("both", Metric.AVAILABILITY, on_service("hosting", "backup"))
    deal = shop_deal(CreditPolicy((DOWN,)), both, services=("hosting", "email"))
    assert objective_services(deal, both) == frozenset({"hosting"})
    (line,) = credit_statement(SHOP, [deal], missed(both), "2026-03").lines
    assert line.fee_base.services == ("hosting",)


def test_an_objective_for_a_service_the_customer_pays_nothing_for_gets_no_line():
    elsewhere = Objective("dns-up", Metric.AVAILABILITY, on_service("dns"))
    deal = shop_deal(CreditPolicy((DOWN,)), elsewhere)
    assert credit_statement(SHOP, [deal], missed(elsewhere), "2026-03").lines == ()


def test_the_cap_is_a_share_of_the_union_of_the_fee_bases_of_the_credits_it_caps():
    # 10 % of hosting (300) + 20 % of email (200) = 500; cap 10 % of 3,000 + 1,000 = 400.
    deal = shop_deal(CreditPolicy((DOWN, SLOW), cap=D("0.10")), HOSTING_UP, EMAIL_FIX)
    statement = credit_statement(SHOP, [deal], missed(HOSTING_UP, EMAIL_FIX), "2026-03")
    *_, cap = statement.lines
    assert cap.kind is LineKind.CREDIT_CAP
    assert cap.fee_base.services == ("email", "hosting")  # not backup: no credit was earned on it
    assert cap.amount == Money(D(-100), "EUR")
    assert cap.reason == (
        "credits of shop-deal capped at 10% of EUR 4,000.00 (email 1,000.00 + hosting 3,000.00)"
        " = EUR 400.00; EUR 500.00 reduced"
    )
    assert statement.credits("EUR") == Money(D("400.00"), "EUR")


def test_a_service_in_two_capped_lines_counts_once_in_the_cap():
    # Two objectives on hosting earn 10 % + 20 % of 3,000 = 900; the cap is 25 % of 3,000 = 750.
    hosting_fix = Objective("hosting-fix", Metric.RESOLUTION, on_service("hosting"))
    deal = shop_deal(CreditPolicy((DOWN, SLOW), cap=D("0.25")), HOSTING_UP, hosting_fix)
    statement = credit_statement(SHOP, [deal], missed(HOSTING_UP, hosting_fix), "2026-03")
    assert statement.lines[-1].fee_base.total == Money(D(3000), "EUR")
    assert statement.credits("EUR") == Money(D("750.00"), "EUR")


def test_an_objective_that_earned_no_credit_does_not_widen_the_cap():
    # email-fix met its goal: the cap is 5 % of hosting's 3,000 (150), not of 3,000 + 1,000 (200).
    deal = shop_deal(CreditPolicy((DOWN, SLOW), cap=D("0.05")), HOSTING_UP, EMAIL_FIX)
    levels = {
        **missed(HOSTING_UP),
        "shop-deal/email-fix": level("shop-deal/email-fix", Metric.RESOLUTION, "1"),
    }
    statement = credit_statement(SHOP, [deal], levels, "2026-03")
    assert [ln.kind for ln in statement.lines] == [
        LineKind.CREDIT,
        LineKind.NONE,
        LineKind.CREDIT_CAP,
    ]
    assert statement.lines[-1].fee_base.services == ("hosting",)
    assert statement.credits("EUR") == Money(D("150.00"), "EUR")  # 5 % of 3,000


def test_caps_apply_per_currency_to_that_currencys_fee_bases():
    customer = Customer(
        "global",
        "Global",
        fees=(Fee("email", D(1000), "EUR"), Fee("hosting", D(4000), "USD")),
    )
    anything = Objective("any-up", Metric.AVAILABILITY)
    deal = shop_deal(CreditPolicy((DOWN,), cap=D("0.05")), anything)
    statement = credit_statement(customer, [deal], missed(anything), "2026-03")
    assert [(ln.kind, ln.amount) for ln in statement.lines] == [
        (LineKind.CREDIT, Money(D(100), "EUR")),
        (LineKind.CREDIT_CAP, Money(D(-50), "EUR")),
        (LineKind.CREDIT, Money(D(400), "USD")),
        (LineKind.CREDIT_CAP, Money(D(-200), "USD")),
    ]


def test_a_statement_is_cut_in_the_customers_reporting_zone():
    customer = Customer("ny", "NY", reporting_timezone="America/New_York")
    assert credit_statement(customer, [], {}, "2026-03").timezone == "America/New_York"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("12.345", "EUR", "12.35"),
        ("12.5", "JPY", "13"),
        ("1.2345", "KWD", "1.235"),
        ("-2.005", "EUR", "-2.01"),
    ],
)
def test_money_rounds_half_up_to_the_currency_minor_unit(amount, currency, shown):
    assert Money(D(amount), currency).rounded().amount == D(shown)


def test_money_refuses_to_mix_currencies():
    with pytest.raises(ValueError, match="EUR with USD"):
        Money(D(1), "EUR") + Money(D(1), "USD")


EMAIL_FEE = FeeBase("EUR", (ServiceFee("email", Money(D(2000), "EUR")),))


def _levels(*items: tuple[str, Metric, str | None]) -> dict[str, ObjectiveLevel]:
    return {f"email-service/{key}": level(f"email-service/{key}", m, v) for key, m, v in items}


SATISFACTION = Objective("csat", Metric.SATISFACTION, target_value=D("4.0"))
RESOLUTION = Objective("res", Metric.RESOLUTION, target_seconds=3600, goal=D("0.9"))
BONUSES = (
    BonusBand(Metric.AVAILABILITY, D("0.9995"), D("0.05")),
    BonusBand(Metric.RESOLUTION, D("0.99"), D("0.02")),
)


def test_each_line_states_its_agreement_objective_level_band_rate_fee_amount_and_reason():
    deal = agreement(
        CreditPolicy((EMAIL_AVAILABILITY,), BONUSES), availability_objective(), RESOLUTION
    )
    levels = _levels(
        ("availability", Metric.AVAILABILITY, "0.985"), ("res", Metric.RESOLUTION, "0.995")
    )
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    assert (statement.customer, statement.period) == ("acme", "2026-03")
    assert statement.lines == (
        StatementLine(
            LineKind.CREDIT,
            "email-service",
            "email-service/availability",
            Metric.AVAILABILITY,
            D("0.985"),
            D("0.99"),
            D("0.25"),
            EMAIL_FEE,
            Money(D(500), "EUR"),
            "availability 98.5% is below 99%: 25% of EUR 2,000.00 (email)",
        ),
        StatementLine(
            LineKind.BONUS,
            "email-service",
            "email-service/res",
            Metric.RESOLUTION,
            D("0.995"),
            D("0.99"),
            D("0.02"),
            EMAIL_FEE,
            Money(D(40), "EUR"),
            "resolution 99.5% reached 99%: bonus of 2% of EUR 2,000.00 (email)",
        ),
    )
    assert statement.credits("EUR") == Money(D("500.00"), "EUR")
    assert statement.bonuses("EUR") == Money(D("40.00"), "EUR")
    assert statement.net("EUR") == Money(D("460.00"), "EUR")


def test_a_level_exactly_at_a_bonus_band_reaches_it():
    deal = agreement(CreditPolicy((), BONUSES), RESOLUTION)
    statement = credit_statement(
        CUSTOMER, [deal], _levels(("res", Metric.RESOLUTION, "0.99")), "2026-03"
    )
    (line,) = statement.lines
    assert (line.kind, line.threshold, line.amount) == (
        LineKind.BONUS,
        D("0.99"),
        Money(D(40), "EUR"),
    )


@pytest.mark.parametrize(
    ("policy", "value", "reason"),
    [
        (
            CreditPolicy((EMAIL_AVAILABILITY,)),
            "0.9995",
            "availability 99.95% reached no credit band; fee base EUR 2,000.00 (email)",
        ),
        (
            CreditPolicy((), BONUSES),
            "0.9990",
            "availability 99.9%: no bonus reached; fee base EUR 2,000.00 (email)",
        ),
        (
            CreditPolicy((EMAIL_AVAILABILITY,)),
            None,
            "availability: no items in the period, so no credit; fee base EUR 2,000.00 (email)",
        ),
    ],
)
def test_an_objective_that_earned_nothing_gets_a_zero_line_saying_why(policy, value, reason):
    deal = agreement(policy, availability_objective())
    levels = _levels(("availability", Metric.AVAILABILITY, value))
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    assert statement.lines == (
        StatementLine(
            LineKind.NONE,
            "email-service",
            "email-service/availability",
            Metric.AVAILABILITY,
            None if value is None else D(value),
            None,
            D(0),
            EMAIL_FEE,
            Money(D(0), "EUR"),
            reason,
        ),
    )
    assert statement.net("EUR") == Money(D("0.00"), "EUR")


def test_objectives_without_a_level_or_without_a_band_do_not_stop_the_ones_after_them():
    deal = agreement(
        CreditPolicy((EMAIL_AVAILABILITY,), BONUSES),
        availability_objective("unmeasured"),
        SATISFACTION,  # neither a schedule nor a bonus for satisfaction: no line
        availability_objective(),
        RESOLUTION,
    )
    levels = _levels(
        ("csat", Metric.SATISFACTION, "2.0"),
        ("availability", Metric.AVAILABILITY, "0.985"),
        ("res", Metric.RESOLUTION, "0.995"),
    )
    lines = credit_statement(CUSTOMER, [deal], levels, "2026-03").lines
    assert [(ln.kind, ln.objective_key) for ln in lines] == [
        (LineKind.CREDIT, "email-service/availability"),
        (LineKind.BONUS, "email-service/res"),
    ]


def test_every_bonus_of_an_agreement_is_listed_and_summed():
    deal = agreement(CreditPolicy((), BONUSES), availability_objective(), RESOLUTION)
    levels = _levels(("availability", Metric.AVAILABILITY, "1"), ("res", Metric.RESOLUTION, "1"))
    statement = credit_statement(CUSTOMER, [deal], levels, "2026-03")
    assert [ln.kind for ln in statement.lines] == [LineKind.BONUS, LineKind.BONUS]
    assert statement.bonuses("EUR") == Money(D("140.00"), "EUR")  # 5 % + 2 % of 2,000
    assert statement.net("EUR") == Money(D("-140.00"), "EUR")


@pytest.mark.parametrize(
    ("cap", "kind", "what"),
    [
        (CreditPolicy((EMAIL_AVAILABILITY,), cap=D("0.2")), LineKind.CREDIT_CAP, "credits"),
        (CreditPolicy((), BONUSES, bonus_cap=D("0.02")), LineKind.BONUS_CAP, "bonuses"),
    ],
)
def test_a_cap_line_takes_back_the_excess_and_says_of_what(cap, kind, what):
    deal = agreement(cap, availability_objective())
    value = "0.985" if kind is LineKind.CREDIT_CAP else "1"
    statement = credit_statement(
        CUSTOMER, [deal], _levels(("availability", Metric.AVAILABILITY, value)), "2026-03"
    )
    earned, capped = statement.lines
    limit = D(400) if kind is LineKind.CREDIT_CAP else D(40)
    share = "20%" if kind is LineKind.CREDIT_CAP else "2%"
    assert capped == StatementLine(
        kind,
        "email-service",
        None,
        None,
        None,
        cap.cap if kind is LineKind.CREDIT_CAP else cap.bonus_cap,
        cap.cap if kind is LineKind.CREDIT_CAP else cap.bonus_cap,
        EMAIL_FEE,
        Money(limit, "EUR") - earned.amount,
        f"{what} of email-service capped at {share} of EUR 2,000.00 (email) = "
        f"EUR {limit:,.2f}; {earned.amount} reduced",
    )


def test_credits_exactly_at_the_cap_get_no_cap_line():
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,), cap=D("0.25")), availability_objective())
    lines = credit_statement(
        CUSTOMER, [deal], _levels(("availability", Metric.AVAILABILITY, "0.985")), "2026-03"
    ).lines
    assert [ln.kind for ln in lines] == [LineKind.CREDIT]


def test_an_adjustment_is_a_credit_naming_the_closed_period_and_left_out_of_the_own_net():
    adjustment = adjustment_line(
        "2026-02", Money(D("-120.50"), "EUR"), EMAIL_FEE, "2 clocks re-measured"
    )
    assert adjustment == StatementLine(
        LineKind.ADJUSTMENT,
        "",
        None,
        None,
        None,
        None,
        D(0),
        EMAIL_FEE,
        Money(D("-120.50"), "EUR"),
        "adjustment after close of 2026-02: EUR -120.50 (2 clocks re-measured); "
        "fee base EUR 2,000.00 (email)",
        "2026-02",
    )
    deal = agreement(CreditPolicy((EMAIL_AVAILABILITY,)), availability_objective())
    own = credit_statement(
        CUSTOMER, [deal], _levels(("availability", Metric.AVAILABILITY, "0.985")), "2026-03"
    )
    statement = CreditStatement(own.customer, own.period, (*own.lines, adjustment), own.timezone)
    assert statement.adjustments == (adjustment,)
    assert statement.credits("EUR") == Money(D("379.50"), "EUR")
    assert statement.net("EUR") == Money(D("379.50"), "EUR")
    assert statement.own_net("EUR") == Money(D("500.00"), "EUR")


def test_totals_keep_each_currency_to_its_own_lines():
    usd = FeeBase("USD", (ServiceFee("email", Money(D(1000), "USD")),))
    lines = (
        StatementLine(
            LineKind.BONUS, "a", "a/x", Metric.RESOLUTION, D(1), D(1), D("0.1"), usd,
            Money(D(100), "USD"), "usd bonus",
        ),
        StatementLine(
            LineKind.BONUS, "a", "a/y", Metric.RESOLUTION, D(1), D(1), D("0.1"), EMAIL_FEE,
            Money(D(200), "EUR"), "eur bonus",
        ),
        StatementLine(
            LineKind.CREDIT, "a", "a/z", Metric.RESOLUTION, D(0), D(1), D("0.1"), usd,
            Money(D(30), "USD"), "usd credit",
        ),
    )  # fmt: skip
    statement = CreditStatement("acme", "2026-03", lines)
    assert statement.currencies == ("EUR", "USD")
    assert statement.bonuses("USD") == Money(D("100.00"), "USD")
    assert statement.net("USD") == Money(D("-70.00"), "USD")
    assert statement.net("EUR") == Money(D("-200.00"), "EUR")
    assert statement.own_net("USD") == Money(D("-70.00"), "USD")
