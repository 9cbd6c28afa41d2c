"""Every command of the registry, tried by every role, in a private chat and in a group.

Each try gets an answer (never silence), never the internal-error line, never a failed update;
a role or chat the command is not for gets the registry's one-line refusal. ``EXPECTED`` is the
table of who may use what: a command added to the registry without an entry here (or with
other roles than the table says) fails the test until the table is updated on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import Command, all_commands
from storage import inbox
from tests.e2e.people import ROLES, cast, liaison_available
from tests.harness import HOUSEHOLD, Harness, bot_session

C, S, L, R = "coordinator", "staff", "liaison", "resident"
ALL = {C, S, L, R}
OFFICE = {C, S}

# command -> roles allowed (the registry's guard checks the chat kind first)
EXPECTED: dict[str, set[str]] = {
    "accept": {C},
    "answer": OFFICE,
    "bind": {C},
    "broadcast": {C},
    "done": {L},
    "export": {C},
    "faq": OFFICE,
    "grant": {C},
    "help": ALL,
    "invite": {C},
    "invites": {C},
    "lang": ALL,
    "liaison": {C},
    "liaisons": OFFICE,
    "me": ALL,
    "questions": OFFICE,
    "reject": {C},
    "remind": {C},
    "reminders": {C},
    "review": {C},
    "revoke": {C},
    "start": ALL,
    "status": ALL,
    "tasks": ALL,
    "unbind": {C},
    "undo": {L},
    "web": ALL,  # residents are refused by the handler itself, in one line
}


def test_every_registered_command_has_an_entry() -> None:
    registry = {c.name: set(c.roles) for c in all_commands()}
    missing = sorted(set(registry) - set(EXPECTED))
    assert not missing, f"add these commands to EXPECTED with their roles: {missing}"
    gone = sorted(set(EXPECTED) - set(registry))
    assert not gone, f"these commands are no longer registered: {gone}"
    changed = {n: (EXPECTED[n], r) for n, r in registry.items() if EXPECTED[n] != r}
    assert not changed, f"roles differ (table, registry): {changed}"


def refusal(h: Harness, cmd: Command, role: str, chat: str) -> str | None:
    """The one line the registry answers with, or None when the command may run."""
    t = h.deps.catalog.t
    locale = h.settings.locale
    if cmd.chats == "private" and chat == "group":
        return t(locale, "core.refuse.private_only", command=cmd.name)
    if cmd.chats == "group" and chat == "private":
        return t(locale, "core.refuse.group_only", command=cmd.name)
    if role not in cmd.roles:
        allowed = "、".join(t(locale, f"core.role.{r}") for r in sorted(cmd.roles))
        role_name = t(locale, f"core.role.{role}")
        return t(locale, "core.refuse.role", command=cmd.name, role=role_name, allowed=allowed)
    return None


@pytest.mark.parametrize("where", ["private", "group"])
async def test_every_command_as_every_role(tmp_path: Path, where: str) -> None:
    roles = [r for r in ROLES if r != L or liaison_available()]
    if L not in roles:
        pytest.skip("storage/models/registration.py (Liaison) has not landed: no liaison column")
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        c = await cast(h)
        internal = c.internal_error_texts(h)
        problems: list[str] = []
        for cmd in all_commands():
            for role in roles:
                person = c.people[role]
                chat = c.group if where == "group" else h.api.private_chat(person)
                start = h.api.mark()
                h.api.send_text(chat, person, f"/{cmd.name}")
                await h.settle()
                sent = [r for r in h.api.messages_since(start) if r.chat_id in (chat.id, person.id)]
                said = f"/{cmd.name} by {role} in {where}"
                if not sent:
                    problems.append(f"{said}: silence")
                    continue
                bodies = [r.body for r in sent]
                if any(b in internal for b in bodies):
                    problems.append(f"{said}: internal error")
                expected = refusal(h, cmd, role, where)
                if expected is not None and bodies != [expected]:
                    problems.append(f"{said}: expected the refusal {expected!r}, got {bodies}")
                if expected is None and any(b.startswith(f"/{cmd.name} 仅限") for b in bodies):
                    problems.append(f"{said}: refused although allowed: {bodies}")
        with h.deps.db.transaction() as s:
            states = inbox.counts(s)
            failed = [(r.update_id, r.error) for r in inbox.failed(s)]
        assert not problems, "\n".join(problems)
        assert states["failed"] == 0, failed
