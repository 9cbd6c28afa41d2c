"""``coordbot when TEXT [--now ISO] [--tz ZONE]``: print the moment a time phrase means."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from bot.when import WhenError, parse_when

FALLBACK_TZ = "Asia/Shanghai"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _zone(name: str | None) -> ZoneInfo:
    if name is None:
        from bot.settings import SettingsError, load_settings

        try:
            name = load_settings().timezone
        except SettingsError as exc:
            _fail(str(exc))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(f"未知时区 / unknown time zone: {name!r} (e.g. {FALLBACK_TZ})")


def _now(value: str | None, tz: ZoneInfo) -> datetime:
    if value is None:
        return datetime.now(tz)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"--now 不是 ISO 时间 / --now is not an ISO 8601 time: {value!r}")
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


@app.command()
def when(
    text: Annotated[str, typer.Argument(help="a time phrase, e.g. 明天下午3点 or 'tomorrow 3pm'")],
    now: Annotated[
        str | None, typer.Option("--now", help="the current time, ISO 8601 (default: now)")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="time zone (default: COORDBOT_TIMEZONE)")
    ] = None,
) -> None:
    """Print the moment TEXT means as ISO 8601 with its offset; exit 1 if not understood.

    A moment in the past is printed too, with a note on stderr (/remind refuses it)."""
    zone = _zone(tz)
    current = _now(now, zone)
    try:
        at = parse_when(text, now=current, tz=zone, allow_past=True)
    except WhenError as exc:
        _fail(f"{exc.zh} / {exc.en}")
    typer.echo(at.isoformat())
    if at <= current:
        typer.echo("注意：这个时间已经过去 / note: this time has already passed", err=True)
