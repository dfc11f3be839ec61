"""Named sequences ("ticket" for T-1042; invoice numbers per year later):
`next_number` hands out each number once, with no gaps, however many
actions ask at the same moment, on SQLite and PostgreSQL alike.

One UPDATE ... RETURNING advances the row: on PostgreSQL it locks the row
until the caller's transaction ends (a second action waits, then reads the
advanced value), on SQLite the write lock does the same. A sequence's row is
made on first use (INSERT ... ON CONFLICT DO NOTHING, so two first uses
cannot both make it); a rolled-back action gives its number back."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from portal_app.models import Counter


def next_number(session: Session, name: str, *, first: int = 1) -> int:
    """The next number of sequence `name` (`first` if it was never used)."""
    advance = update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    value = session.execute(advance).scalar()
    if value is not None:
        return value
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Counter).values(name=name, value=first - 1).on_conflict_do_nothing())
    return session.execute(advance).scalar_one()
