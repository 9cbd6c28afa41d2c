"""The campaign file's groups and their bindings, written by the loader (``bot.campaign.loader``).

Each binding records where it came from (``ChatBinding.origin``): the file's are made to match
the file on every load; those made in chat with ``/bind`` are the office's data and only
``/unbind`` removes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

import storage.campaigns as crud
from bot.campaign.report import LoadReport
from bot.campaign.spec import CampaignSpec
from storage.models.core import Chat, ChatBinding, Unit


def sync_groups(
    session: Session,
    campaign_id: int,
    spec: CampaignSpec,
    units: dict[str, Unit],
    now: datetime,
    report: LoadReport,
) -> None:
    """Make the file's bindings (``origin = "file"``) what the file declares. Bindings made in
    chat (``/bind``) are the office's data: a reload never adds to, changes or removes them."""
    current: dict[int, list[ChatBinding]] = {}
    made_in_chat: set[tuple[int, int | None, str | None]] = set()
    for binding in crud.bindings(session, campaign_id):
        if binding.origin == "chat":
            made_in_chat.add((binding.chat_id, binding.unit_id, binding.tag))
        else:
            current.setdefault(binding.chat_id, []).append(binding)
    for gs in spec.groups:
        chat = session.get(Chat, gs.chat_id)
        created = chat is None
        if chat is None:
            kind = "supergroup" if str(gs.chat_id).startswith("-100") else "group"
            chat = Chat(
                id=gs.chat_id,
                type=kind,
                title=gs.title,
                purpose=gs.purpose,
                # Not active until the bot is seen in it (added, or a message arrives): a
                # group listed in a file may not exist yet, and nothing is sent there before.
                active=False,
                updated_at=now,
            )
            session.add(chat)
            session.flush()
            report.created["group"] += 1
        # the title Telegram reports wins over the file's once the bot has seen the chat
        changed = (chat.purpose, chat.title) != (gs.purpose, chat.title or gs.title)
        if changed:
            chat.purpose, chat.title, chat.updated_at = gs.purpose, chat.title or gs.title, now
        wanted: set[tuple[int | None, str | None]] = {(units[n].id, None) for n in gs.units}
        wanted |= {(None, t) for t in gs.tags}
        wanted = wanted or {(None, None)}
        have = current.pop(gs.chat_id, [])
        for binding in have:
            if (binding.unit_id, binding.tag) not in wanted:
                session.delete(binding)
                changed = True
        have_keys = {(b.unit_id, b.tag) for b in have}
        for unit_id, tag in wanted - have_keys:
            if (gs.chat_id, unit_id, tag) in made_in_chat:
                continue  # already bound in chat: that row stays the chat's
            session.add(
                ChatBinding(
                    chat_id=gs.chat_id,
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    tag=tag,
                    origin="file",
                )
            )
            changed = True
        if changed and not created:
            report.updated["group"] += 1
    for stale in current.values():
        for binding in stale:
            session.delete(binding)
        report.unbound["group"] += 1
