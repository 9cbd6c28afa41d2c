"""``coordbot export --out DIR``: the dossier workbook and the evidence ZIP, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

STAGES = {
    "roster": "联络员名单",
    "matrix": "任务矩阵",
    "evidence": "佐证清单",
    "questions": "问答",
    "audit": "操作记录",
    "zip": "佐证文件",
}


def export_command(
    out: Annotated[Path, typer.Option("--out", help="directory to write the files into")],
    campaign: Annotated[
        str | None, typer.Option(help="campaign slug (default: the one loaded last)")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Write the Excel workbook (roster, task matrix, evidence, Q&A, audit) and the evidence ZIP."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from bot.clock import SystemClock
    from bot.db import Database, upgrade
    from bot.export.dossier import export_campaign
    from bot.settings import SettingsError, load_settings
    from storage.campaigns import current_campaign

    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if out.exists() and not out.is_dir():
        typer.echo(f"--out: {out} exists and is not a directory", err=True)
        raise typer.Exit(1)
    db = Database.from_url(settings.database_url, threads=1)
    try:
        upgrade(db.engine)
        with db.transaction() as session:
            found = current_campaign(session, campaign)
            campaign_id = found.id if found else None
    finally:
        db.close()
    if campaign_id is None:
        what = f"campaign {campaign!r}" if campaign else "a loaded campaign"
        typer.echo(f"no {what} in {settings.database_url} (run `coordbot campaign load`)", err=True)
        raise typer.Exit(1)
    bar = Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        disable=quiet,
        transient=False,
    )
    ids: dict[str, TaskID] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in ids:
            ids[stage] = bar.add_task(STAGES.get(stage, stage), total=max(total, 1))
        bar.update(ids[stage], completed=done, total=max(total, done, 1))

    with bar:
        result = export_campaign(
            settings.database_url,
            campaign_id=campaign_id,
            out_dir=out,
            media_dir=settings.media_dir,
            tz=settings.tz,
            now=SystemClock().now(),
            progress=progress,
        )
    typer.echo(f"workbook: {result.workbook}")
    files = result.files
    typer.echo(
        f"evidence ZIP: {result.archive} ({files.get('files', 0)} files, "
        f"{files.get('duplicates', 0)} duplicates listed once, {files.get('missing', 0)} missing)"
    )
