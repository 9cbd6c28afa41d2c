"""The dashboard's aiohttp application: sessions, CSRF, security headers, and serving it.

aiohttp because the bot already runs on it (PTB's HTTP client, the webhook): the dashboard
shares the bot's event loop, database and services, with no second server stack.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.web import auth
from bot.web.matrix_cache import MatrixCache
from bot.web.pages import Pages

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
COOKIE = "coordbot_session"
STATIC = Path(__file__).resolve().parent / "static"
MAX_UPLOAD = 200 * 1024 * 1024  # a liaison's forty photos at once
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
OPEN_PATHS = ("/login", "/static/", "/signed-out")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DEPS: web.AppKey[Deps] = web.AppKey("deps")
PAGES: web.AppKey[Pages] = web.AppKey("pages")
MATRIX_CACHE: web.AppKey[MatrixCache] = web.AppKey("matrix-cache")
VISITOR: web.RequestKey[auth.Visitor] = web.RequestKey("visitor")
FORM: web.RequestKey[Any] = web.RequestKey("form")


def who(deps: Deps) -> auth.Who:
    return auth.Who(
        deps.settings.admins | deps.extra_admins, deps.settings.locale, deps.campaign_id
    )


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    except Exception:  # one line for the visitor, the whole story in the log
        log.exception("web: %s %s failed", request.method, request.path)
        response = request.app[PAGES].render(
            request, request.get(VISITOR), "error.html", status=500, key="web.error.internal"
        )
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response
    return response


@web.middleware
async def signed_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but sign-in and static files needs a live session; changes need the CSRF
    token of that session."""
    if request.path.startswith(OPEN_PATHS):
        return await handler(request)
    deps = request.app[DEPS]
    cookie = request.cookies.get(COOKIE, "")
    now = deps.clock.now()
    visitor = await deps.db.run(auth.visitor, cookie, who=who(deps), now=now) if cookie else None
    if visitor is None:
        pages = request.app[PAGES]
        return pages.render(request, None, "signin_needed.html", status=401)
    request[VISITOR] = visitor
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        request[FORM] = form
        given = str(form.get("csrf", "")) or request.headers.get("X-CSRF-Token", "")
        if not auth.csrf_ok(visitor.csrf, given):
            log.warning("web: refused a %s %s without its CSRF token", request.method, request.path)
            pages = request.app[PAGES]
            return pages.render(request, visitor, "error.html", status=403, key="web.error.csrf")
    return await handler(request)


def build_app(deps: Deps) -> web.Application:
    from bot.web.routes import ROUTES

    app = web.Application(middlewares=[headers, signed_in], client_max_size=MAX_UPLOAD)
    app[DEPS] = deps
    app[PAGES] = Pages(deps)
    app[MATRIX_CACHE] = MatrixCache()
    for register in ROUTES:
        register(app)
    app.router.add_static("/static/", STATIC, append_version=True)
    return app
