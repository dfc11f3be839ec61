"""The one database helper: engine creation and a transactional session.

SQLite gets WAL and enforced foreign keys so the embedded default behaves like
a real database; PostgreSQL is used as is. The schema is made only by Alembic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal_app.settings import get_settings


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the SQLite pragmas we rely on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it
    raises, so a failed action never leaves half-written rows."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
