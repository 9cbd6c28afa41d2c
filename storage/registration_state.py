"""Dialog drafts, persisted conversation states and failed /start attempts. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models.registration import ConversationState, RegistrationDraft, StartAttempt


# -- drafts ------------------------------------------------------------------------------
def get_draft(session: Session, user_id: int) -> RegistrationDraft | None:
    return session.get(RegistrationDraft, user_id)


def put_draft(
    session: Session,
    *,
    user_id: int,
    campaign_id: int,
    unit_id: int,
    invite_id: int | None,
    answers: dict[str, Any],
    field: str,
    now: datetime,
) -> RegistrationDraft:
    """Start (or restart) the user's dialog with these answers, asking ``field``."""
    draft = session.get(RegistrationDraft, user_id)
    if draft is None:
        draft = RegistrationDraft(user_id=user_id, created_at=now)
        session.add(draft)
    draft.campaign_id, draft.unit_id, draft.invite_id = campaign_id, unit_id, invite_id
    draft.answers, draft.field, draft.correcting, draft.updated_at = (
        dict(answers),
        field,
        False,
        now,
    )
    session.flush()
    return draft


def drop_draft(session: Session, user_id: int) -> bool:
    draft = session.get(RegistrationDraft, user_id)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


# -- conversation states (bot.persistence) -------------------------------------------------
def conversation_states(session: Session, name: str) -> list[tuple[str, Any]]:
    query = select(ConversationState).where(ConversationState.name == name)
    return [(row.conv_key, row.state) for row in session.scalars(query)]


def set_conversation_state(session: Session, name: str, key: str, state: Any) -> None:
    """Store a state; ``None`` removes the conversation."""
    row = session.get(ConversationState, (name, key))
    if state is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ConversationState(name=name, conv_key=key, state=state))
    else:
        row.state = state
    session.flush()


# -- failed /start attempts ----------------------------------------------------------------
def add_failed_start(session: Session, user_id: int, *, now: datetime) -> None:
    session.add(StartAttempt(user_id=user_id, at=now))
    session.flush()


def failed_starts_since(session: Session, user_id: int, since: datetime) -> int:
    query = select(func.count(StartAttempt.id)).where(
        StartAttempt.user_id == user_id, StartAttempt.at >= since
    )
    return int(session.scalar(query) or 0)


def prune_failed_starts(session: Session, before: datetime) -> None:
    session.execute(delete(StartAttempt).where(StartAttempt.at < before))
