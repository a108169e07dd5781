"""``GET /metrics``: Prometheus text exposition, for admin and viewer tokens only.

Figures are read from the database at each scrape (``servanda.services.metrics``),
so any number of API processes expose the same values and no
``PROMETHEUS_MULTIPROC_DIR`` is needed. Names:
``servanda_clocks{state}``, ``servanda_clocks_at_risk``,
``servanda_transitions_total{kind}`` (``warning``, ``breached``, ``met``),
``servanda_breaches_total``, ``servanda_warnings_total``,
``servanda_events_ingested_total`` (``rate()`` of it is the ingest rate),
``servanda_attainment_ratio{objective,period}`` and
``servanda_concluded_clocks{objective,period,outcome}``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from servanda.entrypoints.api.context import Context, Staff
from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from servanda.services.metrics import MetricsSnapshot, metrics_snapshot

router = APIRouter(tags=["metrics"], route_class=StrictJsonRoute)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
CLOCK_STATES = ("running", "paused", "met", "breached", "cancelled")
KINDS = ("warning", "breached", "met")


class SnapshotCollector(Collector):
    def __init__(self, snapshot: MetricsSnapshot) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self._snapshot
        clocks = GaugeMetricFamily("servanda_clocks", "SLA clocks by state", labels=["state"])
        for state in sorted(set(CLOCK_STATES) | set(s.clocks_by_state)):
            clocks.add_metric([state], s.clocks_by_state.get(state, 0))
        yield clocks
        yield GaugeMetricFamily(
            "servanda_clocks_at_risk", "Running clocks past a warning threshold", s.clocks_at_risk
        )
        kinds = CounterMetricFamily(
            "servanda_transitions", "Recorded clock transitions by kind", labels=["kind"]
        )
        for kind in KINDS:
            kinds.add_metric([kind], s.transitions_by_kind.get(kind, 0))
        yield kinds
        yield CounterMetricFamily(
            "servanda_breaches", "Recorded breaches", s.transitions_by_kind.get("breached", 0)
        )
        yield CounterMetricFamily(
            "servanda_warnings", "Recorded warnings", s.transitions_by_kind.get("warning", 0)
        )
        yield CounterMetricFamily("servanda_events_ingested", "Stored ticket events", s.events)
        yield from _attainment(s)


def _attainment(s: MetricsSnapshot) -> Iterator[Metric]:
    ratio = GaugeMetricFamily(
        "servanda_attainment_ratio",
        "Met / (met + breached) of clocks concluded in the month (UTC)",
        labels=["objective", "period"],
    )
    concluded = GaugeMetricFamily(
        "servanda_concluded_clocks",
        "Clocks concluded in the month (UTC) by outcome",
        labels=["objective", "period", "outcome"],
    )
    for a in s.attainment:
        if a.ratio is not None:
            ratio.add_metric([a.objective_key, a.period], a.ratio)
        concluded.add_metric([a.objective_key, a.period, "met"], a.met)
        concluded.add_metric([a.objective_key, a.period, "breached"], a.breached)
    yield ratio
    yield concluded


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def get_metrics(ctx: Context, principal: Staff) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(metrics_snapshot(ctx.metrics, ctx.now())))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE)
