"""Alembic environment: the models' metadata is the target, the URL comes
from settings unless the caller (tests, CLI) put one on the config."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.db import make_engine
from portal_app.settings import get_settings

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata
# Several machines may start at once, each running `migrate` (scripts/run.sh
# does): on PostgreSQL one migrates while the others wait on this lock, then
# read the version it committed and have nothing left to do. Any fixed
# number, the same in every process; it lasts until the transaction ends.
MIGRATION_LOCK = 0x706F7274616C  # "portal"


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


# Search structures the migrations make outside the models, one per database:
# SQLite's FTS5 table (and its shadow tables) and PostgreSQL's table of
# tsvectors with its GIN index (services/knowledge.py).
UNMODELLED = frozenset({"ix_knowledge_vectors_document"})
UNMODELLED_PREFIX = ("knowledge_fts", "knowledge_vectors")


def _include_for(dialect: str):
    """Indexes the models declare for one database only (`.ddl_if(dialect=...)`,
    such as PostgreSQL's text_pattern_ops indexes) are compared on that
    database only, so `alembic check` does not ask to add them elsewhere."""
    def include(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
        if reflected and compare_to is None and name in UNMODELLED or str(name).startswith(UNMODELLED_PREFIX):
            return False
        rule = getattr(obj, "_ddl_if", None)  # SQLAlchemy keeps ddl_if() here
        return reflected or rule is None or rule.dialect in (None, dialect)
    return include


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True,
                          include_object=_include_for(connection.dialect.name))
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
