"""The one way lists are paged: a count, a clamped page number (anything
that is not a sensible int is page 1), and one page of rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select


@dataclass(frozen=True)
class Page:
    rows: list
    page: int
    pages: int
    total: int


def paginate(session: Session, stmt, page: object, size: int) -> Page:
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-total // size))
    number = page if type(page) is int and 1 <= page <= pages else 1  # noqa: E721
    rows = session.exec(stmt.offset((number - 1) * size).limit(size)).all()
    return Page(list(rows), number, pages, total)
