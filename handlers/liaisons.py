"""The office's liaison commands: /invite, /invites, /liaisons (roster, export), /liaison
(primary, remove), /grant and /revoke (the staff role). Rosters hold phone numbers and
e-mails: private chat only, coordinators and staff only."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

from bot import invites as invite_service
from bot import liaison_admin
from bot.commands import Command
from bot.liaison_export import export_name, export_roster
from bot.registration import Render, renderer
from bot.render import fmt_datetime
from bot.roles import COORDINATORS, OFFICE
from bot.turn import Turn

PRIMARY_WORDS = ("primary", "主", "主联络员", "main")
REMOVE_WORDS = ("remove", "移除", "删除", "解除", "delete")
STAFF_WORDS = ("staff", "工作人员")


def _when(turn: Turn, at: object) -> str:
    return fmt_datetime(at, turn.deps.settings.tz, turn.actor.locale)  # type: ignore[arg-type]


def _exports(turn: Turn) -> Path:
    return Path(turn.deps.settings.media_dir) / "exports"


def _render(turn: Turn) -> Render:
    return renderer(turn.deps.catalog, turn.deps.settings.locale)


async def invite(turn: Turn) -> None:
    """/invite <unit|tag|all> — deep links; /invite revoke <unit|tag|all>."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    args = turn.args
    if not args:
        turn.reply(turn.t("registration.invite.usage"))
        return
    if args[0].casefold() in ("revoke", "撤销"):
        if len(args) == 1:
            turn.reply(turn.t("registration.invite.usage"))
            return
        ref = " ".join(args[1:])
        found, n = await turn.run(
            invite_service.revoke_invites,
            campaign_id=turn.campaign_id,
            ref=ref,
            actor_id=turn.actor.user_id,
            now=turn.now,
        )
        key = "unknown" if not found else ("revoked" if n else "revoke_none")
        turn.reply(turn.t(f"registration.invite.{key}", ref=ref, n=n))
        return
    ref = turn.arg_text
    batch = await turn.run(
        invite_service.create_invites,
        campaign_id=turn.campaign_id,
        ref=ref,
        actor_id=turn.actor.user_id,
        now=turn.now,
        days=turn.deps.settings.invite_days,
    )
    if not batch.found:
        turn.reply(turn.t("registration.invite.unknown", ref=ref))
        return
    bot = turn.deps.bot_username or "bot"
    links = [(i, f"https://t.me/{bot}?start={i.token}") for i in batch.invites]
    if not batch.bulk:
        made, link = links[0]
        text = turn.t(
            "registration.invite.one", unit=made.unit, until=_when(turn, made.expires_at), link=link
        )
        if made.has_liaison:
            text += "\n" + turn.t("registration.invite.backup_note")
        turn.reply(text)
        return
    if not links:
        turn.reply(turn.t("registration.invite.none", ref=ref))
        return
    until = _when(turn, links[0][0].expires_at)
    lines = [turn.t("registration.invite.many", n=len(links), until=until)]
    lines += [turn.t("registration.invite.line", unit=i.unit, link=link) for i, link in links]
    if batch.skipped:
        lines.append(turn.t("registration.invite.skipped", n=batch.skipped))
    turn.reply("\n".join(lines))
    path = _exports(turn) / f"invites-{turn.now:%Y%m%d-%H%M%S}-{turn.update.update_id}.csv"
    rows = [
        (i.unit, link, i.expires_at.astimezone(turn.deps.settings.tz).isoformat())
        for i, link in links
    ]
    await asyncio.to_thread(write_csv, path, rows)
    turn.reply_file(path, filename=path.name, caption=turn.t("registration.invite.csv_caption"))


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["unit", "link", "expires_at"])
        writer.writerows(rows)
    path.chmod(0o600)


async def invites_(turn: Turn) -> None:
    """/invites — open invites: unit, made, valid until (the links themselves are not kept)."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    rows = await turn.run(
        invite_service.open_invite_list, campaign_id=turn.campaign_id, now=turn.now
    )
    if not rows:
        turn.reply(turn.t("registration.invites.none"))
        return
    lines = [turn.t("registration.invites.title", n=len(rows))]
    for unit, made, until in rows:
        lines.append(
            turn.t(
                "registration.invites.line",
                unit=unit,
                created=_when(turn, made),
                until=_when(turn, until),
            )
        )
    turn.reply("\n".join(lines))


async def liaisons_(turn: Turn) -> None:
    """/liaisons [unit|tag] — the roster; /liaisons export — the xlsx (附件3 columns)."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    if turn.args and turn.args[0].casefold() in ("export", "导出", "xlsx"):
        await export(turn)
        return
    ref = turn.arg_text
    found = await turn.run(liaison_admin.roster, campaign_id=turn.campaign_id, ref=ref)
    if not found.found:
        turn.reply(turn.t("registration.roster.unknown", ref=ref))
        return
    empty = turn.t("registration.summary.empty")
    lines = [
        turn.t("registration.roster.title", units=len(found.units), missing=len(found.missing))
    ]
    for unit, people in found.units:
        lines.append(turn.t("registration.roster.unit", unit=unit))
        for p in people:
            which = turn.t(
                "registration.role.primary" if p.is_primary else "registration.role.backup"
            )
            values = {
                f: getattr(p, f) or empty
                for f in ("name", "department", "title", "gender", "phone", "mobile", "email")
            }
            lines.append(turn.t("registration.roster.person", which=which, **values))
    if found.missing:
        names = "、".join(found.missing)
        lines.append(turn.t("registration.roster.missing", n=len(found.missing), names=names))
    turn.reply("\n".join(lines))


async def export(turn: Turn) -> None:
    assert turn.campaign_id is not None
    path = _exports(turn) / export_name(turn.now).replace(".xlsx", f"-{turn.update.update_id}.xlsx")
    n = await turn.run(
        export_roster,
        campaign_id=turn.campaign_id,
        path=path,
        label=lambda key: turn.t(key),
        tz=turn.deps.settings.tz,
    )
    turn.reply_file(
        path, filename=export_name(turn.now), caption=turn.t("registration.export.caption", n=n)
    )


async def liaison(turn: Turn) -> None:
    """/liaison <unit> primary|remove <@user|ID|name>."""
    args = turn.args
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    action = args[1].casefold() if len(args) >= 3 else ""
    if action not in PRIMARY_WORDS + REMOVE_WORDS:
        turn.reply(turn.t("registration.liaison.usage"))
        return
    change = await turn.run(
        liaison_admin.change_liaison,
        campaign_id=turn.campaign_id,
        unit_ref=args[0],
        action="primary" if action in PRIMARY_WORDS else "remove",
        user_ref=" ".join(args[2:]),
        actor_id=turn.actor.user_id,
        now=turn.now,
        render=_render(turn),
        bot_username=turn.deps.bot_username,
    )
    if change.status == "no_unit":
        turn.reply(turn.t("registration.liaison.no_unit", ref=args[0]))
        return
    if change.status in ("no_liaison", "already"):
        turn.reply(
            turn.t(f"registration.liaison.{change.status}", unit=change.unit, name=change.name)
        )
        return
    key = "primary" if action in PRIMARY_WORDS else "remove"
    lines = [turn.t(f"registration.liaison.{key}", unit=change.unit, name=change.name)]
    if change.unreachable:
        names = "、".join(change.unreachable)
        lines.append(
            turn.t("registration.liaison.unreachable", names=names, groups=change.nudged_groups)
        )
    turn.reply("\n".join(lines))
    _wake_delivery(turn)


def _wake_delivery(turn: Turn) -> None:
    delivery = turn.deps.services.get("delivery")
    if delivery is not None:
        delivery.wake()


async def grant(turn: Turn) -> None:
    """/grant staff <@user|ID>."""
    args = turn.args
    if len(args) == 2 and args[0].casefold() in STAFF_WORDS:
        ref = args[1]
    elif len(args) == 1 and args[0].casefold() not in STAFF_WORDS:
        ref = args[0]
    else:
        turn.reply(turn.t("registration.grant.usage"))
        return
    result = await turn.run(
        liaison_admin.grant_staff,
        ref=ref,
        actor_id=turn.actor.user_id,
        now=turn.now,
        coordinators=turn.deps.settings.admins | turn.deps.extra_admins,
    )
    turn.reply(turn.t(f"registration.grant.{result.status}", who=result.who))


async def revoke(turn: Turn) -> None:
    """/revoke <@user|ID> — the staff role back to liaison or resident."""
    args = [a for a in turn.args if a.casefold() not in STAFF_WORDS]
    if len(args) != 1:
        turn.reply(turn.t("registration.revoke.usage"))
        return
    result = await turn.run(
        liaison_admin.revoke_role,
        ref=args[0],
        actor_id=turn.actor.user_id,
        now=turn.now,
        coordinators=turn.deps.settings.admins | turn.deps.extra_admins,
        campaign_id=turn.campaign_id,
    )
    role = turn.t(f"core.role.{result.role}") if result.role else ""
    turn.reply(turn.t(f"registration.revoke.{result.status}", who=result.who, role=role))


COMMANDS = [
    Command(
        "invite", invite, roles=COORDINATORS, chats="private", help_key="registration.help.invite"
    ),
    Command(
        "invites",
        invites_,
        roles=COORDINATORS,
        chats="private",
        help_key="registration.help.invites",
    ),
    Command(
        "liaisons", liaisons_, roles=OFFICE, chats="private", help_key="registration.help.liaisons"
    ),
    Command(
        "liaison",
        liaison,
        roles=COORDINATORS,
        chats="private",
        help_key="registration.help.liaison",
    ),
    Command("grant", grant, roles=COORDINATORS, help_key="registration.help.grant"),
    Command("revoke", revoke, roles=COORDINATORS, help_key="registration.help.revoke"),
]
