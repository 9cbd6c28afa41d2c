"""Liaison registration: redeeming an invite, the form's answers kept in a draft (so a restart
mid-dialog loses nothing), and confirmation into a primary or backup liaison.

Plain services over a session; ``now`` comes in; no Telegram. Answers are never logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.i18n import Catalog
from bot.invites import hash_token
from bot.registration_form import FIELDS, find_field, next_field, split_labelled, validate
from storage import audit, invites, liaisons, outbox, users
from storage import registration_state as state
from storage.models.core import Unit
from storage.models.registration import Liaison

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_FAILED_STARTS = 5
FAILED_WINDOW = timedelta(hours=1)
CONFIRM_WORDS = ("确认", "确定", "提交", "确认提交", "confirm", "ok", "yes", "是")


class Render(Protocol):
    def __call__(self, locale: str | None, key: str, /, **values: Any) -> str: ...


def renderer(catalog: Catalog, default_locale: str) -> Render:
    """Message texts for people other than the speaker (their own locale, else the default)."""

    def render(locale: str | None, key: str, /, **values: Any) -> str:
        return catalog.t(locale or default_locale, key, **values)

    return render


# -- the dialog ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """Where a user's dialog stands after an action, for the handler to render."""

    status: str  # ask | invalid | summary | hint | confirmed | gone | + refusals (see redeem)
    unit: str = ""
    asking: str = ""  # the field asked; "" at the summary
    answers: dict[str, str] = field(default_factory=dict)
    error: str = ""  # the field whose answer was refused
    is_primary: bool = False
    resumed: bool = False
    expires_at: datetime | None = None


def _step(session: Session, draft: Any, status: str, **kw: Any) -> Step:
    unit = session.get(Unit, draft.unit_id)
    kw.setdefault("asking", draft.field)
    return Step(status, unit.name if unit else "", answers=dict(draft.answers), **kw)


def redeem(session: Session, *, token: str, user_id: int, campaign_id: int, now: datetime) -> Step:
    """``/start <token>``: check the invite and open (or resume) the form. Refusals:
    limited (too many failed tries), unknown, revoked, used (by someone else), spent (this
    user completed a registration with it: a removed liaison needs a new invite), expired.
    The one who opened the form resumes it with the same link, even after it expired."""
    if state.failed_starts_since(session, user_id, now - FAILED_WINDOW) >= MAX_FAILED_STARTS:
        return Step("limited")
    invite = invites.by_hash(session, hash_token(token)) if TOKEN_SHAPE.fullmatch(token) else None

    def refuse(status: str) -> Step:
        state.add_failed_start(session, user_id, now=now)
        return Step(status, expires_at=invite.expires_at if invite else None)

    if invite is None or invite.campaign_id != campaign_id:
        return refuse("unknown")
    if invite.revoked:
        return refuse("revoked")
    if invite.used_by is not None and invite.used_by != user_id:
        return refuse("used")
    draft = state.get_draft(session, user_id)
    if invite.used_by == user_id and draft is not None and draft.invite_id == invite.id:
        return _step(session, draft, "ask" if draft.field else "summary", resumed=True)
    mine = liaisons.liaison_of_user(session, campaign_id, user_id)
    if (
        invite.used_by == user_id
        and mine is not None
        and mine.unit_id == invite.unit_id
        and mine.updated_at >= (invite.used_at or now)
    ):  # registered with this invite (and since then maybe removed): a link works once
        return Step("already") if mine.active else refuse("spent")
    if invite.expires_at <= now:  # also for its user after /cancel: the link has run out
        return refuse("expired")
    invite.used_by, invite.used_at = user_id, invite.used_at or now
    answers = _answers_of(mine) if mine is not None else {}
    draft = state.put_draft(
        session,
        user_id=user_id,
        campaign_id=campaign_id,
        unit_id=invite.unit_id,
        invite_id=invite.id,
        answers=answers,
        field=next_field(answers),
        now=now,
    )
    audit.record(
        session, at=now, actor_id=user_id, action="invite.redeem", target=f"invite:{invite.id}"
    )
    return _step(session, draft, "ask" if draft.field else "summary")


LAST_UPDATE = "_last_update_id"  # in the draft's answers: the last update applied


def _answers_of(liaison: Liaison) -> dict[str, str]:
    return {f: getattr(liaison, f) or "" for f in FIELDS}


def answer(
    session: Session,
    *,
    user_id: int,
    text: str,
    now: datetime,
    only: str | None = None,
    update_id: int | None = None,
) -> Step:
    """A text answer: to the field being asked, or at the summary a field name ("手机"),
    a labelled value ("手机 13800138000") or a confirmation word. ``only``: a button's answer,
    taken only while its field is the one asked.

    ``update_id``: the answer's update. One already applied (processed again after a crash)
    changes nothing: the dialog has moved on and must not take it for the next field's answer.
    Telegram's update ids increase; after a week without updates they may restart, so the
    check only holds within a day of the last answer.
    """
    draft = state.get_draft(session, user_id)
    if draft is None:
        return Step("gone")
    if update_id is not None:
        recent = draft.updated_at > now - timedelta(days=1)
        if recent and int(draft.answers.get(LAST_UPDATE, 0)) >= update_id:
            return _step(session, draft, "ask" if draft.field else "summary")
        draft.answers = {**draft.answers, LAST_UPDATE: str(update_id)}
    if only is not None and draft.field != only:
        return _step(session, draft, "ask" if draft.field else "summary")
    if not draft.field:
        return _at_summary(session, draft, text, now)
    jump = find_field(text) if only is None else None
    if jump is not None and jump != draft.field:  # "手机": answer that one first
        draft.field, draft.updated_at = jump, now
        return _step(session, draft, "ask")
    labelled = split_labelled(text, loose=False) if only is None else None
    if labelled is not None and labelled[0] != draft.field:  # "邮箱：a@b.cn" while asked another
        value, error = validate(*labelled)
        if error is not None:
            draft.field = labelled[0]
            return _step(session, draft, "invalid", error=error)
        draft.answers = {**draft.answers, labelled[0]: value or ""}
        return _step(session, draft, "ask")
    value, error = validate(draft.field, text)
    if error is not None:
        return _step(session, draft, "invalid", error=error)
    return _store(session, draft, draft.field, value or "", now)


def _store(session: Session, draft: Any, name: str, value: str, now: datetime) -> Step:
    answers = dict(draft.answers)
    answers[name] = value
    draft.answers = answers
    draft.field = "" if draft.correcting else next_field(answers, after=name)
    draft.correcting, draft.updated_at = False, now
    return _step(session, draft, "ask" if draft.field else "summary")


def _at_summary(session: Session, draft: Any, text: str, now: datetime) -> Step:
    word = text.strip().casefold()
    if word in CONFIRM_WORDS:
        return Step("confirm")
    chosen = find_field(text)
    if chosen is not None:
        return choose_field(session, user_id=draft.user_id, name=chosen, now=now)
    labelled = split_labelled(text)
    if labelled is not None:
        name, raw = labelled
        value, error = validate(name, raw)
        if error is not None:
            draft.field, draft.correcting, draft.updated_at = name, True, now
            return _step(session, draft, "invalid", error=error)
        draft.correcting = True
        return _store(session, draft, name, value or "", now)
    return _step(session, draft, "hint")


def choose_field(session: Session, *, user_id: int, name: str, now: datetime) -> Step:
    """Correct one field from the summary: ask it, then come back to the summary."""
    draft = state.get_draft(session, user_id)
    if draft is None or name not in FIELDS:
        return Step("gone")
    draft.field, draft.correcting, draft.updated_at = name, True, now
    return _step(session, draft, "ask")


def current(session: Session, *, user_id: int) -> Step:
    draft = state.get_draft(session, user_id)
    if draft is None:
        return Step("gone")
    return _step(session, draft, "ask" if draft.field else "summary")


def cancel(session: Session, *, user_id: int, now: datetime) -> bool:
    """Leave the dialog without saving anything (the invite stays bound to this user)."""
    return state.drop_draft(session, user_id)


def start_edit(session: Session, *, user_id: int, campaign_id: int, now: datetime) -> Step:
    """``/me edit``: the liaison's own answers, at the summary, ready to correct."""
    mine = liaisons.liaison_of_user(session, campaign_id, user_id)
    if mine is None or not mine.active:
        return Step("not_liaison")
    draft = state.put_draft(
        session,
        user_id=user_id,
        campaign_id=campaign_id,
        unit_id=mine.unit_id,
        invite_id=None,
        answers=_answers_of(mine),
        field="",
        now=now,
    )
    return _step(session, draft, "summary")


def confirm(
    session: Session,
    *,
    user_id: int,
    now: datetime,
    coordinators: frozenset[int],
    render: Render,
    locale: str | None = None,
) -> Step:
    """Save the answers: a new liaison (primary if the unit has none, else backup) or an update."""
    draft = state.get_draft(session, user_id)
    if draft is None:
        return Step("gone")
    missing = next_field(draft.answers)
    if missing:
        draft.field, draft.correcting = missing, False
        return _step(session, draft, "ask")
    unit = session.get(Unit, draft.unit_id)
    if draft.invite_id is not None:
        invite = invites.get(session, draft.invite_id)
        if invite is None or invite.revoked:
            state.drop_draft(session, user_id)
            return Step("revoked")
    mine = liaisons.liaison_of_user(session, draft.campaign_id, user_id)
    is_new = mine is None or not mine.active or mine.unit_id != draft.unit_id
    if mine is not None and is_new and mine.active and mine.is_primary:
        promote_next(session, mine)
    if is_new:
        has_primary = liaisons.primary_of_unit(session, draft.unit_id) is not None
    if mine is None:
        mine = Liaison(campaign_id=draft.campaign_id, user_id=user_id)
        session.add(mine)
    if is_new:
        mine.unit_id, mine.active, mine.created_at = draft.unit_id, True, now
        mine.is_primary = not has_primary
    for name in FIELDS:
        setattr(mine, name, draft.answers.get(name, ""))
    mine.updated_at = now
    person = users.get_user(session, user_id)
    if person is not None and person.role == "resident":
        users.set_role(session, person, "liaison", now=now)
    state.drop_draft(session, user_id)
    session.flush()
    action = "liaison.register" if is_new else "liaison.update"
    audit.record(
        session,
        at=now,
        actor_id=user_id,
        action=action,
        target=f"unit:{draft.unit_id}",
        detail={"primary": mine.is_primary, "liaison": mine.id},
    )
    unit_name = unit.name if unit else ""
    if is_new:
        role = render(
            locale, "registration.role.primary" if mine.is_primary else "registration.role.backup"
        )
        text = render(
            locale, "registration.notice.registered", unit=unit_name, name=mine.name, role=role
        )
        for chat_id in sorted(coordinators):
            outbox.add(
                session,
                chat_id=chat_id,
                payload={"method": "sendMessage", "text": text},
                now=now,
                kind="notice",
                dedupe_key=f"liaison:registered:{mine.id}:{now.isoformat()}:{chat_id}",
            )
    return Step("confirmed", unit_name, is_primary=mine.is_primary, resumed=not is_new)


def promote_next(session: Session, leaving: Liaison) -> Liaison | None:
    """The primary leaves its unit: the longest-serving backup becomes primary."""
    leaving.is_primary = False
    backups = [x for x in liaisons.liaisons_of_unit(session, leaving.unit_id) if x.id != leaving.id]
    if backups:
        backups[0].is_primary = True
        return backups[0]
    return None
