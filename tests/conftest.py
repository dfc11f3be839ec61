"""Shared fixtures: a migrated SQLite file per test, and a throwaway database
on the real PostgreSQL server of this machine."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head

PG_ADMIN_URL = os.environ.get("PORTAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = make_url(PG_ADMIN_URL)
    name = f"portal_test_{secrets.token_hex(6)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated_engine(url: str) -> Engine:
    upgrade_to_head(url)
    return make_engine(url)


@pytest.fixture
def engine(sqlite_url) -> Iterator[Engine]:
    """A SQLite file migrated to head (the embedded default)."""
    eng = _migrated_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request) -> Iterator[Engine]:
    """The same tests on SQLite and on the real PostgreSQL server."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    eng = _migrated_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
