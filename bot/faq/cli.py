"""`coordbot faq match|eval`: the FAQ matcher from the command line (contract: faq-format.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from bot.faq.evaluate import evaluate, format_report, read_eval_set
from bot.faq.kb import FaqEntry, FaqError, load_faq

if TYPE_CHECKING:  # numpy loads when a command builds a matcher, not with `coordbot`
    from bot.faq.matcher import FaqMatcher, Mode

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "faq"

faq_app = typer.Typer(help="Residents' FAQ: match questions, measure the matcher.")

KbOption = Annotated[Path, typer.Option("--kb", help="FAQ YAML file (faq-format.md)")]
ModeOption = Annotated[
    str, typer.Option("--mode", help="auto (model if installed), lexical or hybrid")
]
SynonymsOption = Annotated[
    Path | None, typer.Option("--synonyms", help="synonyms YAML (default config/faq/synonyms.yaml)")
]
ChitchatOption = Annotated[
    Path | None,
    typer.Option("--chitchat", help="small-talk patterns (default config/faq/chitchat.yaml)"),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _config(path: Path | None, name: str) -> Path | None:
    if path is not None:
        if not path.is_file():
            raise _fail(f"{path}: no such file")
        return path
    default = CONFIG_DIR / name
    return default if default.is_file() else None


def load_matcher(
    kb: Path, mode: str, synonyms: Path | None = None, chitchat: Path | None = None
) -> FaqMatcher:
    """Build a matcher from files; exits 1 with one line on any bad input."""
    from bot.faq.language import language_config
    from bot.faq.matcher import build_matcher

    if mode not in ("auto", "lexical", "hybrid"):
        raise _fail(f"unknown mode {mode!r} (auto, lexical or hybrid)")
    try:
        faq = load_faq(kb)
        language = language_config(
            CONFIG_DIR,
            synonyms=_config(synonyms, "synonyms.yaml"),
            chitchat=_config(chitchat, "chitchat.yaml"),
        )
        return build_matcher(faq.entries, **language, mode=_mode(mode))
    except (FaqError, ValueError, RuntimeError, OSError) as exc:
        raise _fail(str(exc)) from None


def _mode(mode: str) -> Mode:
    return "hybrid" if mode == "hybrid" else "lexical" if mode == "lexical" else "auto"


@faq_app.command("match")
def match_command(
    kb: KbOption,
    mode: ModeOption = "auto",
    synonyms: SynonymsOption = None,
    chitchat: ChitchatOption = None,
) -> None:
    """Read one question per line on stdin; write one JSON object per line on stdout."""
    matcher = load_matcher(kb, mode, synonyms, chitchat)
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        result = matcher.match(question)
        record = {"question": question, "id": result.entry_id, "score": result.score}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@faq_app.command("eval")
def eval_command(
    kb: KbOption,
    eval_set: Annotated[Path, typer.Option("--set", help="TSV: question, expected id or -")],
    mode: ModeOption = "auto",
    synonyms: SynonymsOption = None,
    chitchat: ChitchatOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="only the two figures")] = False,
) -> None:
    """Print top-1 accuracy on answerable questions and the share of chit-chat answered."""
    try:
        rows = read_eval_set(eval_set)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _fail(f"{eval_set}: {reason}" if isinstance(exc, OSError) else reason) from None
    matcher = load_matcher(kb, mode, synonyms, chitchat)
    typer.echo(f"mode: {matcher.mode}")
    for line in format_report(evaluate(matcher, rows), show_misses=not quiet):
        typer.echo(line)


def main() -> None:
    faq_app()


if __name__ == "__main__":
    main()


def entries_yaml(entries: list[FaqEntry], locale: str = "zh-CN") -> str:
    """FAQ entries as a FAQ file (faq-format.md) that `load_faq` reads back unchanged."""
    out: list[dict[str, object]] = []
    for e in entries:
        item: dict[str, object] = {"id": e.id, "question": e.question}
        if e.alt:
            item["alt"] = list(e.alt)
        item["answer"] = e.answer
        if e.tags:
            item["tags"] = list(e.tags)
        out.append(item)
    doc = {"version": 1, "locale": locale, "entries": out}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


@faq_app.command("export")
def export_command(
    out: Annotated[Path | None, typer.Option("--out", help="write here (default: stdout)")] = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="campaign slug (default: the latest loaded)")
    ] = None,
) -> None:
    """Write the FAQ the bot answers from now (file + edits made in chat) as FAQ YAML."""
    from bot.db import Database, upgrade
    from bot.faq.live import current_entries
    from bot.settings import SettingsError, load_settings
    from storage.campaigns import current_campaign

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    db = Database.from_url(settings.database_url)
    try:
        upgrade(db.engine)
        with db.transaction() as session:
            found = current_campaign(session, campaign)
            if found is None:
                raise _fail(
                    f"no campaign {campaign!r} loaded" if campaign else "no campaign loaded"
                )
            entries = current_entries(session, found.id)
    except FaqError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    if not entries:
        raise _fail("the campaign has no FAQ entries")
    text = entries_yaml(entries)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"{len(entries)} entries written to {out}")
