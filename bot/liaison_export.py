"""The roster as an Excel workbook: the 附件3 columns in the form's order, then the unit and
whether the person is its primary or backup liaison; a second sheet lists units still missing one.
It holds personal data: it is sent only to coordinators and staff in a private chat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.liaison_admin import roster
from bot.registration_form import FIELDS

EXTRA = ("unit", "role", "updated")


def export_roster(
    session: Session,
    *,
    campaign_id: int,
    path: Path,
    label: Callable[[str], str],
    tz: ZoneInfo,
) -> int:
    """Write the workbook to ``path``; ``label(key)`` gives column titles and role names.
    Returns the number of liaisons written."""
    from openpyxl import Workbook  # ~30 MB, loaded with the first export
    from openpyxl.styles import Font

    found = roster(session, campaign_id=campaign_id)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = label("registration.export.sheet")
    sheet.append(
        [label(f"registration.field.{f}") for f in FIELDS]
        + [label(f"registration.export.{c}") for c in EXTRA]
    )
    count = 0
    for unit, people in found.units:
        for p in people:
            role = label(
                "registration.role.primary" if p.is_primary else "registration.role.backup"
            )
            when = p.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if p.updated_at else ""
            sheet.append([getattr(p, f) for f in FIELDS] + [unit, role, when])
            count += 1
    missing = book.create_sheet(label("registration.export.missing_sheet"))
    missing.append([label("registration.export.unit")])
    for name in found.missing:
        missing.append([name])
    for ws in (sheet, missing):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(40, 4 + 2 * width)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    path.chmod(0o600)
    return count


def export_name(now: datetime) -> str:
    return f"liaisons-{now.strftime('%Y%m%d-%H%M%S')}.xlsx"
