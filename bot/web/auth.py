"""Sign-in without passwords: ``/web`` gives a one-time link; opening it starts a session.

Links are 256-bit random tokens, valid once for ten minutes; sessions are server-side rows keyed
by the digest of a random cookie, ended by logout, 12 hours idle, or a change of the user's role
or unit (the role is looked up again on every request, by the same rule the chat uses).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from bot.roles import LIAISON, OFFICE, Actor, Seen, look_up_actor
from storage import audit, users
from storage import web as store
from storage.models.web import WebSession

log = logging.getLogger(__name__)
LINK_TTL = timedelta(minutes=10)
IDLE = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)  # how often a request refreshes the session's last-seen time
WEB_ROLES = OFFICE | {LIAISON}
LinkState = Literal["ok", "unknown", "used", "expired", "refused"]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Who:
    """Whom to look up: the settings that decide a role, as the chat passes them."""

    admins: frozenset[int]
    default_locale: str
    campaign_id: int | None


def actor_of(session: Session, user_id: int, who: Who) -> Actor:
    """The user's role, unit and language now, by the chat's own rule (read-only)."""
    profile = users.profiles(session, [user_id]).get(user_id)
    username, display_name = (profile[0], profile[1]) if profile else (None, "")
    seen = Seen(
        user_id, username, display_name, False, who.admins, who.default_locale, who.campaign_id
    )
    return look_up_actor(session, seen)[0]


def issue_link(session: Session, *, user_id: int, now: datetime) -> str:
    """A new sign-in token for ``user_id`` (the caller checked the role)."""
    token = secrets.token_urlsafe(32)
    store.add_login(
        session, digest=digest(token), user_id=user_id, now=now, expires_at=now + LINK_TTL
    )
    audit.record(session, at=now, actor_id=user_id, action="web.link")
    return token


def link_state(session: Session, token: str, *, now: datetime) -> LinkState:
    row = store.login_by_digest(session, digest(token))
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    return "expired" if row.expires_at <= now else "ok"


@dataclass(frozen=True)
class SignIn:
    state: LinkState
    cookie: str = ""
    actor: Actor | None = None


def redeem(session: Session, token: str, *, who: Who, now: datetime, client: str) -> SignIn:
    """Use the link once and open a session; a bad, used or expired link is logged."""
    row = store.login_by_digest(session, digest(token))
    state: LinkState = "ok"
    if row is None:
        state = "unknown"
    elif row.used_at is not None:
        state = "used"
    elif row.expires_at <= now:
        state = "expired"
    elif not store.use_login(session, row.id, now=now):
        state = "used"
    actor = actor_of(session, row.user_id, who) if row is not None and state == "ok" else None
    if actor is not None and actor.role not in WEB_ROLES:
        state, actor = "refused", None
    if state != "ok" or actor is None:
        log.warning("web sign-in refused: %s link from %s", state, client)
        audit.record(
            session,
            at=now,
            actor_id=row.user_id if row is not None else None,
            action="web.login_refused",
            detail={"state": state, "client": client[:64]},
        )
        return SignIn(state)
    cookie = secrets.token_urlsafe(32)
    store.add_session(
        session,
        WebSession(
            digest=digest(cookie),
            user_id=actor.user_id,
            role=actor.role,
            unit_id=actor.unit_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            seen_at=now,
        ),
    )
    audit.record(session, at=now, actor_id=actor.user_id, action="web.login", target=actor.role)
    return SignIn("ok", cookie, actor)


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: who, and the session's CSRF token."""

    actor: Actor
    csrf: str
    session_id: int


def visitor(session: Session, cookie: str, *, who: Who, now: datetime) -> Visitor | None:
    """The session behind a cookie, if it is still good; ends it when idle or the role moved."""
    row = store.session_by_digest(session, digest(cookie)) if cookie else None
    if row is None or row.ended_at is not None:
        return None
    if now - row.seen_at > IDLE:
        row.ended_at, row.end_reason = now, "idle"
        return None
    actor = actor_of(session, row.user_id, who)
    if (actor.role, actor.unit_id) != (row.role, row.unit_id) or actor.role not in WEB_ROLES:
        row.ended_at, row.end_reason = now, "role"
        log.info("web session of user %s ended: role changed", row.user_id)
        return None
    if now - row.seen_at >= SEEN_EVERY:
        row.seen_at = now
    return Visitor(actor, row.csrf, row.id)


def log_out(session: Session, cookie: str, *, now: datetime) -> None:
    row = store.session_by_digest(session, digest(cookie)) if cookie else None
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now, "logout"
        audit.record(session, at=now, actor_id=row.user_id, action="web.logout")


def csrf_ok(expected: str, given: str) -> bool:
    return bool(given) and secrets.compare_digest(expected.encode(), given.encode())
