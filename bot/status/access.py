"""Who may see what in /status.

Coordinators and staff: any unit; liaisons' phones and e-mails only in a private chat. Liaisons:
their own unit (names of its liaisons, privately) and the campaign-wide views. Residents: a public
summary with nothing personal, or a polite refusal (``COORDBOT_RESIDENTS_SEE_STATUS``). In groups
nothing personal is shown to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.roles import LIAISON, OFFICE, Actor
from bot.status.views import Personal


@dataclass(frozen=True)
class Decision:
    allowed: bool
    personal: Personal = "none"
    reason: str = ""  # message key when refused


def may_see_campaign(actor: Actor, *, residents_see: bool) -> Decision:
    """The overview and task views (no personal data in either)."""
    if actor.role in OFFICE or actor.role == LIAISON or residents_see:
        return Decision(True)
    return Decision(False, reason="status.refuse.residents")


def may_see_unit(actor: Actor, unit_id: int, *, private: bool, residents_see: bool) -> Decision:
    if actor.role in OFFICE:
        return Decision(True, "contacts" if private else "none")
    if actor.role == LIAISON:
        if actor.unit_id != unit_id:
            return Decision(False, reason="status.refuse.other_unit")
        return Decision(True, "names" if private else "none")
    if residents_see:
        return Decision(True, "none")
    return Decision(False, reason="status.refuse.residents")
