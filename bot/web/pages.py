"""Rendering pages: Jinja2 templates, autoescaped, in the visitor's language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from aiohttp import web

from bot.render import fmt_datetime
from bot.roles import COORDINATOR, COORDINATORS, LIAISON, OFFICE
from bot.web.matrix_html import cells

if TYPE_CHECKING:
    from bot.deps import Deps
    from bot.web.auth import Visitor

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAV = (
    ("/", "web.nav.matrix", OFFICE),
    ("/review", "web.nav.review", OFFICE),
    ("/questions", "web.nav.questions", OFFICE),
    ("/faq", "web.nav.faq", OFFICE),
    ("/reminders", "web.nav.reminders", COORDINATORS),
    ("/broadcast", "web.nav.broadcast", COORDINATORS),
    ("/roster", "web.nav.roster", OFFICE),
    ("/export", "web.nav.export", COORDINATORS),
    ("/audit", "web.nav.audit", COORDINATORS),
)


class Pages:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["cells"] = cells

    def locale(self, visitor: Visitor | None) -> str:
        return visitor.actor.locale if visitor else self.deps.settings.locale

    def t(self, visitor: Visitor | None) -> Any:
        catalog, locale = self.deps.catalog, self.locale(visitor)

        def t(key: str, /, **values: Any) -> str:
            return catalog.t(locale, key, **values)

        return t

    def when(self, visitor: Visitor | None) -> Any:
        tz, locale = self.deps.settings.tz, self.locale(visitor)

        def when(moment: datetime | None) -> str:
            return fmt_datetime(moment, tz, locale) if moment else "-"

        return when

    def html(self, visitor: Visitor | None, template: str, **values: Any) -> str:
        role = visitor.actor.role if visitor else ""
        nav = [(href, key) for href, key, roles in NAV if role in roles]
        if role == LIAISON and visitor and visitor.actor.unit_id is not None:
            nav = [(f"/units/{visitor.actor.unit_id}", "web.nav.my_unit")]
        return self.env.get_template(template).render(
            t=self.t(visitor),
            when=self.when(visitor),
            visitor=visitor,
            csrf=visitor.csrf if visitor else "",
            nav=nav,
            is_coordinator=role == COORDINATOR,
            is_office=role in OFFICE,
            lang=self.locale(visitor),
            **values,
        )

    def render(
        self,
        request: web.Request,
        visitor: Visitor | None,
        template: str,
        *,
        status: int = 200,
        **values: Any,
    ) -> web.Response:
        body = self.html(visitor, template, path=request.path, **values)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
