"""The ``coordbot`` command line. Every command exits non-zero with one line on bad input."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from bot.campaign.cli import campaign_app
from bot.export.cli import export_command
from bot.faq.cli import faq_app
from bot.settings import Settings, SettingsError, load_settings
from bot.when.cli import when as when_command

app = typer.Typer(
    name="coordbot",
    help="Campaign coordination bot: Telegram, or a local console chat without a token.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
inbox_app = typer.Typer(help="The durable inbox of updates.", invoke_without_command=True)
app.add_typer(db_app, name="db")
app.add_typer(campaign_app, name="campaign")
app.add_typer(faq_app, name="faq")
app.add_typer(inbox_app, name="inbox")
app.command("when", help="Print the time a phrase means, as ISO 8601.")(when_command)
app.command("export")(export_command)


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    from bot.db import applied_revisions, is_current, make_engine, upgrade

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    if is_current(engine):
        typer.echo("database is up to date")
        return
    new = not applied_revisions(engine)
    upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    typer.echo(f"database created: {where}" if new else f"database upgraded: {where}")


@app.command()
def run(
    webhook: Annotated[str | None, typer.Option(help="serve a webhook at this public URL")] = None,
) -> None:
    """Serve Telegram (long polling, or a webhook with a secret token)."""
    from bot.logs import setup_logging
    from bot.serve import serve

    settings = settings_or_exit()
    setup_logging(settings.log_level)
    if not settings.token:
        fail("COORDBOT_TELEGRAM_TOKEN is not set (try `coordbot console` to chat locally)")
    code = asyncio.run(_until_signal(serve(settings, webhook=webhook)))
    raise typer.Exit(code)


@app.command()
def web() -> None:
    """Serve the web dashboard alone (the bot runs in another process on the same database)."""
    from bot.app import prepare
    from bot.logs import setup_logging
    from bot.web.serve import serve_alone

    settings = settings_or_exit()
    setup_logging(settings.log_level)
    if settings.web_listen == "off":
        fail("COORDBOT_WEB_LISTEN is off: set it to host:port to serve the dashboard")
    deps = prepare(settings)
    raise typer.Exit(asyncio.run(_until_signal(serve_alone(deps))))


@app.command()
def console(
    as_role: Annotated[
        str, typer.Option("--as", help="coordinator, staff, liaison or resident")
    ] = "coordinator",
    user: Annotated[
        int | None, typer.Option(help="your user id in the chat (default: the role's demo person)")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="the unit a liaison speaks for")] = None,
    campaign: Annotated[
        str | None,
        typer.Option(
            help="a shipped campaign (quality-city-2013, household-survey-2018) or a file;"
            " default COORDBOT_CAMPAIGN"
        ),
    ] = None,
) -> None:
    """Chat with the bot in this terminal: same handlers, no network, no token."""
    from bot.console import SHIPPED, run_console
    from bot.console_world import DEMO_PEOPLE, person_for

    if as_role not in DEMO_PEOPLE:
        fail(f"--as: unknown role {as_role!r} (coordinator, staff, liaison or resident)")
    overrides: dict[str, object] = {}
    if campaign is not None:
        path = SHIPPED / f"{campaign}.yaml" if "/" not in campaign else None
        path = path if path is not None and path.is_file() else Path(campaign)
        if not path.is_file():
            names = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
            fail(f"--campaign: no campaign {campaign!r} (shipped: {names}; or a file)")
        overrides["campaign"] = path.resolve()
    settings = settings_or_exit(**overrides)
    if settings.campaign_rebase is None and settings.campaign.resolve().parent == SHIPPED:
        # a demo campaign's 2013/2018 dates, moved to this week (as make run does)
        settings = settings.model_copy(update={"campaign_rebase": "today"})
    me = person_for(as_role, user)
    raise typer.Exit(asyncio.run(run_console(settings, role=as_role, me=me, unit=unit)))


@inbox_app.callback()
def inbox_status(ctx: typer.Context) -> None:
    """Counts of stored updates by state, and the failed ones."""
    if ctx.invoked_subcommand:
        return
    from bot.db import Database, upgrade
    from storage import inbox

    settings = settings_or_exit()
    db = Database.from_url(settings.database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        counts = inbox.counts(session)
        failed = inbox.failed(session)
        typer.echo("  ".join(f"{s}: {counts.get(s, 0)}" for s in ("pending", "done", "failed")))
        for row in failed:
            typer.echo(f"failed {row.update_id} (chat {row.chat_key}): {row.error}")


@inbox_app.command("retry")
def inbox_retry(update_id: int) -> None:
    """Put a failed update back in the queue (processed at the bot's next start)."""
    from bot.db import Database, upgrade
    from storage import inbox

    settings = settings_or_exit()
    db = Database.from_url(settings.database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        if not inbox.retry(session, update_id):
            fail(f"no failed update {update_id}")
    typer.echo(f"update {update_id} will be processed again at the next start")


@inbox_app.command("prune")
def inbox_prune(days: int = 7) -> None:
    """Delete processed updates older than DAYS."""
    from bot.clock import SystemClock
    from bot.db import Database
    from storage import inbox

    settings = settings_or_exit()
    db = Database.from_url(settings.database_url)
    with db.transaction() as session:
        n = inbox.prune(session, now=SystemClock().now(), keep=timedelta(days=days))
    typer.echo(f"pruned {n}")


async def _until_signal(main: Coroutine[Any, Any, int]) -> int:
    """Run ``main`` until it ends or SIGINT/SIGTERM asks it to stop (it gets cancelled)."""
    task = asyncio.ensure_future(main)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return int(await task or 0)
    except asyncio.CancelledError:
        return 0


def main() -> None:
    # PTB 22's coming default (retry_after as a timedelta; our code reads both): opt in now
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        app()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
