"""Alembic is the only way the schema is made, on SQLite and PostgreSQL, and
the models never drift from the migrations."""

import pytest
from alembic import command
from sqlalchemy import inspect

from portal_app.db import make_engine
from portal_app.migrations import alembic_config, upgrade_to_head


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_empty_sqlite_database_upgrades_to_head(sqlite_url):
    upgrade_to_head(sqlite_url)
    assert {"alembic_version", "organizations"} <= _tables(sqlite_url)


@pytest.mark.postgres
def test_empty_postgresql_database_upgrades_to_head(pg_url):
    upgrade_to_head(pg_url)
    assert {"alembic_version", "organizations"} <= _tables(pg_url)


def test_upgrade_is_repeatable(sqlite_url):
    upgrade_to_head(sqlite_url)
    upgrade_to_head(sqlite_url)
    assert "organizations" in _tables(sqlite_url)


def test_models_match_migrations(sqlite_url):
    """`alembic check` fails when a model changed without a migration."""
    upgrade_to_head(sqlite_url)
    command.check(alembic_config(sqlite_url))


@pytest.mark.postgres
def test_models_match_migrations_on_postgresql(pg_url):
    """The same check on PostgreSQL, where some indexes exist only there."""
    upgrade_to_head(pg_url)
    command.check(alembic_config(pg_url))
