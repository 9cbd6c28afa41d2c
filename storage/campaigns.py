"""Queries over the campaign tables: campaigns, units, quota items, tasks, interviews, groups.

Every function takes the session first, flushes at most, and never commits.
"""

from __future__ import annotations

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from storage.models.core import (
    Campaign,
    Chat,
    ChatBinding,
    Interview,
    InterviewUnit,
    QuotaItem,
    Task,
    TaskUnit,
    Unit,
)

EVIDENCE_TABLES = ("evidence", "reports")


def get_campaign(session: Session, slug: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.slug == slug)).one_or_none()


def current_campaign(session: Session, slug: str | None = None) -> Campaign | None:
    """The campaign with this slug, else the most recently loaded one."""
    if slug is not None:
        return get_campaign(session, slug)
    query = select(Campaign).order_by(Campaign.loaded_at.desc().nulls_last(), Campaign.id.desc())
    return session.scalars(query.limit(1)).first()


def list_units(session: Session, campaign_id: int, *, inactive: bool = False) -> list[Unit]:
    query = select(Unit).where(Unit.campaign_id == campaign_id)
    if not inactive:
        query = query.where(Unit.active.is_(True))
    return list(session.scalars(query.order_by(Unit.id)))


def find_unit(session: Session, campaign_id: int, text_: str) -> Unit | None:
    """The active unit whose name or alias is exactly ``text_`` (surrounding blanks ignored)."""
    wanted = text_.strip()
    units = list_units(session, campaign_id)
    by_name = next((u for u in units if u.name == wanted), None)
    return by_name or next((u for u in units if wanted in (u.aliases or [])), None)


def units_by_tag(session: Session, campaign_id: int, tag: str) -> list[Unit]:
    return [u for u in list_units(session, campaign_id) if tag in (u.tags or [])]


def campaign_tags(session: Session, campaign_id: int) -> list[str]:
    """Every tag of the campaign's active units, in first-seen order."""
    tags: dict[str, None] = {}
    for unit in list_units(session, campaign_id):
        tags.update(dict.fromkeys(unit.tags or []))
    return list(tags)


def resolve_units(session: Session, campaign_id: int, text_: str) -> list[Unit]:
    """A unit name, an alias, or a tag (all its units); empty if it names nothing."""
    unit = find_unit(session, campaign_id, text_)
    return [unit] if unit is not None else units_by_tag(session, campaign_id, text_.strip())


def list_quota_items(session: Session, campaign_id: int) -> list[QuotaItem]:
    query = select(QuotaItem).where(QuotaItem.campaign_id == campaign_id).order_by(QuotaItem.id)
    return list(session.scalars(query))


def find_quota_item(session: Session, campaign_id: int, word: str) -> QuotaItem | None:
    """The quota item a user's word means: its key, name or an alias (Latin case ignored)."""
    wanted = word.strip().casefold()
    for item in list_quota_items(session, campaign_id):
        words = [item.key, item.name, *(item.aliases or [])]
        if wanted in (w.casefold() for w in words):
            return item
    return None


def list_tasks(session: Session, campaign_id: int, *, withdrawn: bool = False) -> list[Task]:
    """Tasks by number; withdrawn ones only when asked."""
    query = select(Task).where(Task.campaign_id == campaign_id)
    if not withdrawn:
        query = query.where(Task.withdrawn.is_(False))
    return list(session.scalars(query.order_by(Task.number)))


def get_task(session: Session, campaign_id: int, number: int) -> Task | None:
    query = select(Task).where(Task.campaign_id == campaign_id, Task.number == number)
    return session.scalars(query).one_or_none()


def task_units(session: Session, task: Task, part: str | None = None) -> list[Unit]:
    """The task's units (``part``: "responsible" or "assisting"; None: both), by unit id."""
    ids = [tu.unit_id for tu in task.units if part is None or tu.part == part]
    if not ids:
        return []
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id)))


def tasks_for_unit(
    session: Session, campaign_id: int, unit_id: int, part: str | None = None
) -> list[Task]:
    """Tasks (not withdrawn) in which the unit takes part, by number."""
    query = (
        select(Task)
        .join(TaskUnit, TaskUnit.task_id == Task.id)
        .where(Task.campaign_id == campaign_id, TaskUnit.unit_id == unit_id)
        .where(Task.withdrawn.is_(False))
    )
    if part is not None:
        query = query.where(TaskUnit.part == part)
    return list(session.scalars(query.order_by(Task.number)))


def list_interviews(session: Session, campaign_id: int) -> list[Interview]:
    query = select(Interview).where(Interview.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(Interview.at, Interview.number)))


def get_interview(session: Session, campaign_id: int, number: int) -> Interview | None:
    query = select(Interview).where(Interview.campaign_id == campaign_id)
    return session.scalars(query.where(Interview.number == number)).one_or_none()


def interviews_for_unit(session: Session, campaign_id: int, unit_id: int) -> list[Interview]:
    query = (
        select(Interview)
        .join(InterviewUnit, InterviewUnit.interview_id == Interview.id)
        .where(Interview.campaign_id == campaign_id, InterviewUnit.unit_id == unit_id)
    )
    return list(session.scalars(query.order_by(Interview.at)))


def bindings(session: Session, campaign_id: int) -> list[ChatBinding]:
    query = select(ChatBinding).where(ChatBinding.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(ChatBinding.id)))


def groups_for_unit(session: Session, campaign_id: int, unit: Unit) -> list[Chat]:
    """Active chats bound to the unit itself or to one of its tags."""
    tags = list(unit.tags or [])
    query = (
        select(Chat)
        .join(ChatBinding, ChatBinding.chat_id == Chat.id)
        .where(ChatBinding.campaign_id == campaign_id, Chat.active.is_(True))
        .where((ChatBinding.unit_id == unit.id) | ChatBinding.tag.in_(tags))
        .distinct()
    )
    return list(session.scalars(query.order_by(Chat.id)))


def campaign_groups(session: Session, campaign_id: int, purpose: str | None = None) -> list[Chat]:
    """Active chats bound to the campaign in any way (optionally of one purpose)."""
    query = (
        select(Chat)
        .join(ChatBinding, ChatBinding.chat_id == Chat.id)
        .where(ChatBinding.campaign_id == campaign_id, Chat.active.is_(True))
        .distinct()
    )
    if purpose is not None:
        query = query.where(Chat.purpose == purpose)
    return list(session.scalars(query.order_by(Chat.id)))


def task_has_evidence(session: Session, task_id: int) -> bool:
    """Whether any evidence refers to the task (then it is withdrawn, never deleted).

    Looks for an ``evidence``/``reports`` table, or any ``evidence*`` table, with a ``task_id``
    column, so it starts working as soon as the evidence capability adds its tables.
    """
    inspector = inspect(session.connection())
    for table in inspector.get_table_names():
        if table not in EVIDENCE_TABLES and not table.startswith("evidence"):
            continue
        if "task_id" not in {c["name"] for c in inspector.get_columns(table)}:
            continue
        quoted = session.connection().dialect.identifier_preparer.quote(table)
        query = text(f"SELECT 1 FROM {quoted} WHERE task_id = :task_id LIMIT 1")
        if session.execute(query, {"task_id": task_id}).first() is not None:
            return True
    return False
