"""``coordbot campaign validate FILE`` / ``coordbot campaign load FILE`` (mounted by bot/cli.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot.campaign import remembered_shift
from bot.campaign.loader import load
from bot.campaign.parse import CampaignErrors, parse_file
from bot.campaign.rebase import rebase
from bot.campaign.spec import CampaignSpec

campaign_app = typer.Typer(
    name="campaign", help="Check and import campaign files.", no_args_is_help=True
)

FileArg = Annotated[Path, typer.Argument(help="campaign YAML file", show_default=False)]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def _parse(file: Path) -> CampaignSpec:
    try:
        return parse_file(file)
    except CampaignErrors as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        raise typer.Exit(1) from None


@campaign_app.command()
def validate(file: FileArg) -> None:
    """Check a campaign file; print every error with its line, exit 1 if there is any."""
    spec = _parse(file)
    typer.echo(f"OK: {spec.summary()}")


@campaign_app.command("load")
def load_command(
    file: FileArg,
    rebase_to: Annotated[
        str | None,
        typer.Option(
            "--rebase",
            metavar="YYYY-MM-DD",
            help="shift every date so the first task deadline falls on this day",
        ),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL (default: COORDBOT_DATABASE_URL)")
    ] = None,
) -> None:
    """Validate, then import a campaign in one transaction (idempotent; edits update in place)."""
    from bot.db import Database, upgrade
    from bot.settings import SettingsError, load_settings

    spec = _parse(file)
    if rebase_to is not None:
        try:
            spec = rebase(spec, date.fromisoformat(rebase_to))
        except ValueError as exc:
            raise _fail(f"--rebase {rebase_to!r}: {exc}") from None
    try:
        settings = load_settings(**({"database_url": database_url} if database_url else {}))
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    db = Database.from_url(settings.database_url, threads=1)
    try:
        upgrade(db.engine)
        with db.transaction() as session:
            if rebase_to is None:
                spec = remembered_shift(session, spec)
            report = load(session, spec, now=datetime.now(UTC), source=file.resolve())
    except SQLAlchemyError as exc:
        raise _fail(f"database error: {str(exc).splitlines()[0]}") from None
    finally:
        db.close()
    shifted = f" (shifted {spec.rebase_days:+d} days)" if spec.rebase_days else ""
    typer.echo(f"{spec.slug}{shifted}: {report.summary()}")
