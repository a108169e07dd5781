"""When an import folds (``--now``) and when it records the transitions it finds (``--notify``).

A webhook subscription receives the transitions recorded after it was created
(``services.webhooks``). Transitions recorded at a past ``--now`` therefore
reach no subscription created after that instant (in practice, none): by default an import at a past ``--now``
records history without notifying anyone, and ``--notify`` records them at the
present instead, so every subscription there is now receives them (the import
still folds at ``--now``). docs/importing.md, "Notifications".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

NotifyOption = Annotated[
    bool | None,
    typer.Option(
        "--notify/--no-notify",
        help="Deliver the transitions this import records to webhook subscriptions "
        "(default: yes, unless --now is in the past).",
        show_default=False,
    ),
]


@dataclass(frozen=True, slots=True)
class Recording:
    """When an import folds (``now``) and records its transitions; whether they notify."""

    now: int
    recorded_at: int
    notify: bool

    @classmethod
    def resolve(cls, now_text: str | None, notify: bool | None) -> Recording:
        """``--now`` and ``--notify/--no-notify`` as given (``BadParameter`` if they disagree)."""
        from servanda.bootstrap import system_clock
        from servanda.specs.events import parse_instant

        present = system_clock()()
        now = present if now_text is None else parse_instant(now_text)
        past = now < present
        if notify is None:
            notify = not past
        if notify:
            return cls(now, max(now, present), notify=True)
        if not past:
            raise typer.BadParameter(
                "--no-notify needs a --now in the past: transitions recorded at the present "
                "or later reach every webhook subscription",
                param_hint="--no-notify",
            )
        return cls(now, now, notify=False)

    def describe(self, transitions: int) -> str:
        """The summary's line about notifications."""
        if self.notify:
            return f"notifications: the {transitions:,} transitions go to webhook subscriptions"
        return (
            f"notifications: none ({transitions:,} transitions recorded at the past --now: "
            "no webhook subscription created after it receives them; --notify delivers them)"
        )
