"""Named sequences: one row per sequence, advanced by one atomic
UPDATE ... RETURNING (`services/numbering.py`), so numbers are gap-free and
never handed out twice, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Counter(SQLModel, table=True):
    """A named sequence (ticket numbers; invoice numbers per year later):
    one row, advanced by one atomic UPDATE ... RETURNING."""

    __tablename__ = "counters"

    name: str = Field(max_length=40, primary_key=True)
    value: int = Field(default=0)
