"""Health of the running instance, for the status shown to visitors and the
API's health route. Reveals nothing about tenants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session


@dataclass(frozen=True)
class Health:
    database_ok: bool
    schema_revision: str | None


def check_health(session: Session) -> Health:
    """Whether the database answers and which migration it is on. The query
    runs in a savepoint, so a failure (no such table: not migrated) undoes
    only the savepoint and leaves the caller's transaction usable; services
    never end the caller's transaction, not even to roll it back."""
    try:
        with session.begin_nested():
            revision = session.connection().execute(
                text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except SQLAlchemyError:
        return Health(database_ok=False, schema_revision=None)
    return Health(database_ok=True, schema_revision=revision)
