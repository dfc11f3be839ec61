"""Throwaway databases on this machine's PostgreSQL server, for the tests
(tests/conftest.py) and the benchmarks that run on PostgreSQL."""

from __future__ import annotations

import os

import psycopg
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get("PORTAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def admin_dsn() -> str:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the same server."""
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def create_database(name: str, *, template: str | None = None) -> None:
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
