"""Engine, sessions and migrations.

Services and crud functions are plain synchronous code over a ``Session``; the bot runs them in a
small pool of worker threads (``Database.run``) so a database call never blocks the event loop.
Each ``run``/``transaction`` is one unit of work: commit on success, roll back on error.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.groupcommit import Group

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
Item = TypeVar("Item")
MIGRATIONS = Path(__file__).resolve().parent.parent / "storage" / "migrations"


def sqlalchemy_url(url: str) -> str:
    """Map plain ``postgresql://`` URLs to the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 8, writes: bool = True) -> Engine:
    """An engine; on SQLite ``writes=False`` makes one whose transactions only read (a plain
    ``BEGIN``: in WAL mode readers run alongside the writer instead of queueing for it)."""
    url = sqlalchemy_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size
        )
        _sqlite_pragmas(engine, begin="BEGIN IMMEDIATE" if writes else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)


def _sqlite_pragmas(engine: Engine, *, begin: str) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE: writers queue instead of failing with 'locked'."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # loaded when migrations run, not for every process

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def migration_heads() -> set[str]:
    """The revisions no migration builds on, read from the files (without importing Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                name = getattr(target, "id", "")
                if name == "revision":
                    revisions.add(ast.literal_eval(node.value))
                elif name == "down_revision":
                    down = ast.literal_eval(node.value)
                    parents.update([down] if isinstance(down, str) else down or ())
    return revisions - parents


def applied_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at; empty for a database never migrated."""
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return set()  # no version table yet


def is_current(engine: Engine) -> bool:
    """True when the database is at every head: start-up then skips Alembic (~12 MB resident)."""
    return applied_revisions(engine) == migration_heads()


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (all heads: capabilities add their own branches)."""
    if is_current(engine):
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


class Database:
    """Sessions for one engine, and a thread pool to run them off the event loop.

    On SQLite every transaction takes the write lock (``BEGIN IMMEDIATE``); threads of this
    process queue for it on a Python lock instead of SQLite's busy handler, which polls by
    sleeping (1 ms, 2 ms, ... up to 100 ms) and under a rush left the lock idle most of the time.
    Other processes still wait through ``busy_timeout``.
    """

    def __init__(self, engine: Engine, *, threads: int = 4, reader: Engine | None = None) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.reader = reader or engine
        self.read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db")
        self._writer = threading.RLock() if engine.dialect.name == "sqlite" else None
        self._write_group = Group(self._pool, self.transaction)
        self._read_group = Group(self._pool, self._read_transaction)

    @classmethod
    def from_url(cls, url: str, *, threads: int = 4) -> Database:
        engine = make_engine(url, pool_size=threads + 2)
        reader = None
        if engine.dialect.name == "sqlite":
            reader = make_engine(url, pool_size=threads + 2, writes=False)
        return cls(engine, threads=threads, reader=reader)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on exit, roll back on error."""
        with self._writer or contextlib.nullcontext(), self.sessions() as session, session.begin():
            yield session

    def call(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, *args, **kwargs)`` in one transaction, in this thread."""
        with self.transaction() as session:
            return fn(session, *args, **kwargs)

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, *args, **kwargs)`` in one transaction, in a worker thread."""
        loop = asyncio.get_running_loop()
        job = functools.partial(self.call, fn, *args, **kwargs)
        return await loop.run_in_executor(self._pool, job)

    async def run_grouped(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like ``run``, for small writes: calls that arrive together share one transaction
        (``bot.groupcommit``); it returns once its transaction committed."""
        return cast(T, await self._write_group.submit(fn, args, kwargs))

    async def run_batched(self, fn: Callable[[Session, list[Item]], list[T]], item: Item, /) -> T:
        """Like ``run_grouped``, for a write that has a form over many items at once:
        ``fn(session, items)`` runs once for the items of every call queued meanwhile and
        returns one result per item (``Group.submit_batch``)."""
        return cast(T, await self._write_group.submit_batch(fn, item))

    async def read_batched(self, fn: Callable[[Session, list[Item]], list[T]], item: Item, /) -> T:
        """``run_batched`` for reads (one read transaction)."""
        return cast(T, await self._read_group.submit_batch(fn, item))

    async def read_grouped(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like ``read``, for small reads that arrive together (one read transaction)."""
        return cast(T, await self._read_group.submit(fn, args, kwargs))

    @contextlib.contextmanager
    def _read_transaction(self) -> Iterator[Session]:
        with self.read_sessions() as session, session.begin():
            yield session

    def _read_call(self, fn: Callable[..., T], args: Any, kwargs: Any) -> T:
        with self._read_transaction() as session:
            return fn(session, *args, **kwargs)

    async def read(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a read-only ``fn(session, ...)`` in a worker thread, alongside the writers."""
        loop = asyncio.get_running_loop()
        job = functools.partial(self._read_call, fn, args, kwargs)
        return await loop.run_in_executor(self._pool, job)

    def close(self) -> None:
        for kind, group in (("writes", self._write_group), ("reads", self._read_group)):
            if group.calls:
                log.info("grouped %s: %d in %d transactions", kind, group.calls, group.transactions)
        self._pool.shutdown(wait=True)
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()
