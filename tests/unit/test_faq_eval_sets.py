"""The README's FAQ figures can be measured again from a clone: the sets are in the repository."""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from bot.faq.cli import faq_app
from bot.settings import ROOT


def test_the_readme_eval_command_runs_on_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`coordbot faq eval (--kb \S+) --set FILE`", readme)
    assert command is not None, "the README names the eval command"
    kb = ROOT / shlex.split(command.group(1))[1]
    assert kb.is_file() and kb.is_relative_to(ROOT)
    sets = [ROOT / p for p in re.findall(r"^\| `(tests/data/[^`]+\.tsv)`", readme, flags=re.M)]
    assert ROOT / "tests" / "data" / "faq_eval" / "faq_dev.tsv" in sets
    for path in sets:
        out = CliRunner().invoke(
            faq_app, ["eval", "--kb", str(kb), "--set", str(path), "--mode", "lexical", "--quiet"]
        )
        assert out.exit_code == 0, out.output
        top1 = re.search(r"top-1: ([\d.]+)%", out.output)
        assert top1 is not None and float(top1.group(1)) > 50, out.output
