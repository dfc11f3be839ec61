"""SQLModel tables. Importing this package registers every table on
`SQLModel.metadata`, which Alembic compares against the migrations."""

from portal_app.models.identity import Organization

__all__ = ["Organization"]
