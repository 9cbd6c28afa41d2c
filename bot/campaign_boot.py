"""Loading ``COORDBOT_CAMPAIGN`` at start (idempotent: an unchanged file changes no row)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.campaign import load_file

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)


def load_configured_campaign(deps: Deps) -> tuple[int | None, str | None]:
    """Validate and load the configured campaign; return its id and slug.

    A broken file stops start-up with its errors (``CampaignErrors``); no file means no campaign.
    """
    path = deps.settings.campaign
    if not path.exists():
        log.warning("campaign file %s does not exist: running without a campaign", path)
        return None, None
    rebase_to = deps.settings.campaign_rebase
    if rebase_to == "today":  # the office's today: 03:00 in Shanghai is still "yesterday" in UTC
        rebase_to = deps.clock.now().astimezone(ZoneInfo(deps.settings.timezone)).date()
    with deps.db.transaction() as session:
        report = load_file(session, path, now=deps.clock.now(), rebase_to=rebase_to)
    log.info("campaign %s: %s", report.slug, report.summary())
    return report.campaign_id, report.slug
