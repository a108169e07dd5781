"""``servanda definitions apply|history|diff``: versioned definitions in the database.

``apply`` stores a new immutable revision only when the content changed.
``--effective-from`` is a local date in the definitions' time zone (midnight
starts it) or an ISO 8601 instant with an offset; default: the beginning for a
database's first revision, now for later ones (and the command says which).
When the revision would measure stored tickets, ``apply`` prints the preview
(per customer and period: tickets re-measured, outcomes that flip, net credits
before and after) and needs ``--remeasure`` or ``--no-remeasure``; ``--preview``
only shows it. Every stored revision is written to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from servanda.entrypoints.cli.audit import AuthorOption, author_name
from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.definitions import definitions_app
from servanda.entrypoints.cli.progress import count_progress

if TYPE_CHECKING:
    from servanda.domain.money import Money
    from servanda.services.revision_preview import RevisionPreview
    from servanda.services.revisions import AppliedRevision


def effective_instant(text: str, timezone: str) -> int:
    """Epoch seconds of ``--effective-from``: a local date (midnight) or an aware ISO instant.

    Unreadable or outside the supported instants (``domain.instants``): a usage error.
    """
    from servanda.domain.events import epoch_seconds
    from servanda.domain.instants import (
        DATE_RANGE_TEXT,
        is_supported,
        is_supported_date,
        unsupported,
    )

    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if not is_supported_date(day):
                raise typer.BadParameter(
                    f"{text!r} is outside the supported dates ({DATE_RANGE_TEXT})",
                    param_hint="--effective-from",
                )
            seconds = epoch_seconds(datetime.combine(day, datetime.min.time(), ZoneInfo(timezone)))
        else:
            seconds = epoch_seconds(datetime.fromisoformat(text))
    except (ValueError, OverflowError) as error:
        raise typer.BadParameter(
            f"{text!r} is not a date or an instant with an offset: {error}",
            param_hint="--effective-from",
        ) from None
    if not is_supported(seconds):
        raise typer.BadParameter(unsupported("", repr(text)).strip(), param_hint="--effective-from")
    return seconds


class PreviewFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@definitions_app.command("apply")
def apply(
    path: Annotated[Path, typer.Argument(help="A definitions YAML file or a folder of them.")],
    effective_from: Annotated[
        str | None,
        typer.Option(
            help="Date (YYYY-MM-DD, local) or instant from which tickets created use the "
            "revision; default: the beginning for a database's first revision, else now."
        ),
    ] = None,
    remeasure: Annotated[
        bool | None,
        typer.Option(
            "--remeasure/--no-remeasure",
            help="When the revision would measure stored tickets: re-measure them now, or "
            "keep their figures. Required in that case (the preview shows what changes).",
            show_default=False,
        ),
    ] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show what the revision would change; store nothing.")
    ] = False,
    preview_format: Annotated[
        PreviewFormat,
        typer.Option("--format", help="How the preview is shown: table, or json (one document)."),
    ] = PreviewFormat.TABLE,
    comment: Annotated[str, typer.Option(help="Why this revision was made.")] = "",
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Apply definitions that hold no agreement (no ticket gets a clock).",
        ),
    ] = False,
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Validate definitions and store them as a new revision (only if they changed)."""
    from servanda.bootstrap import system_clock
    from servanda.services.revision_preview import preview_revision
    from servanda.services.revisions import RemeasureChoiceRequiredError, apply_definitions
    from servanda.specs.loader import load_definitions, read_sources
    from servanda.specs.snapshot import content_hash

    definitions = load_definitions(path)
    sources = {str(name): text for name, text in read_sources(path).items()}
    start = effective_instant(effective_from, definitions.timezone) if effective_from else None
    now = system_clock()()
    storage = open_storage(database_url)
    try:
        found = preview_revision(
            storage.reports, storage.evaluator, definitions, now=now, effective_from=start
        )
        if preview_format is PreviewFormat.JSON:
            typer.echo(preview_json(found))
        elif found.affected:
            print_preview(found)
        if preview:
            if not found.affected and preview_format is PreviewFormat.TABLE:
                typer.echo("the revision would measure no stored ticket: nothing would change")
            return
        with count_progress("re-measuring") as advance:
            applied = apply_definitions(
                storage.uow_factory,
                definitions,
                fingerprint=content_hash,
                now=now,
                effective_from=start,
                comment=comment,
                sources=sources,
                remeasure=remeasure,
                evaluator=storage.evaluator,
                author=author_name(author),
                progress=advance,
                allow_empty=allow_empty,
            )
    except RemeasureChoiceRequiredError as error:
        raise RemeasureChoiceRequiredError(
            f"{error} — nothing was stored; the preview above shows what would change",
            error.affected,
        ) from None
    finally:
        storage.dispose()
    _report(applied)


def _report(applied: AppliedRevision) -> None:
    from servanda.services.revisions import EffectiveDefault

    revision = applied.revision
    if not applied.created:
        typer.echo(f"unchanged: revision {revision.id} already holds these definitions")
        return
    since = _iso(revision.effective_from)
    if applied.defaulted is EffectiveDefault.BEGINNING:
        since = "the beginning (the database's first revision measures every ticket)"
    elif applied.defaulted is EffectiveDefault.NOW:
        since += " (now: pass --effective-from to date it otherwise)"
    typer.echo(
        f"stored revision {revision.id} ({revision.content_hash[:12]}), effective from {since}"
    )
    if applied.remeasured:
        typer.echo(
            f"re-measured {applied.remeasured:,} stored ticket(s) under revision {revision.id}"
        )
    elif applied.affected:
        typer.echo(
            f"kept the figures of {applied.affected:,} stored ticket(s) on their earlier revision"
        )


def preview_json(found: RevisionPreview) -> str:
    """The preview as one JSON document (the shape of ``POST /api/v1/revisions/preview``)."""
    import json

    def amounts(values: tuple[Money, ...]) -> list[dict[str, str]]:
        return [{"currency": m.currency, "amount": str(m.amount)} for m in values]

    return json.dumps(
        {
            "effective_from": _iso(found.effective_from),
            "affected_tickets": found.affected,
            "changed_tickets": found.changed,
            "rows": [
                {
                    "customer": r.customer,
                    "period": r.period,
                    "closed": r.closed,
                    "tickets": r.tickets,
                    "met_to_breached": r.met_to_breached,
                    "breached_to_met": r.breached_to_met,
                    "net_credits_before": amounts(r.credits_before),
                    "net_credits_after": amounts(r.credits_after),
                }
                for r in found.rows
            ],
        },
        indent=2,
    )


def print_preview(found: RevisionPreview) -> None:
    """The preview as a table: per customer and period, what re-measuring would change."""
    from rich.table import Table

    from servanda.domain.display import amounts
    from servanda.entrypoints.cli.output import table_console

    typer.echo(
        f"the revision would measure {found.affected:,} stored ticket(s) created from "
        f"{_iso(found.effective_from)} on; {found.changed:,} of them would change:"
    )
    table = Table(
        "customer", "period", "tickets", "met→breached", "breached→met",
        "net credits before", "net credits after",
    )  # fmt: skip
    for row in found.rows:
        table.add_row(
            row.customer or "(none)",
            f"{row.period} (closed)" if row.closed else row.period,
            f"{row.tickets:,}",
            f"{row.met_to_breached:,}",
            f"{row.breached_to_met:,}",
            amounts(row.credits_before),
            amounts(row.credits_after),
        )
    table_console().print(table)


@definitions_app.command("history")
def history(database_url: DatabaseUrl = None) -> None:
    """List the stored revisions, oldest first."""
    from rich.table import Table

    from servanda.entrypoints.cli.output import table_console
    from servanda.services.revisions import revision_history

    with open_storage(database_url) as storage:
        revisions = revision_history(storage.uow_factory)
    if not revisions:
        typer.echo("no revision stored yet: run `servanda definitions apply PATH`")
        return
    table = Table("revision", "content", "effective from", "applied at", "comment")
    for r in revisions:
        table.add_row(
            str(r.id), r.content_hash[:12], _iso(r.effective_from), _iso(r.applied_at), r.comment
        )
    table_console().print(table)


@definitions_app.command("diff")
def diff(
    first: Annotated[int, typer.Argument(help="The older revision number.")],
    second: Annotated[int, typer.Argument(help="The newer revision number.")],
    database_url: DatabaseUrl = None,
) -> None:
    """What changed between two revisions: agreements and objectives, calendars, customers."""
    from servanda.services.revision_diff import diff_definitions
    from servanda.services.revisions import revision_definitions

    with open_storage(database_url) as storage:
        _, old = revision_definitions(storage.uow_factory, first)
        _, new = revision_definitions(storage.uow_factory, second)
    changes = diff_definitions(old, new)
    if not changes:
        typer.echo(f"revisions {first} and {second} hold the same definitions")
        return
    typer.echo(f"from revision {first} to revision {second}:")
    for change in changes:
        typer.echo(str(change))


def _iso(seconds: int) -> str:
    from servanda.domain.events import from_epoch

    return from_epoch(seconds).isoformat()


def register(app: typer.Typer) -> None:
    """The commands attach to ``definitions_app`` when this module is imported."""
    del app
