"""The customer report as one self-contained HTML document: figures, local times, escaping."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from servanda.domain.compliance import Status
from servanda.reporting.html import (
    STATUS_MARK,
    STATUS_TEXT,
    customer_report_html,
    environment,
    local_time,
)
from tests.unit.reporting.acme_march import MARKUP, acme_march


@pytest.fixture(scope="module")
def html() -> str:
    return customer_report_html(acme_march())


def test_the_title_names_the_customer_and_the_period(html: str) -> None:
    assert "<title>Service level report – ACME GmbH – March 2026</title>" in html
    assert "March 2026 · times in Europe/Berlin" in html
    assert "vs February 2026" in html


def test_instants_are_shown_in_the_reports_zone(html: str) -> None:
    # T4 breached at 14:00:01Z, 15:00 in Berlin (CET); the period ends 31 March local time.
    assert '<td class="nowrap">05 Mar 2026 15:00</td>' in html
    assert "period 01 Mar 2026 to 31 Mar 2026 (Europe/Berlin)" in html


def test_the_cover_counts_objectives_and_the_statement_owes_the_hand_computed_credit(html: str):
    assert '<div class="value">3 / 5</div><div class="label">objectives met</div>' in html
    assert (
        '<div class="value">EUR 4,100.00</div><div class="label">net service credit</div>' in html
    )
    assert "resolution 50% is below 90%: 15% of EUR 19,000.00" in html


def test_a_missed_objective_carries_a_glyph_and_a_word_not_only_a_colour(html: str) -> None:
    assert '<span class="light">✗</span>Missed' in html
    assert '<span class="light">✓</span>Met' in html


def test_the_breach_table_shows_target_actual_and_overrun(html: str) -> None:
    row = html[html.index('<td class="mono">T4</td>') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells == ["T4", "resolution", "email", "P1", "4h", "6h", "2h", "05 Mar 2026 15:00"]


def test_text_from_events_is_escaped(html: str) -> None:
    assert MARKUP not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_document_fetches_nothing_from_the_network(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", html)
    assert re.search(r'url\("file://[^"]+/DejaVuSans\.ttf"\)', html)
    assert "<link" not in html  # the stylesheet is inlined


def test_local_time_uses_the_zone_and_its_daylight_saving_offset() -> None:
    winter = 1_772_366_400  # 2026-03-01T12:00:00Z
    summer = 1_775_044_800  # 2026-04-01T12:00:00Z
    assert local_time(winter, "Europe/Berlin") == "01 Mar 2026 13:00"
    assert local_time(summer, "Europe/Berlin") == "01 Apr 2026 14:00"
    assert local_time(summer, "America/New_York", "%Y-%m-%d %H:%M") == "2026-04-01 08:00"
    assert local_time(None, "Europe/Berlin") == "–"


def test_every_status_has_a_word_and_a_glyph() -> None:
    assert set(STATUS_TEXT) == set(Status)
    assert all(STATUS_MARK[status.value] for status in Status)


def test_the_filters_write_amounts_ratings_and_unknown_statuses() -> None:
    env = environment()
    render = env.from_string(
        "{{ a | amount }} | {{ r | rating }} | [{{ s | status_mark }}] | {{ p | percent }}"
    ).render
    assert render(a="1234.5", r=Decimal("4.25"), s="gone", p=Decimal("0.99955")) == (
        "1,234.50 | 4.25 | [] | 99.96%"
    )


def test_an_undefined_name_in_a_template_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(Exception, match="undefined"):
        environment().from_string("{{ missing }}").render()
