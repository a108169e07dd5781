import base64
from decimal import Decimal

from servanda.reporting.charts import period_label, trend_chart


def test_month_periods_are_labelled_by_month_with_the_year_under_the_first_and_january() -> None:
    assert period_label("2026-03", first=False) == "Mar"
    assert period_label("2025-11", first=True) == "Nov\n2025"
    assert period_label("2026-01", first=False) == "Jan\n2026"


def test_quarters_and_ranges_keep_their_own_label() -> None:
    assert period_label("2026-Q1", first=True) == "2026-Q1"
    assert period_label("2026", first=False) == "2026"


def _svg_text(uri: str) -> str:
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_a_trend_shorter_than_its_slots_marks_the_missing_months_not_in_force() -> None:
    short = _svg_text(
        trend_chart([("2026-02", Decimal("0.9")), ("2026-03", None)], Decimal("0.95"))
    )
    full = _svg_text(trend_chart([(f"2025-{m:02}", Decimal(1)) for m in range(7, 13)], None))
    assert "not in force" in short
    assert "no items" in short
    assert "goal" in short
    assert "not in force" not in full
