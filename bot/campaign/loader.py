"""Write a validated ``CampaignSpec`` to the database, in place and idempotently.

Rows are matched by natural keys (campaign slug, unit name, quota key, task and interview
number, chat id) and written only when a value differs, so loading the same spec twice changes
no row at all (not even a timestamp or the audit log). Never commits: the caller owns the
transaction.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import storage.campaigns as crud
from bot.campaign.groups import sync_groups
from bot.campaign.report import LoadReport, spec_hash
from bot.campaign.spec import CampaignSpec
from storage.models.core import (
    AuditEntry,
    Campaign,
    Interview,
    InterviewUnit,
    QuotaItem,
    Task,
    TaskQuota,
    TaskUnit,
    Unit,
)


def _assign(obj: Any, **values: Any) -> bool:
    """Set only the attributes whose value differs; report whether any did."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def load(
    session: Session,
    spec: CampaignSpec,
    *,
    now: datetime,
    source: str | Path | None = None,
    actor_id: int | None = None,
) -> LoadReport:
    """Insert or update the campaign ``spec`` describes; see the module docstring."""
    report = LoadReport(slug=spec.slug)
    src = source if source is not None else spec.source
    fields = {
        "title": spec.title,
        "timezone": spec.timezone,
        "registration_deadline": spec.registration_deadline,
        "faq_file": str(spec.faq) if spec.faq else None,
        "reminder_policy": spec.reminders.to_json(),
        "source_file": str(Path(src).resolve()) if src is not None else None,
        "rebase_days": spec.rebase_days,
    }
    campaign = crud.get_campaign(session, spec.slug)
    if campaign is None:
        campaign = Campaign(slug=spec.slug, **fields)
        session.add(campaign)
        session.flush()
        report.created["campaign"] += 1
    elif _assign(campaign, **fields):
        report.updated["campaign"] += 1
    report.campaign_id = campaign.id
    units = _sync_units(session, campaign.id, spec, report)
    items = _sync_quota_items(session, campaign.id, spec, report)
    session.flush()
    _sync_tasks(session, campaign.id, spec, units, items, report)
    session.flush()
    _drop_quota_items(session, spec, items, report)
    _sync_interviews(session, campaign.id, spec, units, report)
    sync_groups(session, campaign.id, spec, units, now, report)
    if report.changed:
        campaign.content_hash = spec_hash(spec)
        campaign.loaded_at = now
        detail = {"source": fields["source_file"], "rebase_days": spec.rebase_days}
        session.add(
            AuditEntry(
                at=now,
                actor_id=actor_id,
                action="campaign.load",
                target=spec.slug,
                detail={**detail, **report.as_json()},
            )
        )
    session.flush()
    return report


def _sync_units(
    session: Session, campaign_id: int, spec: CampaignSpec, report: LoadReport
) -> dict[str, Unit]:
    existing = {u.name: u for u in crud.list_units(session, campaign_id, inactive=True)}
    for us in spec.units:
        values = {"aliases": list(us.aliases), "kind": us.kind, "tags": list(us.tags)}
        unit = existing.get(us.name)
        if unit is None:
            unit = Unit(campaign_id=campaign_id, name=us.name, active=True, **values)
            session.add(unit)
            existing[us.name] = unit
            report.created["unit"] += 1
        elif _assign(unit, active=True, **values):
            report.updated["unit"] += 1
    wanted = {us.name for us in spec.units}
    for name, unit in existing.items():
        if name not in wanted and unit.active:
            unit.active = False
            report.deactivated["unit"] += 1
    return existing


def _sync_quota_items(
    session: Session, campaign_id: int, spec: CampaignSpec, report: LoadReport
) -> dict[str, QuotaItem]:
    existing = {q.key: q for q in crud.list_quota_items(session, campaign_id)}
    for qs in spec.quota_items:
        values = {"name": qs.name, "measure": qs.measure, "aliases": list(qs.aliases)}
        item = existing.get(qs.key)
        if item is None:
            existing[qs.key] = item = QuotaItem(campaign_id=campaign_id, key=qs.key, **values)
            session.add(item)
            report.created["quota item"] += 1
        elif _assign(item, **values):
            report.updated["quota item"] += 1
    return existing


def _drop_quota_items(
    session: Session, spec: CampaignSpec, items: dict[str, QuotaItem], report: LoadReport
) -> None:
    """Delete quota items no longer in the file (after tasks dropped their targets)."""
    for key in [k for k in items if k not in {q.key for q in spec.quota_items}]:
        session.delete(items.pop(key))
        report.deleted["quota item"] += 1


def _sync_tasks(
    session: Session,
    campaign_id: int,
    spec: CampaignSpec,
    units: dict[str, Unit],
    items: dict[str, QuotaItem],
    report: LoadReport,
) -> None:
    existing = {t.number: t for t in crud.list_tasks(session, campaign_id, withdrawn=True)}
    for ts in spec.tasks:
        values = {
            "title": ts.title,
            "starts_at": ts.starts,
            "deadline": ts.deadline,
            "notes": ts.notes,
            "phase": ts.phase,
            "withdrawn": False,
        }
        parts = {units[n].id: "responsible" for n in ts.responsible}
        parts.update({units[n].id: "assisting" for n in ts.assisting if units[n].id not in parts})
        quotas = {items[key].id: target for key, target in ts.quota}
        task = existing.get(ts.number)
        if task is None:
            task = Task(campaign_id=campaign_id, number=ts.number, **values)
            task.units = [TaskUnit(unit_id=u, part=p) for u, p in parts.items()]
            task.quotas = [TaskQuota(item_id=i, target=t) for i, t in quotas.items()]
            session.add(task)
            report.created["task"] += 1
            continue
        changed = _assign(task, **values)
        changed |= _sync_links(task.units, parts, "unit_id", "part", TaskUnit)
        changed |= _sync_links(task.quotas, quotas, "item_id", "target", TaskQuota)
        if changed:
            report.updated["task"] += 1
    wanted = {ts.number for ts in spec.tasks}
    for number, task in existing.items():
        if number in wanted or task.withdrawn:
            continue
        if crud.task_has_evidence(session, task.id):
            task.withdrawn = True
            report.withdrawn["task"] += 1
        else:
            session.delete(task)
            report.deleted["task"] += 1


def _sync_links(rows: list[Any], wanted: dict[int, Any], key: str, attr: str, model: Any) -> bool:
    """Make a relationship list hold exactly ``wanted`` ({key: attr value}); report changes."""
    changed = False
    for row in list(rows):
        k = getattr(row, key)
        if k not in wanted:
            rows.remove(row)
            changed = True
        elif getattr(row, attr) != wanted[k]:
            setattr(row, attr, wanted[k])
            changed = True
    have = {getattr(row, key) for row in rows}
    for k, v in wanted.items():
        if k not in have:
            rows.append(model(**{key: k, attr: v}))
            changed = True
    return changed


def _sync_interviews(
    session: Session,
    campaign_id: int,
    spec: CampaignSpec,
    units: dict[str, Unit],
    report: LoadReport,
) -> None:
    existing = {iv.number: iv for iv in crud.list_interviews(session, campaign_id)}
    for ivs in spec.interviews:
        values = {"at": ivs.at, "notes": ivs.notes, "contact_days_before": ivs.contact_days_before}
        wanted = [units[n].id for n in ivs.units]
        interview = existing.get(ivs.number)
        if interview is None:
            interview = Interview(campaign_id=campaign_id, number=ivs.number, **values)
            interview.units = [InterviewUnit(unit_id=u) for u in wanted]
            session.add(interview)
            report.created["interview"] += 1
            continue
        changed = _assign(interview, **values)
        for link in [x for x in interview.units if x.unit_id not in wanted]:
            interview.units.remove(link)
            changed = True
        have = {x.unit_id for x in interview.units}
        for unit_id in (u for u in wanted if u not in have):
            interview.units.append(InterviewUnit(unit_id=unit_id))
            changed = True
        if changed:
            report.updated["interview"] += 1
    for number in [n for n in existing if n not in {i.number for i in spec.interviews}]:
        session.delete(existing[number])
        report.deleted["interview"] += 1
