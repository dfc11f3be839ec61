"""@mentions in what people write: who a Markdown text names with `@` and a
name or an email address ("@Mia Jones", "@Mia", "@mia@example.com"), among
the people who may be named there (`mentionable`). What the mention then
does (notify, make a follower) is the caller's: services/tickets.py
`do_reply`, in the reply's own transaction.

How a mention is read:
- `@` starts a mention only where a word does not go on (so the `@` of
  "mia@example.com" is not one) and only in the text of the Markdown:
  never in `code`, a code block or a fence;
- the longest full name or email address that follows, ended where a word
  ends ("@Mia Jones's" is Mia Jones; "@Mia Jonesy" is not), in any case and
  however many spaces; failing that, a first name on its own, when it is
  the first word of someone's name;
- a name that fits more than one person is nobody (an ambiguous mention
  is left as text, nothing happens); so is one that fits nobody;
- the text itself is never changed: a mention stays the words that were
  written and renders as those words (services/markdown.py).

Who may be named: in a public reply, the ticket organisation's members and
the staff agents; in an internal note, the staff agents only, so a customer
named in a note is nobody (`mentionable(..., org_id=None)`). At most
`MAX_MENTIONS` distinct people are mentioned by one text, the first ones
named; the rest stay plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from portal_app.models import Membership, User
from portal_app.services.markdown import text_runs

MAX_MENTIONS = 10  # distinct people told per message; further names stay plain text
# An "@" where no word goes on before it, followed by the start of a name or address.
_AT = re.compile(r"(?<![\w@.+-])@(?=\w)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    staff: bool  # one of the business's staff (never a follower)


def mentionable(session: Session, *, staff_roles: tuple[str, ...], org_id: int | None) -> list[Person]:
    """The active people who may be named: staff with one of `staff_roles`,
    and (`org_id` given) that organisation's members. One statement."""
    who = User.staff_role.in_(staff_roles)
    if org_id is not None:
        who = or_(who, User.id.in_(select(Membership.user_id).where(Membership.org_id == org_id)))
    rows = session.exec(select(User.id, User.name, User.email, User.staff_role).where(User.is_active, who)).all()
    return [Person(uid, name, email, role is not None) for uid, name, email, role in rows]


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _ends_word(text: str, at: int) -> bool:
    return at == len(text) or not (text[at].isalnum() or text[at] == "_")


def _first_part(text: str) -> str:
    """`text` up to where its first word ends."""
    return text[:next(j for j in range(1, len(text) + 1) if _ends_word(text, j))] if text else ""


def find(markdown: str, people: Iterable[Person], *, skip: Iterable[int] = (),
         limit: int = MAX_MENTIONS) -> list[Person]:
    """The people `markdown` mentions, in the order first named, at most
    `limit`, without those in `skip` (the author: naming oneself does
    nothing). Never raises on odd input."""
    by_id: dict[int, Person] = {}
    names: dict[str, set[int]] = {}  # a full name or an email address -> who has it
    first_names: dict[str, set[int]] = {}
    for person in people:
        by_id[person.id] = person
        for key in {_key(person.name), _key(person.email)} - {""}:
            names.setdefault(key, set()).add(person.id)
        words = _key(person.name).split(" ")
        if len(words) > 1:
            first_names.setdefault(words[0], set()).add(person.id)
    starts = {_first_part(key) for key in (*names, *first_names)}
    longest = max(map(len, (*names, *first_names)), default=0)
    skipped, found = set(skip), {}
    for text in text_runs(markdown or "") if starts else ():
        for at in _AT.finditer(text):
            rest = _SPACES.sub(" ", text[at.end():at.end() + 2 * longest]).casefold()
            if _first_part(rest) not in starts:
                continue  # the cheap test first: most "@"s name nobody
            ids = next((names.get(rest[:j]) or first_names.get(rest[:j])
                        for j in range(min(len(rest), longest), 0, -1)
                        if _ends_word(rest, j) and (rest[:j] in names or rest[:j] in first_names)), None)
            if ids is None or len(ids) != 1:
                continue  # nobody, or more than one person: left as text
            (person_id,) = ids
            if person_id not in skipped and person_id not in found:
                found[person_id] = by_id[person_id]
                if len(found) >= limit:
                    return list(found.values())
    return list(found.values())
