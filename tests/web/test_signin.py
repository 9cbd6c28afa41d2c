"""Signing in to the dashboard: /web links, single use, expiry, sessions, logout, role change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.web.app import COOKIE
from storage.models.core import AuditEntry, User
from storage.models.web import WebLogin
from tests.e2e.test_evidence import Liaisons
from tests.web.client import browser, link_token, sign_in, web_session


async def test_nothing_without_a_session(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (_h, base), browser() as client:
        for path in ("/", "/review", "/questions", "/units/1", "/tasks/1", "/files/1/thumb"):
            async with client.get(f"{base}{path}") as response:
                assert response.status == 401, path
                assert "/web" in await response.text()
                assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        async with client.post(f"{base}/review/1", data={"decision": "accept"}) as response:
            assert response.status == 401


async def test_resident_refused_coordinator_link_works_once(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (h, base), browser() as client:
        resident = h.api.add_user("李居民")
        refused = await h.reply_text(resident, "/web")
        assert refused == "工作台只对协调员、工作人员和联络员开放。"
        with h.deps.db.transaction() as s:
            assert s.scalars(select(WebLogin)).all() == []

        token = await link_token(h, h.admin)
        with h.deps.db.transaction() as s:
            stored = s.scalars(select(WebLogin)).one()
            assert token not in stored.digest  # only the digest is kept
        async with client.post(f"{base}/login", data={"token": token}) as landed:
            assert landed.status == 200 and "虎门镇" in await landed.text()
            assert landed.history[0].status == 303
            cookie = landed.history[0].cookies[COOKIE]
            assert cookie["httponly"] and cookie["samesite"] == "Strict"
            assert not cookie["secure"]  # the URL is http
        async with browser() as other:
            async with other.post(f"{base}/login", data={"token": token}) as again:
                assert again.status == 410 and "已经用过" in await again.text()
            async with other.get(f"{base}/login/{token}") as again:
                assert again.status == 410
            async with other.get(f"{base}/") as page:
                assert page.status == 401
        with h.deps.db.transaction() as s:
            refusals = s.scalars(
                select(AuditEntry).where(AuditEntry.action == "web.login_refused")
            ).all()
            assert [r.detail["state"] for r in refusals] == ["used"]


async def test_expired_link_and_logout(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (h, base), browser() as client:
        token = await link_token(h, h.admin)
        with h.deps.db.transaction() as s:
            row = s.scalars(select(WebLogin)).one()
            row.expires_at = row.created_at - timedelta(seconds=1)
        async with client.post(f"{base}/login", data={"token": token}) as landed:
            assert landed.status == 410 and "已过期" in await landed.text()
        async with client.post(f"{base}/login", data={"token": "guessed"}) as landed:
            assert landed.status == 410

        page = await sign_in(h, base, h.admin, client)
        from tests.web.client import csrf_of

        async with client.post(f"{base}/logout", data={}) as refused:
            assert refused.status == 403  # no CSRF token: not even a logout
        async with client.post(f"{base}/logout", data={"csrf": csrf_of(page)}) as out:
            assert out.status == 200 and "已退出" in await out.text()
        async with client.get(f"{base}/") as after:
            assert after.status == 401


async def test_session_ends_when_the_role_changes(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        liaison = liaisons.make(h, "小虎", "虎门镇")
        landing = await sign_in(h, base, liaison, client)
        assert "虎门镇" in landing and "批量上传" in landing
        with h.deps.db.transaction() as s:
            user = s.get(User, liaison.id)
            assert user is not None
            user.role = "resident"
        async with client.get(f"{base}/") as page:
            assert page.status == 401


async def test_session_ends_after_12_hours_idle(tmp_path: Path) -> None:
    from storage.models.web import WebSession

    async with web_session(tmp_path) as (h, base), browser() as client:
        await sign_in(h, base, h.admin, client)
        with h.deps.db.transaction() as s:
            row = s.scalars(select(WebSession)).one()
            row.seen_at = row.seen_at - timedelta(hours=11, minutes=59)
        async with client.get(f"{base}/") as fine:
            assert fine.status == 200  # active within 12 h: and now seen again
        with h.deps.db.transaction() as s:
            row = s.scalars(select(WebSession)).one()
            assert h.deps.clock.now() - row.seen_at < timedelta(minutes=1)
            row.seen_at = row.seen_at - timedelta(hours=12, minutes=1)
        async with client.get(f"{base}/") as idle:
            assert idle.status == 401
        with h.deps.db.transaction() as s:
            assert s.scalars(select(WebSession)).one().end_reason == "idle"
