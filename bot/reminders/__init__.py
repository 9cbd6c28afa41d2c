"""Reminders: the ledger (every reminder a row with a unique key), the campaign planner, the
due-scan that turns due rows into outbox rows, and one-off ``/remind`` reminders.

``bot.scheduler`` is only the clock: it calls ``plan_campaign`` now and then and ``queue_due``
every few seconds; the database decides what is due, so a restart loses nothing and sends
nothing twice.
"""

from bot.reminders.due import queue_due
from bot.reminders.planner import plan_campaign

__all__ = ["plan_campaign", "queue_due"]
