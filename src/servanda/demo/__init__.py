"""Demo material shipped with the package: the multi-level definitions and sample tickets.

``definitions`` is the managed-service-provider example of ``examples/multi-level``
(one copy: the package links to it), so ``servanda demo`` works from an installed
package as well as from a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


def definitions_path() -> Path:
    """The folder of the demo's definitions (YAML files, agreements in a subfolder)."""
    return Path(str(resources.files("servanda.demo") / "definitions"))


@dataclass(frozen=True, slots=True)
class SampleTicket:
    """A ticket as the demo explains it: who, which service, priority, and other fields."""

    id: str
    customer: str
    service: str
    priority: str
    fields: tuple[tuple[str, str], ...] = ()
    story: str = ""


SAMPLE_TICKETS: tuple[SampleTicket, ...] = (
    SampleTicket("T-101", "acme", "email", "P1", story="gold customer, critical mail outage"),
    SampleTicket("T-102", "acme", "network", "P2", story="gold customer, degraded WAN link"),
    SampleTicket("T-103", "acme", "workplace", "P3", story="gold customer, laptop request"),
    SampleTicket(
        "T-104", "globex", "email", "P1", (("channel", "phone"),), "tailored customer, phoned in"
    ),
    SampleTicket(
        "T-105", "globex", "email", "P1", (("channel", "portal"),), "same, but through the portal"
    ),
    SampleTicket(
        "T-106", "globex", "network", "P2", (("type", "change"),), "a network change at night"
    ),
    SampleTicket("T-107", "globex", "network", "P2", (("type", "incident"),), "a network incident"),
    SampleTicket("T-108", "initech", "email", "P2", story="silver customer"),
    SampleTicket("T-109", "initech", "workplace", "P1", story="silver customer, critical"),
    SampleTicket("T-110", "umbrella", "network", "P3", story="silver customer, Berlin hours"),
    SampleTicket("T-111", "hooli", "email", "P1", story="no tier: service and corporate terms"),
    SampleTicket("T-112", "hooli", "email", "P4", story="no tier, low priority"),
)
