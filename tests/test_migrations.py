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


@pytest.mark.postgres
def test_machines_migrating_at_once_on_postgresql_all_succeed(pg_url, tmp_path):
    """Each instance of a scaled-out portal may run `migrate` as it starts
    (scripts/run.sh does): they queue on an advisory lock, one migrates, the
    others find the schema at head."""
    import os
    import subprocess
    import sys

    from portal_app.settings import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    runs = [subprocess.Popen([sys.executable, "-m", "portal_app", "migrate"], cwd=PROJECT_ROOT,
                             env={**env, "PORTAL_DATABASE_URL": pg_url, "PORTAL_DATA_DIR": str(tmp_path / str(n))},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for n in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    command.check(alembic_config(pg_url))
