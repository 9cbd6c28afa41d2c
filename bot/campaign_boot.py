"""Loading ``COORDBOT_CAMPAIGN`` at start (idempotent: an unchanged file changes no row)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.campaign import loader, parse, rebase

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
    spec = parse.parse_file(path)
    if deps.settings.campaign_rebase is not None:
        spec = rebase.rebase(spec, deps.settings.campaign_rebase)
    with deps.db.transaction() as session:
        report = loader.load(session, spec, now=deps.clock.now(), source=str(path))
        campaign_id = report.campaign_id
    log.info("campaign %s loaded: %s", spec.slug, report.summary())
    return campaign_id, spec.slug
