"""What every page handler needs: the deps, the visitor, role checks, the form, redirects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.web.app import DEPS, FORM, PAGES, VISITOR
from bot.web.auth import Visitor

if TYPE_CHECKING:
    from bot.deps import Deps
    from bot.web.pages import Pages


def deps(request: web.Request) -> Deps:
    return request.app[DEPS]


def pages(request: web.Request) -> Pages:
    return request.app[PAGES]


def visitor(request: web.Request) -> Visitor:
    return request[VISITOR]


def require(request: web.Request, roles: frozenset[str]) -> Visitor:
    who = visitor(request)
    if who.actor.role not in roles:
        raise Refused(request, "web.error.forbidden", 403)
    return who


class Refused(web.HTTPForbidden):
    """A one-line page in the visitor's language, with the given status."""

    def __init__(self, request: web.Request, key: str, status: int = 403, **values: Any) -> None:
        page = pages(request).html(
            request.get(VISITOR), "error.html", key=key, values=values, path=request.path
        )
        super().__init__(text=page, content_type="text/html")
        self.set_status(status)


def form(request: web.Request) -> Any:
    return request[FORM]


def back(location: str, note: str = "") -> web.HTTPSeeOther:
    """Post/redirect/get; ``note`` is a message key shown once on the next page."""
    if note:
        location += ("&" if "?" in location else "?") + "note=" + note
    return web.HTTPSeeOther(location)


def campaign_id(request: web.Request) -> int:
    found = deps(request).campaign_id
    if found is None:
        raise Refused(request, "web.error.no_campaign", 404)
    return found


def wake_delivery(request: web.Request) -> None:
    """Something was queued for the chat: the bot's delivery loop sends it now (in the bot's
    process; beside a separate ``coordbot web`` the bot's delivery finds it when it polls)."""
    delivery = deps(request).services.get("delivery")
    if delivery is not None:
        delivery.wake()
