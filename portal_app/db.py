"""The one database helper: engine creation and a transactional session.

SQLite gets WAL and enforced foreign keys so the embedded default behaves like
a real database; PostgreSQL is used as is. The schema is made only by Alembic.

Engines never put SQL parameters into error messages or logs
(`hide_parameters`): a failed INSERT would otherwise print password hashes,
token hashes and email addresses into tracebacks.

`session_scope` is the transaction of one action. On SQLite it starts with
`BEGIN IMMEDIATE`, so it holds the database's write lock before its first
read: a rule checked by reading and then writing (an organisation keeps an
owner, an invitation is accepted once) cannot be broken by two actions
interleaving. Other sessions (plain `Session(engine)`, used by tests and the
mail sender) keep the driver's usual behaviour: reads outside a transaction,
`BEGIN` before the first write. On PostgreSQL services lock the rows they
check (`SELECT ... FOR UPDATE`, see `lock_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from portal_app.settings import get_settings

# Execution option: on SQLite, begin this connection's transactions with the write lock.
WRITE_LOCK = "portal_write_lock"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # Python's sqlite3 would send a deferred BEGIN only before the first
        # write, after the reads that decided it. For a write session we take
        # over (isolation_level None) and take the lock first; for any other
        # session we give the connection back its usual behaviour.
        dbapi_conn = conn.connection.dbapi_connection
        if conn.get_execution_options().get(WRITE_LOCK):
            dbapi_conn.isolation_level = None
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif dbapi_conn.isolation_level is None:
            dbapi_conn.isolation_level = ""


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the SQLite pragmas we rely on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)
        _sqlite_events(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it
    raises, so a failed action never leaves half-written rows. On SQLite it
    holds the write lock from its first statement (see the module docstring);
    keep these blocks short and never open a second one inside the first."""
    with Session(engine or get_engine(), expire_on_commit=False,
                 execution_options={WRITE_LOCK: True}) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_rows(session: Session, statement):  # noqa: ANN001, ANN201
    """Run `statement` (a select) with `FOR UPDATE`: on PostgreSQL the rows stay
    locked until the transaction ends, so a second action checking the same
    rule waits and then sees the first one's result. SQLite has no row locks;
    there `session_scope` already holds the whole database's write lock."""
    return session.exec(statement.with_for_update()).all()
