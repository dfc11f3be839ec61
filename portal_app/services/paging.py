"""The one way lists are paged, written for lists of 200,000 rows.

A list is a filtered `select` without ORDER BY plus its sort keys: columns
that order it completely (the last one unique, such as the id), all in one
direction, with an index on (filter columns, keys) so that a page is a short
index walk. `paginate` then does two statements, whatever the page:

- the count, capped: at most `CAP` + 1 rows of the filtered query, with any
  ORDER BY stripped (a count over the ordered query made SQLite sort every
  row first). An exact count is an index walk over every matching row (25–45
  ms for 60,000–200,000 entries on PostgreSQL, most of a page's cost) to
  tell someone paging by Next "of 4,000" where "more than 10,000" does as
  well: so a total is exact up to `CAP` and `Page.capped` beyond. A capped list does
  not know its last page; the page's rows are then read with one row more
  than the page, which says whether there is a next one;
- the page's rows, found the cheapest way that is still right:
  * page 1: the first `size` rows of the index;
  * the page next to the one the person is on (the pager's Previous and
    Next): keyset ("seek") paging from the sort keys of that page's last (or
    first) row, kept in the `Cursor` the state holds server-side. Its cost
    does not grow with the depth, and rows written meanwhile neither shift
    nor repeat what the person is reading;
  * any other page number (a bookmark, an API call, the last page): OFFSET
    over the sort keys alone (an index-only walk), then the page's rows by
    their unique last key, in the same statement; counted from whichever end of
    the list is nearer when the total is exact (so the last page is as cheap
    as the first and the walk is at most half the list), from the start when
    it is capped.

A list may also be given as disjoint `parts` (conditions no two of which a
row meets): the list is then the union of `stmt.where(part)`, and each
statement above is made of a UNION ALL with one member per part, each
member filtered by its part, ordered by the keys and limited to what the
page needs (the rows skipped plus the page's), under the list's ORDER BY
and LIMIT (and OFFSET): the page's keys are found so, the page's rows then
by their unique last key in the same statement, as for a page by number.
This is how a search that ORs two indexed conditions stays short: "a name
or an email address starts with 'grace'" as one OR was a bitmap scan of
every match and a sort of them all (12,500 of 200,000 people: 84–124 ms p95
on PostgreSQL), where as two parts (the name matches; the email matches
whose name does not match) each part is the first few entries of its own
index and PostgreSQL merges them in order (a Merge Append: 0.3 ms). Each
member is wrapped in a subquery (`SELECT * FROM (… ORDER BY … LIMIT n)`),
since SQLite allows no ORDER BY or LIMIT in a compound's member; the count
counts the UNION ALL of the parts' constant rows, capped as above. The
parts must be disjoint: a row in two parts would be listed twice.

Hostile input never errors: a page number that is not a sensible int, or a
cursor that is not one this module made for these keys, gives page 1. So
does a page number past the end of a capped list (found empty: a third
statement reads page 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, literal, literal_column, tuple_, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import coercions, operators, roles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, select


@dataclass(frozen=True)
class Cursor:
    """Where the pager is: the page shown and the sort keys of its first and
    last rows. States keep it in a backend var (never sent to the browser)
    and hand it back with the next page number."""

    page: int
    first: tuple
    last: tuple


# Rows counted at most; beyond it a list says "more than 10,000".
CAP = 10_000
# The deepest page number taken from a capped list (whose last page is not
# known): an OFFSET past it would not fit a 64-bit integer.
MAX_PAGE = 10**9


@dataclass(frozen=True)
class Page:
    """One page of a list. When `capped`, the list has more than `total`
    (= `CAP`) rows and `pages` is what is known: this page, plus one when
    there is a next page; otherwise both are exact."""

    rows: list
    page: int
    pages: int
    total: int
    cursor: Cursor | None = None  # None when the page is empty
    capped: bool = False

    def mapped(self, build) -> Page:
        """The same page with each row turned into what the caller shows."""
        return replace(self, rows=[build(row) for row in self.rows])


@dataclass(frozen=True)
class Keys:
    """A list's sort order: columns, most significant first, the last one
    unique; all ascending or all descending. Each has a known type (give
    `func.lower(...)` a `type_`), which is how a cursor's values are checked."""

    columns: tuple[ColumnElement, ...]
    descending: bool = False

    def order(self, *, reverse: bool = False) -> list[ColumnElement]:
        down = self.descending != reverse
        return [c.desc() if down else c.asc() for c in self.columns]

    def beyond(self, values: tuple, *, reverse: bool = False) -> ColumnElement:
        """The rows after `values` in this order (before them when reversed):
        a row-value comparison, plus the same bound on the first key alone,
        which is what lets SQLite seek into an index on an expression such
        as lower(name) instead of scanning it from the start (it does use the
        row value on plain columns; PostgreSQL on both)."""
        bounds = [literal(v, type_=c.type) for c, v in zip(self.columns, values, strict=True)]
        row, bound, first = tuple_(*self.columns), tuple_(*bounds), self.columns[0]
        if self.descending != reverse:
            return and_(first <= bounds[0], row < bound)
        return and_(first >= bounds[0], row > bound)

    def accepts(self, values: object) -> bool:
        """Whether `values` could be this list's keys (a hostile or stale
        cursor is ignored, never bound into SQL as something else)."""
        return isinstance(values, tuple) and len(values) == len(self.columns) and all(
            _fits(c, v) for c, v in zip(self.columns, values))


class CodePointOrder(ColumnElement):
    """A text expression compared in code-point order on every engine, so a
    list sorted or searched by it is the same on SQLite and PostgreSQL:
    SQLite's default (binary) collation already is that order; PostgreSQL
    compares under the database's collation unless told `COLLATE "C"`. A
    list's order index on it must be C-collated on PostgreSQL too
    (models/identity.py), which is also what lets `starts_with` write a
    prefix as a range of that index there, whatever the server's collation."""

    inherit_cache = True
    _traverse_internals = [("inner", InternalTraversal.dp_clauseelement)]

    def __init__(self, expression: ColumnElement) -> None:
        self.inner = coercions.expect(roles.ExpressionElementRole, expression)
        self.type = self.inner.type

    @property
    def _from_objects(self) -> list:
        return self.inner._from_objects


@compiles(CodePointOrder)
def _code_point_order(element: CodePointOrder, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(element.inner.self_group(against=operators.collate), **kw)


@compiles(CodePointOrder, "postgresql")
def _code_point_order_postgresql(element: CodePointOrder, compiler, **kw) -> str:  # noqa: ANN001
    return f'{compiler.process(element.inner.self_group(against=operators.collate), **kw)} COLLATE "C"'


def _fits(column: ColumnElement, value: object) -> bool:
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's python_type is `object`
    try:
        expected = kind.python_type
    except NotImplementedError:
        return False
    if expected is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if expected is str:
        return type(value) is str and "\x00" not in value  # no text column holds NUL (PostgreSQL refuses it)
    return type(value) is expected  # exact: True is an int too


def count(session: Session, stmt, *, cap: int | None = None, parts: Sequence[ColumnElement] = ()) -> int:
    """The number of rows of a list, counted without its ORDER BY; with a
    `cap`, at most `cap` + 1 of them (more than `cap` is all the caller
    needs to know). The rows counted select a constant, not the list's
    columns: under a LIMIT, SQLite would otherwise compute each row's
    columns, subqueries included, just to count it. With disjoint `parts`,
    the rows of each part, as a UNION ALL (see the module's docstring)."""
    rows = stmt.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    if parts:
        rows = union_all(*(rows.where(part) for part in parts))
    if cap is not None:
        rows = rows.limit(cap + 1)
    return session.exec(select(func.count()).select_from(rows.subquery())).one()


def paginate(session: Session, stmt, page: object, size: int, *, keys: Keys, cursor: object = None,
             parts: Sequence[ColumnElement] = ()) -> Page:
    """One page of `stmt` (filtered, unordered) in the order of `keys`, with
    the capped count: two statements whatever the page (a third only when a
    seek finds nothing because the rows around the cursor went, or a page
    number lies past the end of a capped list). With `parts`, the list is
    the union of `stmt.where(part)` for these disjoint conditions. See the
    module's docstring for how each page is found."""
    parts = tuple(parts)
    counted = count(session, stmt, cap=CAP, parts=parts)
    capped = counted > CAP
    total = min(counted, CAP)
    pages = max(1, -(-total // size))
    # isinstance, not type(): a state hands the cursor back inside Reflex's change-tracking proxy.
    if cursor is not None and not (isinstance(cursor, Cursor) and type(cursor.page) is int  # noqa: E721
                                   and keys.accepts(cursor.first) and keys.accepts(cursor.last)):
        page = 1
    number = page if type(page) is int and 1 <= page <= (MAX_PAGE if capped else pages) else 1  # noqa: E721
    width = len(stmt.column_descriptions)
    # Labelled, so that a key the query selects already (the id) is not merged into it.
    keyed = stmt.add_columns(*(c.label(f"paging_key_{i}") for i, c in enumerate(keys.columns)))
    read = size + 1 if capped else size  # the row beyond the page says whether a next one exists
    found = _seek(session, stmt, keyed, number, size, read, keys, cursor, parts) if number > 1 else None
    # Previous, by seek, read backwards: the next page is the one the person was on.
    more = bool(found) and number < cursor.page
    if not found:
        found = _by_number(session, stmt, keyed, number, size, read, None if capped else total, keys, parts)
    if not found and number > 1:  # past the end of a capped list
        number, found = 1, _by_number(session, stmt, keyed, 1, size, read, None, keys, parts)
    if capped:
        more = more or len(found) > size
        found, pages = found[:size], number + 1 if more else number
    rows = [row[0] if width == 1 else tuple(row[:width]) for row in found]
    marks = [tuple(row[width:]) for row in found]
    return Page(rows, number, pages, total, Cursor(number, marks[0], marks[-1]) if marks else None, capped)


def _rows(session: Session, stmt) -> list:
    """Rows as tuples, also for one entity plus its keys (SQLModel's `exec`
    would return the entity alone, dropping the keys)."""
    return list(OrmSession.execute(session, stmt))


def _seek(session: Session, stmt, keyed, number: int, size: int, read: int, keys: Keys,
          cursor: Cursor | None, parts: tuple[ColumnElement, ...]) -> list | None:
    """The page next to the cursor's, by its keys (`read` rows forwards);
    None when the cursor is not for a neighbouring page."""
    if cursor is None or number not in (cursor.page - 1, cursor.page + 1):
        return None
    if parts:
        forwards = number == cursor.page + 1
        after = keys.beyond(cursor.last) if forwards else keys.beyond(cursor.first, reverse=True)
        found = _rows(session, _parts(stmt, keyed, keys, 0, read if forwards else size, parts=parts,
                                      reverse=not forwards, after=after))
        return found if forwards else found[::-1]
    if number == cursor.page + 1:
        return _rows(session, keyed.where(keys.beyond(cursor.last)).order_by(*keys.order()).limit(read))
    before = keyed.where(keys.beyond(cursor.first, reverse=True)).order_by(*keys.order(reverse=True)).limit(size)
    return _rows(session, before)[::-1]


def _by_number(session: Session, stmt, keyed, number: int, size: int, read: int, total: int | None,
               keys: Keys, parts: tuple[ColumnElement, ...]) -> list:
    """Page `number` by OFFSET, from the nearer end of the list when its
    `total` is known (None: capped, so from the start, `read` rows)."""
    start = (number - 1) * size
    if total is None:
        return _rows(session, _from(stmt, keyed, keys, start, read, parts=parts))
    end = min(number * size, total)
    if start <= total - end:
        return _rows(session, _from(stmt, keyed, keys, start, size, parts=parts))
    backwards = _from(stmt, keyed, keys, total - end, max(0, end - start), reverse=True, parts=parts)
    return _rows(session, backwards)[::-1]


def _from(stmt, keyed, keys: Keys, skip: int, limit: int, *, reverse: bool = False,
          parts: tuple[ColumnElement, ...] = ()):
    """`limit` rows after the first `skip` in the order of `keys` (reversed),
    as one statement that walks the OFFSET over the keys alone and then
    reads just the page's rows by their unique last key:

        SELECT … FROM t WHERE … AND id IN (SELECT id FROM t WHERE …
                                           ORDER BY keys LIMIT n OFFSET skip)
        ORDER BY keys LIMIT n

    An OFFSET over the rows themselves reads every skipped row (on
    PostgreSQL a heap visit each); over the keys, the index that orders the
    list answers it alone (index-only). A seek from the page's first key
    (a join with a one-row subquery of it) was tried: SQLite then sorted
    every row past that key, not knowing the join keeps the index's order.
    The list's last key must be unique and indexed (the id, usually). A
    list in `parts`: see `_parts`."""
    if parts:
        return _parts(stmt, keyed, keys, skip, limit, parts=parts, reverse=reverse)
    order = keys.order(reverse=reverse)
    if skip == 0:
        return keyed.order_by(*order).limit(limit)
    last = keys.columns[-1]
    page_keys = (stmt.order_by(None).with_only_columns(last, maintain_column_froms=True)
                 .order_by(*order).offset(skip).limit(limit))
    return keyed.where(last.in_(page_keys)).order_by(*order).limit(limit)


def _parts(stmt, keyed, keys: Keys, skip: int, limit: int, *, parts: tuple[ColumnElement, ...],
           reverse: bool = False, after: ColumnElement | None = None):
    """`limit` rows after the first `skip` (and beyond `after`, a seek's
    bound) of the union of `stmt.where(part)`, in the order of `keys`
    (reversed). The page's last keys are found first, from the keys alone,
    as a UNION ALL of each part's first `skip` + `limit` in order, under
    the same ORDER BY, LIMIT and OFFSET (PostgreSQL merges the parts' index
    walks in order: a Merge Append):

        SELECT … FROM t WHERE … AND id IN (
            SELECT k1 FROM (SELECT * FROM (SELECT key AS k0, id AS k1 FROM t WHERE … AND part_a
                                           ORDER BY keys LIMIT skip + n)
                            UNION ALL
                            SELECT * FROM (… AND part_b …)
                            ORDER BY k0, k1 LIMIT n OFFSET skip))
        ORDER BY keys LIMIT n

    and then the page's rows by their unique last key, as `_from` does: so
    the list's `stmt` may select anything (columns or entities), while each
    part walks only its keys (index-only where the index holds them)."""
    names = [f"paging_key_{i}" for i in range(len(keys.columns))]
    walk = stmt.order_by(None).with_only_columns(*(c.label(n) for c, n in zip(keys.columns, names)),
                                                 maintain_column_froms=True)
    if after is not None:
        walk = walk.where(after)
    members = []
    for part in parts:
        member = walk.where(part).order_by(*keys.order(reverse=reverse)).limit(skip + limit).subquery()
        members.append(select(*member.c))  # SQLite: a compound's member has no ORDER BY or LIMIT of its own
    merged = union_all(*members)
    down = keys.descending != reverse
    merged = merged.order_by(*(merged.selected_columns[n].desc() if down else merged.selected_columns[n].asc()
                               for n in names)).limit(limit)
    if skip:
        merged = merged.offset(skip)
    last = keys.columns[-1]
    page_keys = select(merged.subquery().c[names[-1]])
    return keyed.where(last.in_(page_keys)).order_by(*keys.order(reverse=reverse)).limit(limit)


def starts_with(session: Session, column: ColumnElement, prefix: str) -> ColumnElement:
    """`column` starts with `prefix`, written so that an index on `column`
    answers it. SQLite's LIKE cannot use an index on an expression (such as
    lower(name)) but a range can, and its binary order is code-point order,
    so the range is exact. On PostgreSQL the range is exact only in
    code-point order: for a `CodePointOrder` column (`COLLATE "C"`, as the
    sort keys of a list searched by prefix are) it is that range too,
    answered by the list's own order index; for any other column it is LIKE
    'prefix%', which a btree answers only in the C collation or with
    text_pattern_ops (otherwise exact, but a scan)."""
    if session.get_bind().dialect.name == "postgresql" and not isinstance(column, CodePointOrder):
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"{escaped}%", escape="\\")
    return and_(column >= prefix, column < prefix + "\U0010ffff")
