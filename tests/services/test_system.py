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
