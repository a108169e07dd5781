"""The definitions format as pydantic models: the shape of every key, its type and default.

These models check *shape* (keys, types, units written correctly); meaning that
needs the whole set (references, overlaps, ambiguity, targets per metric) is
checked by the builders in ``specs.calendars`` and ``specs.agreements``.
Percentages are read into exact fractions (``99.9%`` -> ``Decimal("0.999")``),
review cadences into months. Every model forbids unknown keys, so a typo is an
error, not a silently ignored line. ``DefinitionsDocument`` is what one file (or
the merge of a folder) holds and what ``servanda definitions schema`` exports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from servanda.domain.agreements import Level, Metric, Period
from servanda.domain.instants import DATE_RANGE_TEXT, FIRST_YEAR, LAST_YEAR, is_supported_date
from servanda.specs.units import parse_months, parse_percentage

DEFAULT_FIRST_HOLIDAY_YEAR = 2000
DEFAULT_LAST_HOLIDAY_YEAR = 2045


def _percentage(value: object) -> Decimal:
    if isinstance(value, str):
        return parse_percentage(value)
    raise ValueError(f"{value!r} is not a percentage; write it with a % sign, like 99.9%")


def _months(value: object) -> int:
    if isinstance(value, str):
        return parse_months(value)
    raise ValueError(f"{value!r} is not a review cadence; write it like 6 months or 1 year")


def _names(value: object) -> object:
    """A single name may stand for a one-item list (``services: email``)."""
    return [value] if isinstance(value, str) else value


def _text(value: object) -> object:
    """Numbers written where text is expected (``version: 2``, ``priority: 1``) are text."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int | float | Decimal) else value


def _condition_values(value: object) -> object:
    items = value if isinstance(value, list) else [value]
    return [_text(item) for item in items]


DATE_OUT_OF_RANGE = "date_out_of_range"


def _supported_date(value: dt.date) -> dt.date:
    if not is_supported_date(value):
        raise PydanticCustomError(
            DATE_OUT_OF_RANGE,
            "{day} is outside the supported dates ({range})",
            {"day": value.isoformat(), "range": DATE_RANGE_TEXT},
        )
    return value


def _holiday_date(value: object) -> object:
    return {"date": value} if isinstance(value, dt.date | str) else value


Percentage = Annotated[
    Decimal,
    BeforeValidator(_percentage),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?\s*%$", "examples": ["99.9%"]}),
]
Text = Annotated[str, BeforeValidator(_text)]
# Every date a definitions file holds lies in the supported range (domain.instants):
# later arithmetic (review dates, holiday years, local midnights) never leaves it.
SupportedDate = Annotated[
    dt.date,
    AfterValidator(_supported_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "description": f"A date in {DATE_RANGE_TEXT}."}
    ),
]
Names = Annotated[list[str], BeforeValidator(_names)]
Months = Annotated[
    int,
    BeforeValidator(_months),
    WithJsonSchema({"type": "string", "pattern": r"^\d+\s*(month|months|year|years)$"}),
]
ConditionValues = Annotated[
    list[str],
    BeforeValidator(_condition_values),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "array", "items": {"type": ["string", "number"]}},
            ]
        }
    ),
]
# A value tickets may take (vocabulary): text, numbers read as text like condition values.
ValueText = Annotated[
    str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"], "minLength": 1})
]
ValueList = Annotated[list[ValueText], Field(min_length=1)]
WindowsText = Annotated[
    str | list[str],
    Field(
        description='Opening windows: "08:00-18:00", "22:00-06:00" (overnight), '
        '"08:00-12:00, 13:00-17:00" or a list of windows.'
    ),
]
# A target is a duration (time metrics), a percentage (availability) or a score
# (satisfaction); which one is checked against the metric by the builder.
Target = Annotated[
    str | float,
    Field(
        union_mode="left_to_right",
        description="Duration (4h, 2h30m) for time metrics, percentage (99.9%) for "
        "availability, mean score (4.5) for satisfaction.",
    ),
]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExplicitHoliday(Entry):
    date: SupportedDate
    name: str = "holiday"


class HolidaysEntry(Entry):
    """Public holidays from the ``holidays`` package and/or explicit dates."""

    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. DE, US, NO.")
    subdivision: str | None = Field(None, description="Subdivision code, e.g. BE, NY.")
    dates: list[
        Annotated[
            ExplicitHoliday,
            BeforeValidator(_holiday_date, json_schema_input_type=dt.date | ExplicitHoliday),
        ]
    ] = Field(default_factory=list, description="Extra closed dates: 2026-12-24 or {date, name}.")
    first_year: int = Field(DEFAULT_FIRST_HOLIDAY_YEAR, ge=FIRST_YEAR, le=LAST_YEAR)
    last_year: int = Field(DEFAULT_LAST_HOLIDAY_YEAR, ge=FIRST_YEAR, le=LAST_YEAR)


class ExceptionEntry(Entry):
    """One local date whose hours differ: shorter, longer, or closed all day."""

    date: SupportedDate
    hours: WindowsText | None = None
    closed: bool = False
    reason: str = ""


class CalendarEntry(Entry):
    """Weekly opening windows in one IANA time zone, with holidays and exceptions."""

    timezone: str = Field(description="IANA time zone, e.g. Europe/Berlin.")
    description: str = ""
    hours: dict[str, WindowsText] = Field(
        description="Weekday key (mon-fri, sat, mon,wed, daily) to opening windows."
    )
    holidays: HolidaysEntry | None = None
    exceptions: list[ExceptionEntry] = Field(default_factory=list)


class ServiceEntry(Entry):
    name: str
    description: str = ""
    owner: str = ""


class ContactEntry(Entry):
    name: str
    role: str = ""
    email: str = ""


class FeeEntry(Entry):
    amount: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")
    per: Literal["month"] = "month"


class CustomerEntry(Entry):
    name: str
    group: str | None = Field(None, description="Group or tier, e.g. gold.")
    reporting_timezone: str | None = Field(
        None, description="IANA zone of this customer's reports; default: the top-level timezone."
    )
    contacts: list[ContactEntry] = Field(default_factory=list)
    fees: dict[str, FeeEntry] = Field(
        default_factory=dict, description="Monthly fee per service id."
    )


class ObjectiveEntry(Entry):
    """One promise: a metric, the tickets it speaks for, and the target."""

    id: str | None = Field(None, description="Default: <metric>-<n>, n counting from 1.")
    metric: Metric
    when: dict[str, ConditionValues] = Field(
        default_factory=dict,
        description="Ticket attribute to required value(s); all must hold. Empty: all tickets.",
    )
    target: Target
    calendar: str = Field("24x7", description="Calendar name; 24x7 is built in.")
    warn_at: list[Percentage] = Field(default_factory=list)
    goal: Percentage | None = Field(None, description="Share of items that must meet the target.")
    period: Period = Period.MONTH
    pause_on: list[str] | None = Field(None, description="Default: the agreement's pause_on.")
    description: str = ""


class CreditBandEntry(Entry):
    below: Target = Field(description="Attainment or availability below which the band applies.")
    credit: Percentage = Field(
        description="Share of the monthly fees of the services in scope of the objective."
    )


class BonusBandEntry(Entry):
    at_least: Target
    bonus: Percentage
    metric: Metric | None = Field(None, description="Default: the only metric with credit bands.")


class CreditsEntry(Entry):
    first_response: list[CreditBandEntry] | None = None
    next_response: list[CreditBandEntry] | None = None
    resolution: list[CreditBandEntry] | None = None
    availability: list[CreditBandEntry] | None = None
    satisfaction: list[CreditBandEntry] | None = None
    bonus: list[BonusBandEntry] = Field(default_factory=list)
    cap: Percentage | None = None
    bonus_cap: Percentage | None = None

    def schedules(self) -> list[tuple[Metric, list[CreditBandEntry]]]:
        found = ((metric, getattr(self, metric.value)) for metric in Metric)
        return [(metric, bands) for metric, bands in found if bands is not None]


class ResponsibilitiesEntry(Entry):
    provider: list[str] = Field(default_factory=list)
    customer: list[str] = Field(default_factory=list)


class AgreementEntry(Entry):
    """One SLA document at one level, with scope, dates, objectives and consequences."""

    id: str = Field(min_length=1)
    level: Level
    title: str = ""
    version: Text = ""
    description: str = ""
    customers: Names = Field(default_factory=list)
    groups: Names = Field(default_factory=list)
    services: Names = Field(default_factory=list)
    effective_from: SupportedDate | None = None
    effective_to: SupportedDate | None = None
    review_every: Months | None = None
    pause_on: list[str] = Field(default_factory=list)
    objectives: list[ObjectiveEntry] = Field(min_length=1)
    credits: CreditsEntry | None = None
    responsibilities: ResponsibilitiesEntry | None = None


class VocabularyEntry(Entry):
    """The values tickets may take. A declared list is exact: events with a value outside it are
    rejected. Left out, the known values are inferred from the definitions (unknown: a warning)."""

    priorities: ValueList | None = Field(
        None, description="Every priority a ticket may have, e.g. [P1, P2, P3]."
    )
    statuses: ValueList | None = Field(
        None, description="Every status events may carry (created and status_changed)."
    )
    attributes: dict[str, ValueList] = Field(
        default_factory=dict,
        description="Per ticket attribute (channel, type, a custom field), every value it may take.",
    )


class DefinitionsDocument(Entry):
    """A definitions file; a folder's files are merged into one such document."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Servanda SLA definitions",
        json_schema_extra={"$id": "https://servanda.dev/schema/definitions.json"},
    )

    provider: str = ""
    timezone: str = Field("UTC", description="Provider home zone; effective dates are read in it.")
    calendars: dict[str, CalendarEntry] = Field(default_factory=dict)
    services: dict[str, ServiceEntry] = Field(default_factory=dict)
    customers: dict[str, CustomerEntry] = Field(default_factory=dict)
    agreements: list[AgreementEntry] = Field(default_factory=list)
    vocabulary: VocabularyEntry | None = Field(
        None, description="The ticket values the definitions accept (default: inferred)."
    )


__all__ = [
    "AgreementEntry",
    "BonusBandEntry",
    "CalendarEntry",
    "ContactEntry",
    "CreditBandEntry",
    "CreditsEntry",
    "CustomerEntry",
    "DefinitionsDocument",
    "ExceptionEntry",
    "ExplicitHoliday",
    "FeeEntry",
    "HolidaysEntry",
    "ObjectiveEntry",
    "ResponsibilitiesEntry",
    "ServiceEntry",
    "VocabularyEntry",
]
