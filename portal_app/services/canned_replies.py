"""Canned replies: answers agents reuse, kept by staff admins (create, edit,
delete, audited) and read by every agent, who inserts one into a ticket's
reply box with its placeholders filled for that ticket.

Placeholders are written `{{customer.first_name}}` (spaces inside the braces
allowed); `PLACEHOLDERS` lists them all. One the portal does not know (a
typo, `{{customer.phone}}`) is left exactly as written and named back to the
agent (`Filled.unknown`), never an error: the agent edits the reply before
sending it.

Values come from people (a customer's name, a subject, an organisation's
name), and the reply they land in is Markdown that `services/markdown.py`
renders later. So each value is inserted as text: the characters Markdown
or HTML would act on are backslash-escaped (`as_text`), and a name such as
`**Bob** <img src=x onerror=…>` shows as those very characters, never as
markup, a link or an image. The body an admin writes is Markdown on purpose
and stays as written.

Canned replies belong to the business, not to an organisation: no `org_id`,
and only staff read them (`visible_to`). Filling one reads the ticket
through `tickets.access_ticket` like every other ticket action."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app.models import CannedReply, Organization, Ticket, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live, tickets
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_long_text, clean_text, contains_pattern

TITLE_MAX = 100
BODY_MAX = 10_000
PAGE_SIZE = 25
MENU_MAX = 200  # the ticket page's menu shows this many, by title
FIND_MAX = 80  # words typed to narrow the menu
EXCERPT = 160  # characters of the body the list shows
MANAGERS = ("admin",)  # staff roles that create, edit and delete them
NOT_FOUND = "Canned reply not found."

# Every placeholder, with what it becomes (the management page lists them).
PLACEHOLDERS: dict[str, str] = {
    "customer.name": "the full name of whoever raised the request",
    "customer.first_name": "their first name",
    "ticket.number": "the request's number, like T-1042",
    "ticket.subject": "the request's subject",
    "organisation.name": "the customer's organisation",
    "agent.name": "your own name",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\n]{1,60}?)\s*\}\}")

ORDER = Keys((func.lower(CannedReply.title, type_=String), CannedReply.id))


# ---------------------------------------------------------------- who sees what

def visible_to(principal: Principal):  # noqa: ANN201 — a Select of CannedReply
    """Every canned reply, for the staff who answer tickets; nobody else."""
    principal.require_staff(*tickets.AGENT_ROLES)
    return select(CannedReply)


def access_canned_reply(session: Session, principal: Principal, reply_id: object) -> CannedReply:
    """One canned reply by id (an int: `state.forms.event_id` reads a page's)."""
    query = visible_to(principal)
    wanted = reply_id if type(reply_id) is int and 0 < reply_id < 2**63 else None  # noqa: E721 — True is an int
    row = session.exec(query.where(CannedReply.id == wanted)).first() if wanted else None
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def check_manage(principal: Principal) -> None:
    """Staff admins keep the canned replies every agent uses."""
    principal.require_staff(*MANAGERS)


# ---------------------------------------------------------------- keeping them

def _clean(session: Session, title: object, body: object, *, other_than: int | None = None) -> tuple[str, str]:
    clean_title = clean_text(title, field="title", label="Title", max_length=TITLE_MAX)
    clean_body = clean_long_text(body, field="body", label="Text", max_length=BODY_MAX)
    same = select(CannedReply.id).where(func.lower(CannedReply.title) == clean_title.lower())
    if other_than is not None:
        same = same.where(CannedReply.id != other_than)
    if session.exec(same).first() is not None:
        raise Invalid("Another canned reply has this title: choose another.", field="title")
    return clean_title, clean_body


def _record(session: Session, principal: Principal, action: str, reply: CannedReply, **details: object) -> None:
    audit.record(session, action, actor=principal, target_type="canned_reply", target_id=reply.id,
                 target_label=reply.title, details=details or None)
    live.changed(session, live.staff_key("canned_replies"))


def create(session: Session, principal: Principal, *, title: object, body: object) -> CannedReply:
    check_manage(principal)
    clean_title, clean_body = _clean(session, title, body)
    now = utcnow()
    reply = CannedReply(title=clean_title, body=clean_body, created_by_id=principal.user_id,
                        updated_by_id=principal.user_id, created_at=now, updated_at=now)
    session.add(reply)
    session.flush()
    _record(session, principal, "canned_reply.created", reply)
    session.flush()
    return reply


def update(session: Session, principal: Principal, reply_id: object, *, title: object,
           body: object) -> CannedReply:
    reply = access_canned_reply(session, principal, reply_id)
    check_manage(principal)
    clean_title, clean_body = _clean(session, title, body, other_than=reply.id)
    if (reply.title, reply.body) == (clean_title, clean_body):
        return reply
    old = reply.title
    reply.title, reply.body = clean_title, clean_body
    reply.updated_by_id, reply.updated_at = principal.user_id, utcnow()
    session.add(reply)
    _record(session, principal, "canned_reply.updated", reply, **({"from": old} if old != clean_title else {}))
    session.flush()
    return reply


def delete(session: Session, principal: Principal, reply_id: object) -> str:
    """Delete one; returns its title (for the page's message)."""
    reply = access_canned_reply(session, principal, reply_id)
    check_manage(principal)
    _record(session, principal, "canned_reply.deleted", reply)
    session.delete(reply)
    session.flush()
    return reply.title


# ---------------------------------------------------------------- reading them

@dataclass(frozen=True)
class CannedReplyRow:
    id: int
    title: str
    body: str  # as written (the form edits it)
    updated_at: datetime
    updated_by: str

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "\u2026"


def list_replies(session: Session, principal: Principal, *, page: object = 1, cursor: object = None) -> Page:
    """One page of them by title (services/paging.py: two statements
    whatever the page); rows are `CannedReplyRow`s."""
    editor = aliased(User)
    stmt = (visible_to(principal).outerjoin(editor, editor.id == CannedReply.updated_by_id)
            .with_only_columns(CannedReply.id, CannedReply.title, CannedReply.body, CannedReply.updated_at,
                               func.coalesce(func.nullif(editor.name, ""), editor.email, "")))
    return paginate(session, stmt, page, PAGE_SIZE, keys=ORDER, cursor=cursor).mapped(
        lambda row: CannedReplyRow(*row))


def menu(session: Session, principal: Principal, query: object = "") -> list[tuple[int, str]]:
    """(id, title) of the first `MENU_MAX` by title whose title or text has
    `query` (any case; anything but text up to `FIND_MAX` finds all): the
    ticket page's menu, which a team with many replies narrows by typing.
    One statement."""
    stmt = visible_to(principal).with_only_columns(CannedReply.id, CannedReply.title)
    if isinstance(query, str) and query.strip() and len(query) <= FIND_MAX:
        pattern = contains_pattern(query)
        stmt = stmt.where(func.lower(CannedReply.title).like(pattern, escape="\\")
                          | func.lower(CannedReply.body).like(pattern, escape="\\"))
    return [(i, t) for i, t in session.execute(stmt.order_by(*ORDER.order()).limit(MENU_MAX)).all()]


# ---------------------------------------------------------------- placeholders

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"([#+\-=])|(\d{1,9})([.)])")
_BREAKS = ("Cc", "Zl", "Zp")  # control characters and line breaks: a value is one line


def as_text(value: str) -> str:
    """`value` as Markdown that renders to exactly its characters: one line
    (line breaks and control characters become spaces), with every character
    Markdown or HTML would act on escaped. Where it would start a list or a
    heading at the start of a line, that start is escaped too."""
    text = " ".join("".join(" " if unicodedata.category(c) in _BREAKS else c for c in value).split())
    text = _INLINE.sub(r"\\\1", text)
    if match := _BLOCK_START.match(text):
        text = ("\\" + text) if match.group(1) else f"{match.group(2)}\\{text[len(match.group(2)):]}"
    return text


@dataclass(frozen=True)
class Filled:
    text: str  # the reply, placeholders replaced (unknown ones as written)
    unknown: tuple[str, ...]  # the unknown placeholders, as written, each once


def fill_text(body: str, values: dict[str, str]) -> Filled:
    """Replace every known placeholder of `body` with its value (as text,
    see `as_text`); leave unknown ones as written and name them. One pass:
    a value that itself looks like a placeholder stays what it is."""
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        key = match.group(1).strip()
        if key in values:
            return as_text(values[key])
        if match.group(0) not in unknown:
            unknown.append(match.group(0))
        return match.group(0)

    return Filled(_PLACEHOLDER.sub(replace, body), tuple(unknown))


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def values_for(session: Session, principal: Principal, ticket: Ticket) -> dict[str, str]:
    """What each placeholder becomes on `ticket`, written by `principal`."""
    raiser = session.get(User, ticket.raised_by_id) if ticket.raised_by_id else None
    customer = (raiser.name or raiser.email.split("@")[0]) if raiser else ""
    org = session.exec(select(Organization.name).where(Organization.id == ticket.org_id)).one()
    return {
        "customer.name": customer,
        "customer.first_name": _first_name(customer),
        "ticket.number": tickets.label(ticket.number),
        "ticket.subject": ticket.subject,
        "organisation.name": org,
        "agent.name": principal.name or principal.email,
    }


def fill(session: Session, principal: Principal, reply_id: object, number: object) -> Filled:
    """The canned reply `reply_id` filled in for ticket `number`, for the
    agent to insert into the reply box (nothing is written)."""
    ticket = tickets.access_ticket(session, principal, number)
    principal.require_staff(*tickets.AGENT_ROLES)
    reply = access_canned_reply(session, principal, reply_id)
    return fill_text(reply.body, values_for(session, principal, ticket))
