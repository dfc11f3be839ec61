"""The one database helper: engine creation, a transactional session, and
the lock that keeps read-then-write rules true under concurrency.

SQLite gets WAL and enforced foreign keys so the embedded default behaves like
a real database; PostgreSQL is used as is. The schema is made only by Alembic.

Engines never put SQL parameters into error messages or logs
(`hide_parameters`): a failed INSERT would otherwise print password hashes,
token hashes and email addresses into tracebacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from portal_app.settings import get_settings

log = logging.getLogger(__name__)
_AFTER_COMMIT = "portal_after_commit"
_ON_ROLLBACK = "portal_on_rollback"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the SQLite pragmas we rely on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One action's transaction: it commits when the block succeeds and rolls
    back when it raises, so a failed action never leaves half-written rows.
    Services never commit; this (through the state's `_act`, an API route,
    the CLI, a job) is the only place that does.

    What the failure itself must leave behind (a wrong password's count)
    rides on the error as `after_rollback` (see `PortalError.keeping`) and
    is committed here, after the rollback, in a transaction of its own. Not
    from inside the action on a second connection: on SQLite an action that
    has written holds the only write lock, so a second writer would wait for
    it until "database is locked"; after the rollback nothing is held."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            _commit_after_rollback(session, exc)
            raise


def _commit_after_rollback(session: Session, exc: BaseException) -> None:
    """Commit the writes a failed action's error carries. If they fail too,
    the action's own error is still the one raised (and this one logged)."""
    writes = getattr(exc, "after_rollback", ())
    if not writes:
        return
    try:
        for write in writes:
            write(session)
        session.commit()
    except Exception:  # noqa: BLE001 — never hide the action's own error behind this one
        session.rollback()
        logging.getLogger(__name__).exception("could not record what a failed action leaves behind")


def write_lock(session: Session) -> None:
    """On SQLite, hold the database's write lock from here to the end of the
    transaction, before the reads that decide a write.

    Python's sqlite3 runs reads outside any transaction and sends a deferred
    `BEGIN` only before the first INSERT/UPDATE/DELETE, so two actions could
    both read "two owners", then both write. If no transaction is open yet we
    start one with `BEGIN IMMEDIATE` (waiting, up to the busy timeout, for
    the other writer to commit); if one is open, a write already ran in it and
    so it already holds the lock. Only the actions that need it pay for it:
    taking it in every `session_scope` would make every read and every
    password check (about a second of argon2 here) wait for each other.
    PostgreSQL needs nothing here: see `lock_rows`."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_rows(session: Session, statement):  # noqa: ANN001, ANN201
    """Run `statement` (a select) holding its rows until the transaction ends:
    `FOR UPDATE` on PostgreSQL (a second action checking the same rule waits,
    then reads what the first one committed), the write lock on SQLite."""
    write_lock(session)
    return session.exec(statement.with_for_update()).all()


def after_commit(session: Session, callback: Callable[[], object]) -> None:
    """Run `callback` once the caller's transaction has committed, and never
    if it rolls back: a job queued for a row is only ever queued for a row
    that exists (mail for a registration that failed is never sent), and what
    a service writes is never visible to a job before it is committed."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], object]) -> None:
    """Undo, if the caller's transaction rolls back, what was done outside
    the database before the commit (bytes put in file storage for a row that
    will then never exist)."""
    session.info.setdefault(_ON_ROLLBACK, []).append(callback)


def _run(callbacks: list[Callable[[], object]], when: str) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 — the transaction's outcome stands; the step is logged
            log.exception("a step %s failed", when)


@event.listens_for(OrmSession, "after_commit")
def _run_after_commit(session: OrmSession) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_AFTER_COMMIT, []), "after commit")


@event.listens_for(OrmSession, "after_transaction_end")
def _run_after_rollback(session: OrmSession, transaction) -> None:  # noqa: ANN001
    """The outermost transaction ended without a commit (rolled back, or the
    session closed without committing): what was waiting for the commit is
    dropped and what undoes outside work runs."""
    if transaction.parent is not None:
        return
    session.info.pop(_AFTER_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []), "after rollback")
