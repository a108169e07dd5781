"""HTML documents from report values: Jinja2 templates bundled with the package, charts inline.

Nothing is fetched from the network: the stylesheet is inlined and the only
font, DejaVu Sans, is loaded from matplotlib's own data folder (a runtime
dependency) by ``file://`` URL. Instants are shown in the report's time zone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from servanda.domain.agreements import Metric
from servanda.domain.compliance import Status
from servanda.domain.display import format_duration, format_level, minutes, percent, points
from servanda.domain.money import Money
from servanda.domain.periods import parse_period
from servanda.reporting import charts
from servanda.services.customer_report import CustomerReport

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

STATUS_TEXT = {
    Status.PASS: "Met",
    Status.FAIL: "Missed",
    Status.NO_ITEMS: "No items",
    Status.NO_GOAL: "Informational",
}
# A glyph inside the status marker, so status never rests on colour alone (keyed by value,
# as the plain tables carry statuses as text).
STATUS_MARK = {"pass": "✓", "fail": "✗", "no_items": "–", "no items": "–", "no_goal": "i"}


def local_time(instant: int | None, timezone: str, pattern: str = "%d %b %Y %H:%M") -> str:
    if instant is None:
        return "–"
    return datetime.fromtimestamp(instant, tz=ZoneInfo(timezone)).strftime(pattern)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        percent=percent,
        points=points,
        duration=format_duration,
        minutes=minutes,
        money=lambda value: str(value) if isinstance(value, Money) else value,
        status_text=lambda status: STATUS_TEXT[status],
        status_mark=lambda status: STATUS_MARK.get(str(status), ""),
        amount=lambda text: f"{Decimal(str(text)):,.2f}",
        rating=lambda value: format_level(Metric.SATISFACTION, value),
    )
    env.globals.update(
        font_dir=FONTS.as_uri(),
        stylesheet=lambda: (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        trend_chart=charts.trend_chart,
        outage_timeline=charts.outage_timeline,
        local_time=local_time,
    )
    return env


def customer_report_html(report: CustomerReport) -> str:
    """The monthly customer SLA report as one self-contained HTML document."""
    template = environment().get_template("customer_report.html.j2")
    titles = {item.agreement.id: item.agreement.title for item in report.agreements}
    return template.render(
        report=report,
        tz=report.timezone,
        statement=report.statement,
        previous_title=parse_period(report.period, report.timezone).previous().title,
        agreement_title=lambda key: titles.get(key.split("/", 1)[0], key.split("/", 1)[0]),
    )
