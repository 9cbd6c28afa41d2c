"""Sign-in: ``/login/<token>`` asks to confirm (link previews must not use the link up), the
POST uses it once and sets the session cookie; ``/logout`` ends the session."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.roles import LIAISON
from bot.web import auth
from bot.web.app import COOKIE, who
from bot.web.routes.common import deps, pages

log = logging.getLogger(__name__)


async def login_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    d = deps(request)
    state = await d.db.run(auth.link_state, token, now=d.clock.now())
    status = 200 if state == "ok" else 410
    if state != "ok":
        log.warning("web sign-in page for a %s link from %s", state, request.remote or "?")
    return pages(request).render(
        request, None, "login.html", status=status, state=state, token=token
    )


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = str(form.get("token", ""))
    d = deps(request)
    client = request.remote or "?"
    done = await d.db.run(auth.redeem, token, who=who(d), now=d.clock.now(), client=client)
    if done.state != "ok" or done.actor is None:
        return pages(request).render(
            request, None, "login.html", status=410, state=done.state, token=""
        )
    target = "/"
    if done.actor.role == LIAISON and done.actor.unit_id is not None:
        target = f"/units/{done.actor.unit_id}"
    response = web.HTTPSeeOther(target)
    response.set_cookie(
        COOKIE,
        done.cookie,
        httponly=True,
        samesite="Strict",
        secure=d.settings.web_url.startswith("https://"),
        path="/",  # no max-age: the server ends the session after 12 h idle
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    await d.db.run(auth.log_out, request.cookies.get(COOKIE, ""), now=d.clock.now())
    response = web.HTTPSeeOther("/signed-out")
    response.del_cookie(COOKIE, path="/")
    raise response


async def signed_out(request: web.Request) -> web.Response:
    return pages(request).render(request, None, "signed_out.html")


def register(app: web.Application) -> None:
    app.router.add_get("/login/{token}", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/signed-out", signed_out)
