"""Instance health: reports the schema revision, and an unmigrated database
as not ready instead of crashing."""

from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.services.system import check_health


def test_migrated_database_is_healthy_with_a_revision(any_engine):
    with Session(any_engine) as s:
        health = check_health(s)
    assert health.database_ok
    assert health.schema_revision


def test_unmigrated_database_is_reported_not_ready(sqlite_url):
    engine = make_engine(sqlite_url)
    with Session(engine) as s:
        health = check_health(s)
    engine.dispose()
    assert not health.database_ok and health.schema_revision is None


def test_a_failed_check_leaves_the_callers_transaction_usable(pg_url):
    """On PostgreSQL a failed statement aborts the whole transaction unless
    it ran in a savepoint: the caller can still read and commit afterwards."""
    from sqlalchemy import text

    engine = make_engine(pg_url)  # an empty database: no alembic_version table
    with Session(engine) as s:
        assert not check_health(s).database_ok
        assert s.connection().execute(text("SELECT 1")).scalar_one() == 1
        s.commit()
    engine.dispose()
