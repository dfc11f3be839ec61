"""The database helper: no SQL parameter ever reaches an error message (and
so a log), and an action's transaction on SQLite takes the write lock before
its first read."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal_app.db import session_scope, write_lock
from portal_app.models import User
from portal_app.services import passwords
from tests.factories import register


def test_an_integrity_error_carries_no_parameter_values(any_engine):
    with Session(any_engine) as session:
        register(session)
        secret_hash = passwords.hash_password("some-secret-passphrase-1")
        session.add(User(email="ada@example.com", name="Second Ada", password_hash=secret_hash))
        with pytest.raises(IntegrityError) as caught:
            session.flush()
    message = str(caught.value)
    assert "$argon2id$" not in message and secret_hash not in message
    assert "Second Ada" not in message
    # PostgreSQL's own DETAIL line names the duplicate key (the address); that
    # is the server's message, not a parameter. SQLite has no such line.
    if any_engine.dialect.name == "sqlite":
        assert "ada@example.com" not in message
    assert "hidden due to hide_parameters" in message


def test_write_lock_on_sqlite_is_taken_before_the_first_read(engine):
    """Two read-then-write actions on one counter: the second waits for the
    first instead of reading the same value (no lost update)."""
    with session_scope(engine) as session:
        session.exec(text("CREATE TABLE counter (n INTEGER)"))
        session.exec(text("INSERT INTO counter VALUES (0)"))
    barrier = threading.Barrier(2)

    def increment() -> None:
        barrier.wait()
        with session_scope(engine) as session:
            write_lock(session)
            n = session.exec(text("SELECT n FROM counter")).one()[0]
            time.sleep(0.05)
            session.exec(text("UPDATE counter SET n = :n"), params={"n": n + 1})

    threads = [threading.Thread(target=increment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        assert session.exec(text("SELECT n FROM counter")).one()[0] == 2
        # Without the lock a read opens no transaction (and holds nothing):
        # readers never wait for writers.
        session.exec(text("SELECT n FROM counter")).one()
        assert not session.connection().connection.dbapi_connection.in_transaction
        # A rolled-back locked transaction leaves nothing behind.
        write_lock(session)
        session.exec(text("UPDATE counter SET n = 99"))
        session.rollback()
        assert session.exec(text("SELECT n FROM counter")).one()[0] == 2
