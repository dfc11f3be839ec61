"""Support requests: who sees which (`visible_to`, `access_ticket`), raising
one, the conversation (public replies; internal notes for staff only),
closing and reopening, followers, what staff change (status, assignee),
and one request's page (`ticket_view`). The lists, the agent console's
queues and bulk actions are services/ticket_lists.py.

The shape every customer area copies: `visible_to(principal)` is the one
query every reader starts from; `access_*` finds one row through it (a row
the person may not see is "not found", never "forbidden", so ids reveal
nothing); each action has a `check_*` that says whether it is allowed now
(the page asks it to decide what to offer) and a `do_*` that authorises
through the same check, changes, audits, notifies and signals live pages,
all in the caller's one transaction.

Who sees what: staff see every organisation's tickets; an organisation's
owners and admins see all of its tickets; members see the ones they raised
or follow (all of them when the organisation opens tickets to members);
billing members also see billing-category tickets. Internal notes are
filtered out in SQL for everyone but staff (`messages_visible_to`).

A reply that names someone with @ (services/mentions.py) tells them as a
mention instead of as an ordinary reply; a member named in a public reply
who could not see the ticket now follows it; a note names staff only."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from sqlalchemy import and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import (
    Membership, Organization, StoredFile, Ticket, TicketAnswer, TicketAttachment, TicketCategory, TicketField,
    TicketFollower, TicketMessage, User,
)
from portal_app.models.base import utcnow
from portal_app.services import audit, files, live, mentions, notifications, sla
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.markdown import render
from portal_app.services.numbering import next_number
from portal_app.services.principal import ROLES, Principal, principal_for_user, require_role
from portal_app.services.validation import clean_long_text, clean_text
from portal_app.settings import get_settings

# Every status, with what the customer reads for it.
STATUSES: dict[str, str] = {
    "open": "Waiting for us",
    "waiting": "Waiting for you",
    "resolved": "Resolved",
    "closed": "Closed",
}
ACTIVE = ("open", "waiting")
PRIORITIES: dict[str, str] = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
DEFAULT_PRIORITY = "normal"
SEE_ALL = ("owner", "admin")  # an organisation's roles that see all of its tickets
AGENT_ROLES = ("admin", "agent")  # staff who work tickets (reply, notes, status, assignment)
SUBJECT_MAX = 200
BODY_MAX = 20_000
FIRST_NUMBER = 1001  # T-1001 is the first ticket of a new portal
REPEAT_SECONDS = 60  # the same request sent again this soon is the first one, not a second
NOT_FOUND = "Request not found."
MAX_ATTACHMENTS = 10  # per message
ATTACHMENT_KIND = "ticket"  # services/files.py KINDS: read by whoever sees the ticket


def label(number: int) -> str:
    """The readable number: T-1042."""
    return f"T-{number}"


def reopen_days() -> int:
    return get_settings().ticket_reopen_days


# ---------------------------------------------------------------- who sees what

def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Ticket
    """Every ticket `principal` may see (the one filter every reader uses)."""
    principal.require_mfa_ready()
    stmt = select(Ticket)
    if principal.is_staff:
        return stmt
    member_orgs = [m.org_id for m in principal.memberships]
    if not member_orgs:
        return stmt.where(false())
    see_all = [m.org_id for m in principal.memberships if m.role in SEE_ALL]
    billing = [m.org_id for m in principal.memberships if m.role == "billing"]
    open_orgs = select(Organization.id).where(Organization.id.in_(member_orgs), Organization.tickets_open_to_members)
    followed = select(TicketFollower.ticket_id).where(TicketFollower.user_id == principal.user_id)
    billing_categories = select(TicketCategory.id).where(TicketCategory.billing)
    return stmt.where(or_(
        Ticket.org_id.in_(see_all),
        Ticket.org_id.in_(open_orgs),
        and_(Ticket.org_id.in_(member_orgs), or_(
            Ticket.raised_by_id == principal.user_id,
            Ticket.id.in_(followed),
            and_(Ticket.org_id.in_(billing), Ticket.category_id.in_(billing_categories)))),
    ))


def messages_visible_to(principal: Principal):  # noqa: ANN201 — a Select of TicketMessage
    """The conversation entries `principal` may read: internal notes are
    the staff's only, on every path (page, email, API, export, search)."""
    stmt = select(TicketMessage)
    return stmt if principal.is_staff else stmt.where(TicketMessage.internal.is_(False))


def parse_number(text: object) -> int | None:
    """A ticket number as people and URLs write it ("1042", "T-1042"), or None."""
    if not isinstance(text, str):
        return None
    digits = text.strip().upper().removeprefix("T-")
    return int(digits) if digits.isascii() and digits.isdigit() and 0 < len(digits) <= 9 else None


def access_ticket(session: Session, principal: Principal, number: object) -> Ticket:
    """The ticket with that number (an int: `parse_number` reads a URL's), if
    `principal` may see it."""
    wanted = number if type(number) is int and 0 < number < 10**9 else None  # noqa: E721 — True is an int too
    ticket = session.exec(visible_to(principal).where(Ticket.number == wanted)).first() if wanted else None
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def _staff_agent(principal: Principal) -> None:
    principal.require_staff(*AGENT_ROLES)


# ---------------------------------------------------------------- the organisation's setting

def open_to_members(session: Session, principal: Principal, org_id: object) -> bool:
    """Whether every member of the organisation sees all of its tickets."""
    require_role(principal, org_id, *ROLES, to="see this")
    return bool(session.exec(select(Organization.tickets_open_to_members).where(Organization.id == org_id)).one())


def set_open_to_members(session: Session, principal: Principal, org_id: object, *, value: object) -> None:
    """Owners and admins decide whether members see every ticket of the
    organisation, or only those they raised or follow."""
    require_role(principal, org_id, *SEE_ALL, to="change who sees requests", acting=True)
    if type(value) is not bool:  # noqa: E721
        raise Invalid("Choose on or off.")
    org = session.get(Organization, org_id)
    if org.tickets_open_to_members != value:
        org.tickets_open_to_members = value
        session.add(org)
        audit.record(session, "org.tickets_shared", actor=principal, org_id=org_id, details={"shared": value})
        live.changed(session, live.org_key(org_id, "tickets"))
        session.flush()


# ---------------------------------------------------------------- categories

@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str
    description: str
    allows_priority: bool


def categories(session: Session) -> list[CategoryRow]:
    """The categories a request can be raised in, in their order."""
    rows = session.exec(select(TicketCategory).where(TicketCategory.active)
                        .order_by(TicketCategory.position, TicketCategory.id)).all()
    return [CategoryRow(c.id, c.name, c.description, c.allows_priority) for c in rows]


def _as_id(value: object) -> int | None:
    """A row id as a form sends it ("3") or as code passes it (3); anything else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return value if type(value) is int else None  # noqa: E721 — True is an int too


def _category(session: Session, value: object) -> TicketCategory:
    category_id = _as_id(value)
    category = session.get(TicketCategory, category_id) if category_id is not None else None
    if category is None or not category.active:
        raise Invalid("Choose what your request is about.", field="category")
    return category


# ---------------------------------------------------------------- intake forms

# Every kind of question a category's form can ask, with the words staff see.
FIELD_KINDS: dict[str, str] = {"text": "Short text", "long_text": "Long text", "number": "Number", "date": "Date",
                               "select": "Choice from a list", "checkbox": "Tick box", "file": "File upload"}
ANSWER_MAX = {"text": 200, "long_text": 5000, "number": 30, "date": 10, "select": 200, "checkbox": 3, "file": 19}
FILE_GONE = "(file no longer available)"  # a file answer whose file this person cannot read


@dataclass(frozen=True)
class FieldRow:
    id: int
    label: str
    kind: str
    required: bool
    help_text: str
    options: tuple[str, ...]

    @property
    def name(self) -> str:
        """The form field's name (and the error's `field`)."""
        return f"field-{self.id}"


def stored_options(raw: str) -> tuple[str, ...]:
    """A choice question's options as stored (a JSON list); anything else reads as none."""
    try:
        value = json.loads(raw)
    except ValueError:
        return ()
    return tuple(o for o in value if isinstance(o, str)) if isinstance(value, list) else ()


def category_form(session: Session, category: object, *, internal: bool = False) -> list[FieldRow]:
    """The questions a category asks when a request is raised (`internal`:
    also the agents-only ones), in order; none for an unknown category.
    Removed (archived) questions are no longer asked."""
    category_id = _category_id(category) if category not in (None, "") else None
    stmt = select(TicketField).where(TicketField.category_id == category_id, TicketField.active)
    if not internal:
        stmt = stmt.where(TicketField.internal.is_(False))
    return [FieldRow(f.id, f.label, f.kind, f.required, f.help_text, stored_options(f.options))
            for f in session.exec(stmt.order_by(TicketField.position, TicketField.id)).all()]


def _answer(field: FieldRow, raw: object) -> str:
    """One answer as stored (text), or Invalid next to its field."""
    if field.kind == "file":
        return _file_answer(field, raw)
    if field.kind == "checkbox":
        if raw not in (None, "", False, True, "on"):
            raise Invalid("Tick the box or leave it.", field=field.name)
        ticked = raw in (True, "on")
        if field.required and not ticked:
            raise Invalid(f"\u201c{field.label}\u201d must be ticked.", field=field.name)
        return "yes" if ticked else "no"
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise Invalid(f"\u201c{field.label}\u201d must be text.", field=field.name)
    text = raw.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        if field.required:
            raise Invalid(f"\u201c{field.label}\u201d is required.", field=field.name)
        return ""
    if len(text) > ANSWER_MAX[field.kind]:
        raise Invalid(f"\u201c{field.label}\u201d must be at most {ANSWER_MAX[field.kind]} characters.",
                      field=field.name)
    if field.kind == "text" and "\n" in text:
        raise Invalid(f"\u201c{field.label}\u201d must be a single line.", field=field.name)
    if field.kind == "number":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise Invalid(f"\u201c{field.label}\u201d must be a number.", field=field.name)
        return format(number, "f")  # as typed, without thousands separators or exponents
    if field.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid("Enter a date like 2026-11-26.", field=field.name) from None
    if field.kind == "select" and text not in field.options:
        raise Invalid(f"Choose one of the answers for \u201c{field.label}\u201d.", field=field.name)
    return text


def _file_answer(field: FieldRow, raw: object) -> str:
    """A file question's answer: the id of an upload (3 or "3"), as text.
    Whose upload it is, and whether it is still free, `_answer_files` checks."""
    if raw in (None, ""):
        if field.required:
            raise Invalid(f"\u201c{field.label}\u201d is required: choose a file.", field=field.name)
        return ""
    file_id = _as_id(raw)
    if file_id is None or not 0 < file_id < 2**63:
        raise Invalid(f"The file for \u201c{field.label}\u201d is not one you uploaded: choose it again.",
                      field=field.name)
    return str(file_id)


def _answer_files(session: Session, principal: Principal, org_id: int, answers: list[tuple[FieldRow, str]],
                  attachments: list[Upload]) -> list[Upload]:
    """The uploads the file questions were answered with. Each must be one of
    the person's own attachment uploads to this organisation, not attached to
    anything yet (`pending_uploads`: size, real type and quota were checked
    when it was uploaded), and given once: not for two questions, not also
    as an attachment. They are attached to the opening message with the
    attachments, so together they count towards `MAX_ATTACHMENTS`."""
    taken = {upload.id for upload in attachments}
    found: list[Upload] = []
    for field, value in answers:
        if field.kind != "file":
            continue
        try:
            uploads = pending_uploads(session, principal, org_id, [int(value)])
        except Invalid:
            raise Invalid(f"The file for \u201c{field.label}\u201d is no longer available: upload it again.",
                          field=field.name) from None
        if uploads[0].id in taken:
            raise Invalid(f"This file is already attached or answers another question: choose another one for "
                          f"\u201c{field.label}\u201d.", field=field.name)
        taken.add(uploads[0].id)
        found.extend(uploads)
    if len(taken) > MAX_ATTACHMENTS:
        raise Invalid(f"Attach at most {MAX_ATTACHMENTS} files to one request, the files of its answers included.",
                      field="attachments")
    return found


def _clean_answers(session: Session, category: TicketCategory, answers: object) -> list[tuple[FieldRow, str]]:
    """Every question of the category's form answered as its kind requires;
    keys the form does not have are refused."""
    if answers in (None, ""):
        answers = {}
    if not isinstance(answers, dict):
        raise Invalid("Answer the questions of the form.")
    form = category_form(session, category.id)
    names = {field.name for field in form}
    if unknown := [key for key in answers if key not in names]:
        raise Invalid("This form has changed: reload the page and try again.", field=str(unknown[0])[:40])
    return [(field, value) for field in form if (value := _answer(field, answers.get(field.name)))]


# ---------------------------------------------------------------- raising

def _priority(category: TicketCategory, value: object) -> str:
    if not category.allows_priority or value in (None, ""):
        return DEFAULT_PRIORITY
    if not isinstance(value, str) or value not in PRIORITIES:
        raise Invalid("Choose a priority from the list.", field="priority")
    return value


def check_raise(principal: Principal, org_id: object) -> None:
    """Any member with a confirmed address may raise a request for their organisation."""
    require_role(principal, org_id, *ROLES, to="raise a request", acting=True)


def _same_request(session: Session, principal: Principal, org_id: int, subject: str, body: str) -> Ticket | None:
    """The same request from the same person moments ago (a double click, a
    retried event): returned instead of making a second ticket."""
    since = utcnow() - timedelta(seconds=REPEAT_SECONDS)
    first = aliased(TicketMessage)
    return session.exec(
        select(Ticket).join(first, first.ticket_id == Ticket.id)
        .where(Ticket.org_id == org_id, Ticket.raised_by_id == principal.user_id, Ticket.subject == subject,
               Ticket.created_at >= since, first.body == body, first.author_id == principal.user_id)
    ).first()


def do_raise(session: Session, principal: Principal, org_id: object, *, category: object, subject: object,
             body: object, priority: object = None, attachments: object = (), answers: object = None) -> Ticket:
    """A new request from `principal` for their organisation `org_id`: the
    category's form answered (`answers`: {"field-<id>": value}; a file
    question's value is the id of one of their own uploads, attached to the
    opening message like the others), with files they uploaded for it
    (`attachments`: ids of their own uploads)."""
    check_raise(principal, org_id)
    chosen = _category(session, category)
    clean_subject = clean_text(subject, field="subject", label="Subject", max_length=SUBJECT_MAX)
    clean_body = clean_long_text(body, field="body", label="Description", max_length=BODY_MAX)
    clean_priority = _priority(chosen, priority)
    clean_answers = _clean_answers(session, chosen, answers)
    uploads = _uploads(session, principal, org_id, attachments)
    uploads += _answer_files(session, principal, org_id, clean_answers, uploads)
    if (repeat := _same_request(session, principal, org_id, clean_subject, clean_body)) is not None:
        return repeat
    now = utcnow()
    ticket = Ticket(number=next_number(session, "ticket", first=FIRST_NUMBER), org_id=org_id,
                    category_id=chosen.id, subject=clean_subject, status="open", priority=clean_priority,
                    raised_by_id=principal.user_id, created_at=now, last_activity_at=now)
    sla.start(session, ticket, now)
    session.add(ticket)
    session.flush()
    message = TicketMessage(ticket_id=ticket.id, author_id=principal.user_id, body=clean_body, created_at=now)
    session.add(message)
    session.flush()
    _attach(session, message, uploads)  # a file answer's upload too: who reads it follows the message
    for field, value in clean_answers:
        session.add(TicketAnswer(ticket_id=ticket.id, field_id=field.id, value=value))
    audit.record(session, "ticket.raised", actor=principal, org_id=org_id, target_type="ticket",
                 target_id=ticket.id, target_label=label(ticket.number), details={"subject": clean_subject})
    notifications.notify(session, _agents(session), notifications.EVENTS["ticket_raised"], _target(ticket),
                         facts={"ticket": label(ticket.number), "subject": clean_subject,
                                "org": _org_name(principal, org_id)})
    _changed(session, ticket)
    session.flush()
    return ticket


# ---------------------------------------------------------------- the conversation

def _not_merged(ticket: Ticket) -> None:
    """A duplicate merged into another ticket (services/ticket_merge.py) stays as it is."""
    if ticket.merged_into_id is not None:
        raise Invalid("This request was merged into another one: continue there.")


def check_reply(principal: Principal, ticket: Ticket, *, internal: bool = False) -> None:
    """Staff may always write; a customer may until the ticket has been
    closed for longer than the reopening window (then: a new request)."""
    _not_merged(ticket)
    if internal:
        if not principal.is_staff:
            raise Forbidden("Only staff can write internal notes.", code=ErrorCode.STAFF_ONLY)
        _staff_agent(principal)
        return
    if principal.is_staff:
        _staff_agent(principal)
        return
    require_role(principal, ticket.org_id, *ROLES, to="reply", acting=True)
    if ticket.status == "closed":
        check_reopen(principal, ticket)


def do_reply(session: Session, principal: Principal, number: object, *, body: object,
             internal: object = False, attachments: object = ()) -> TicketMessage:
    """A reply (or, from staff, an internal note). A customer's reply puts
    the ticket back with us (reopening it if it was resolved or closed); a
    staff reply makes it wait for the customer."""
    if type(internal) is not bool:  # noqa: E721
        raise Invalid("Choose a reply or an internal note.", field="internal")
    ticket = access_ticket(session, principal, number)
    check_reply(principal, ticket, internal=internal)
    clean = clean_long_text(body, field="body", label="Reply", max_length=BODY_MAX)
    uploads = _uploads(session, principal, ticket.org_id, attachments)
    now = utcnow()
    message = TicketMessage(ticket_id=ticket.id, author_id=principal.user_id, body=clean, internal=internal,
                            created_at=now)
    session.add(message)
    session.flush()
    _attach(session, message, uploads)
    if not internal:
        if principal.is_staff:
            sla.first_response(session, ticket, now)
        _set_status(session, ticket, "waiting" if principal.is_staff else "open", now)
        ticket.last_activity_at = now
        session.add(ticket)
    audit.record(session, "ticket.noted" if internal else "ticket.replied", actor=principal, org_id=ticket.org_id,
                 target_type="ticket", target_id=ticket.id, target_label=label(ticket.number))
    mentioned = _mention(session, principal, ticket, clean, internal=internal)
    if internal:
        _changed(session, ticket, staff_only=True)  # a customer's page never even reloads for a note
    else:
        _tell_about_reply(session, principal, ticket, told=mentioned)
        _changed(session, ticket)
    session.flush()
    return message


def _tell_about_reply(session: Session, principal: Principal, ticket: Ticket, *, told: set[int]) -> None:
    """The other side hears of a public reply; those `told` of it as a mention already do not hear it twice."""
    facts = {"actor": principal.name or principal.email, "ticket": label(ticket.number), "subject": ticket.subject}
    if principal.is_staff:
        recipients = _customer_side(session, ticket)
    else:
        recipients = [ticket.assignee_id] if ticket.assignee_id else _agents(session)
        recipients += [uid for uid in _customer_side(session, ticket) if uid != principal.user_id]
    notifications.notify(session, [uid for uid in recipients if uid != principal.user_id and uid not in told],
                         notifications.EVENTS["ticket_reply"], _target(ticket), facts=facts)


def _mention(session: Session, principal: Principal, ticket: Ticket, body: str, *, internal: bool) -> set[int]:
    """Who the message names with @ (services/mentions.py: in a public reply
    the organisation's members and the agents, in a note the agents only)
    hears of it once, as a mention; a member who could not see the ticket
    now follows it. Returns who was told (not those who turned mentions off)."""
    if "@" not in body:
        return set()  # no statement for the many replies that name nobody
    people = mentions.find(body, mentions.mentionable(session, staff_roles=AGENT_ROLES,
                                                      org_id=None if internal else ticket.org_id),
                           skip=[principal.user_id])
    for person in people:
        if not person.staff and not _sees(session, person.id, ticket):
            _add_follower(session, ticket, person.id)
    event = notifications.EVENTS["ticket_mention"]
    notifications.notify(session, [p.id for p in people], event, _target(ticket),
                         facts={"actor": principal.name or principal.email, "ticket": label(ticket.number),
                                "subject": ticket.subject})
    # Who turned mentions off still hears of the reply as a reply (if they want replies): nothing is lost.
    return notifications.listening(session, [p.id for p in people], event)


def _sees(session: Session, user_id: int, ticket: Ticket) -> bool:
    """Whether the rule of `visible_to` shows `ticket` to that person (as if
    signed in with two-step verification set up: the rule, not their state today)."""
    who = replace(principal_for_user(session, session.get(User, user_id), None), mfa_required=False)
    return session.exec(visible_to(who).where(Ticket.id == ticket.id)).first() is not None


def _set_status(session: Session, ticket: Ticket, status: str, now: datetime) -> None:
    ticket.status = status
    ticket.resolved_at = now if status == "resolved" else None
    ticket.closed_at = now if status == "closed" else None
    sla.status_changed(session, ticket, now)  # the clocks run only while it is with us


# ---------------------------------------------------------------- closing and reopening

def check_close(principal: Principal, ticket: Ticket) -> None:
    if ticket.status == "closed":
        raise Invalid("This request is already closed.")
    if principal.is_staff:
        _staff_agent(principal)
    else:
        require_role(principal, ticket.org_id, *ROLES, to="close a request", acting=True)


def do_close(session: Session, principal: Principal, number: object) -> Ticket:
    """The customer (or staff) says it is done."""
    ticket = access_ticket(session, principal, number)
    check_close(principal, ticket)
    return _change_status(session, principal, ticket, "closed")


def check_reopen(principal: Principal, ticket: Ticket) -> None:
    """A resolved or closed request can be reopened by its organisation
    within `PORTAL_TICKET_REOPEN_DAYS` days (staff: any time)."""
    if ticket.status in ACTIVE:
        raise Invalid("This request is still open.")
    _not_merged(ticket)
    if principal.is_staff:
        _staff_agent(principal)
        return
    require_role(principal, ticket.org_id, *ROLES, to="reopen a request", acting=True)
    ended = ticket.closed_at or ticket.resolved_at or ticket.last_activity_at
    if utcnow() - ended > timedelta(days=reopen_days()):
        raise Invalid(f"This request ended more than {reopen_days()} days ago: please raise a new one.",
                      code=ErrorCode.TOO_LATE)


def do_reopen(session: Session, principal: Principal, number: object) -> Ticket:
    ticket = access_ticket(session, principal, number)
    check_reopen(principal, ticket)
    return _change_status(session, principal, ticket, "open")


def check_set_status(principal: Principal, ticket: Ticket, status: object) -> None:
    _staff_agent(principal)
    _not_merged(ticket)
    if not isinstance(status, str) or status not in STATUSES:
        raise Invalid("Choose a status from the list.", field="status")


def do_set_status(session: Session, principal: Principal, number: object, status: object) -> Ticket:
    """Staff move a ticket on (resolved, waiting for the customer, ...)."""
    ticket = access_ticket(session, principal, number)
    check_set_status(principal, ticket, status)
    if ticket.status == status:
        return ticket
    return _change_status(session, principal, ticket, status)


def _change_status(session: Session, principal: Principal, ticket: Ticket, status: str) -> Ticket:
    old, now = ticket.status, utcnow()
    _set_status(session, ticket, status, now)
    ticket.last_activity_at = now
    session.add(ticket)
    audit.record(session, "ticket.status_changed", actor=principal, org_id=ticket.org_id, target_type="ticket",
                 target_id=ticket.id, target_label=label(ticket.number), details={"from": old, "to": status})
    recipients = [uid for uid in _customer_side(session, ticket) + ([ticket.assignee_id] if ticket.assignee_id
                                                                     else []) if uid != principal.user_id]
    notifications.notify(session, recipients, notifications.EVENTS["ticket_status"], _target(ticket),
                         facts={"actor": principal.name or principal.email, "ticket": label(ticket.number),
                                "subject": ticket.subject, "status": STATUSES[status].lower()})
    _changed(session, ticket)
    session.flush()
    return ticket


# ---------------------------------------------------------------- followers and assignment

def check_follow(principal: Principal, ticket: Ticket, user_id: object) -> None:
    """Someone of the ticket's organisation follows it: themselves, or a
    colleague added by someone who sees the ticket."""
    if principal.is_staff:
        raise Forbidden("Followers are people of the customer's organisation.", code=ErrorCode.ROLE_REQUIRED)
    require_role(principal, ticket.org_id, *ROLES, to="follow a request", acting=True)
    if type(user_id) is not int:  # noqa: E721
        raise Invalid("Choose someone of your organisation.", field="follower")


def do_follow(session: Session, principal: Principal, number: object, user_id: object = None) -> None:
    """`user_id` (default: the person themselves) now follows the ticket."""
    ticket = access_ticket(session, principal, number)
    who = principal.user_id if user_id is None else user_id
    check_follow(principal, ticket, who)
    _add_follower(session, ticket, who)


def _add_follower(session: Session, ticket: Ticket, user_id: int) -> None:
    """`user_id`, who must be of the ticket's organisation, follows it (once)."""
    member = session.exec(select(Membership).where(Membership.org_id == ticket.org_id,
                                                   Membership.user_id == user_id)).first()
    if member is None:
        raise Invalid("Choose someone of your organisation.", field="follower")
    if session.get(TicketFollower, (ticket.id, user_id)) is None:
        session.add(TicketFollower(ticket_id=ticket.id, user_id=user_id))
        _changed(session, ticket)
        session.flush()


def do_unfollow(session: Session, principal: Principal, number: object) -> None:
    """The person stops following (and, if that was why they saw it, no longer sees it)."""
    ticket = access_ticket(session, principal, number)
    row = session.get(TicketFollower, (ticket.id, principal.user_id))
    if row is not None:
        session.delete(row)
        _changed(session, ticket)
        session.flush()


def do_set_priority(session: Session, principal: Principal, number: object, priority: object) -> Ticket:
    """Staff re-triage a ticket's priority."""
    ticket = access_ticket(session, principal, number)
    _staff_agent(principal)
    if not isinstance(priority, str) or priority not in PRIORITIES:
        raise Invalid("Choose a priority from the list.", field="priority")
    if ticket.priority != priority:
        old, ticket.priority = ticket.priority, priority
        sla.policy_changed(session, ticket, utcnow())
        session.add(ticket)
        audit.record(session, "ticket.triaged", actor=principal, org_id=ticket.org_id, target_type="ticket",
                     target_id=ticket.id, target_label=label(ticket.number),
                     details={"field": "priority", "from": old, "to": priority})
        _changed(session, ticket)
        session.flush()
    return ticket


def do_set_category(session: Session, principal: Principal, number: object, category: object) -> Ticket:
    """Staff move a ticket to another category (its answers stay as given)."""
    ticket = access_ticket(session, principal, number)
    _staff_agent(principal)
    chosen = _category(session, category)
    if ticket.category_id != chosen.id:
        old = session.get(TicketCategory, ticket.category_id)
        ticket.category_id = chosen.id
        sla.policy_changed(session, ticket, utcnow())
        session.add(ticket)
        audit.record(session, "ticket.triaged", actor=principal, org_id=ticket.org_id, target_type="ticket",
                     target_id=ticket.id, target_label=label(ticket.number),
                     details={"field": "category", "from": old.name if old else "", "to": chosen.name})
        _changed(session, ticket)
        session.flush()
    return ticket


def check_assign(principal: Principal, ticket: Ticket) -> None:
    _staff_agent(principal)


def do_assign(session: Session, principal: Principal, number: object, assignee_id: object) -> Ticket:
    """Staff give a ticket to an agent (or to nobody: None)."""
    ticket = access_ticket(session, principal, number)
    check_assign(principal, ticket)
    if assignee_id is not None:
        agent = session.get(User, assignee_id) if type(assignee_id) is int else None  # noqa: E721
        if agent is None or not agent.is_active or agent.staff_role not in AGENT_ROLES:
            raise Invalid("Choose an agent.", field="assignee")
    if ticket.assignee_id != assignee_id:
        ticket.assignee_id = assignee_id
        session.add(ticket)
        audit.record(session, "ticket.assigned", actor=principal, org_id=ticket.org_id, target_type="ticket",
                     target_id=ticket.id, target_label=label(ticket.number))
        _changed(session, ticket, org_lists=False)  # its page says who has it; customers' lists do not
        session.flush()
    return ticket


# ---------------------------------------------------------------- attachments

@dataclass(frozen=True)
class Upload:
    """A file the person uploaded for a request or reply not yet sent."""

    id: int
    filename: str
    size: int


def _attachment_ids(value: object) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)) or any(type(v) is not int for v in value):  # noqa: E721
        raise Invalid("Those attachments are not available: upload them again.", field="attachments")
    if len(value) > MAX_ATTACHMENTS:
        raise Invalid(f"Attach at most {MAX_ATTACHMENTS} files to one message.", field="attachments")
    return list(dict.fromkeys(value))


def pending_uploads(session: Session, principal: Principal, org_id: object, ids: object) -> list[Upload]:
    """Of `ids`, the files `principal` uploaded to `org_id` as attachments
    and has not attached to anything yet, in the order given. Any other id
    (someone else's upload, another organisation's, one already attached)
    refuses the whole list: the page only ever offers the person's own."""
    wanted = _attachment_ids(ids)
    if not wanted:
        return []
    require_role(principal, org_id, *ROLES, to="attach files", acting=True)
    rows = session.exec(
        select(StoredFile).where(StoredFile.id.in_(wanted), StoredFile.org_id == org_id,
                                 StoredFile.kind == ATTACHMENT_KIND, StoredFile.created_by_id == principal.user_id,
                                 StoredFile.id.not_in(select(TicketAttachment.file_id)))).all()
    found = {row.id: row for row in rows}
    if len(found) != len(wanted):
        raise Invalid("Those attachments are not available: upload them again.", field="attachments")
    return [Upload(found[i].id, found[i].filename, found[i].size) for i in wanted]


def _uploads(session: Session, principal: Principal, org_id: int, ids: object) -> list[Upload]:
    if not _attachment_ids(ids):
        return []
    if principal.is_staff:
        raise Invalid("Staff cannot attach files yet.", field="attachments")
    return pending_uploads(session, principal, org_id, ids)


def _attach(session: Session, message: TicketMessage, uploads: list[Upload]) -> None:
    for upload in uploads:
        session.add(TicketAttachment(message_id=message.id, file_id=upload.id))
    if uploads:
        session.flush()


def check_attachment(session: Session, principal: Principal, stored: StoredFile, *, change: bool = False) -> None:
    """Who may read a ticket's attachment (`files.access_file`): whoever may
    read the message it is attached to (internal notes: staff only). Before
    it is attached, only its uploader. Once attached, nobody removes it (a
    conversation keeps what was sent)."""
    message = session.exec(select(TicketMessage).join(TicketAttachment, TicketAttachment.message_id ==
                                                      TicketMessage.id)
                           .where(TicketAttachment.file_id == stored.id)).first()
    if message is None:
        if stored.created_by_id != principal.user_id or principal.role_in(stored.org_id) is None:
            raise NotFound("File not found.")
        return
    visible = session.exec(messages_visible_to(principal).where(TicketMessage.id == message.id)).first()
    if visible is None or session.exec(visible_to(principal).where(Ticket.id == message.ticket_id)).first() is None:
        raise NotFound("File not found.")
    if change:
        raise Forbidden("A file sent in a conversation stays with it.", code=ErrorCode.FORBIDDEN)


files.READERS[ATTACHMENT_KIND] = check_attachment


# ---------------------------------------------------------------- helpers

def _org_name(principal: Principal, org_id: int) -> str:
    return next((m.org_name for m in principal.memberships if m.org_id == org_id), "")


def _name(person, fallback: str = ""):  # noqa: ANN001, ANN202 — a User (or alias) -> its name, else its email
    return func.coalesce(func.nullif(person.name, ""), person.email, fallback)


def _agents(session: Session) -> list[int]:
    return list(session.exec(select(User.id).where(User.staff_role.in_(AGENT_ROLES), User.is_active)).all())


def _customer_side(session: Session, ticket: Ticket) -> list[int]:
    """Who hears about a ticket on the customer's side: who raised it and its followers."""
    followers = session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket.id)).all()
    return sorted({*followers, *([ticket.raised_by_id] if ticket.raised_by_id else [])})


def _target(ticket: Ticket) -> notifications.Target:
    return notifications.Target(routes.ticket_path(ticket.number), ticket.org_id)


def _changed(session: Session, ticket: Ticket, *, staff_only: bool = False, org_lists: bool = True) -> None:
    """Open pages showing `ticket` reload once the action commits: its own
    page (`ticket:<id>`; with `staff_only`, only the staff's page:
    `ticket:<id>:staff`, which no customer's page watches), the staff's
    lists and console, and (`org_lists`, unless `staff_only`) the lists of
    its organisation. Only ids travel (integrations/live.py)."""
    if staff_only:
        live.changed(session, live.ticket_key(ticket.id, staff=True), live.staff_key("tickets"))
        return
    live.changed(session, live.ticket_key(ticket.id), live.staff_key("tickets"),
                 *([live.org_key(ticket.org_id, "tickets")] if org_lists else []))


# ---------------------------------------------------------------- reading one

def _category_id(value: object) -> int:
    if (category_id := _as_id(value)) is None:
        raise Invalid("Choose a category from the list.", field="category")
    return category_id


@dataclass(frozen=True)
class MessageView:
    id: int
    author: str
    staff: bool  # written by the business's staff
    html: str  # the body, rendered safely (services/markdown.py)
    internal: bool
    created_at: datetime
    attachments: tuple[Upload, ...] = ()


class Answer(NamedTuple):
    """One answer of the intake form as the ticket page shows it."""

    question: str
    value: str  # as given; for a file question, the file's name
    file: Upload | None = None  # a file question's file, when this person may read it


@dataclass(frozen=True)
class TicketView:
    number: int
    subject: str
    status: str
    priority: str
    category: str
    category_id: int
    org_id: int
    org: str
    raised_by: str
    assignee: str
    assigned_to_me: bool
    created_at: datetime
    last_activity_at: datetime
    ended_at: datetime | None
    messages: list[MessageView]
    answers: list[Answer]  # the intake form's, in its order
    followers: list[str]
    following: bool
    can_reply: bool
    can_close: bool
    can_reopen: bool
    can_note: bool
    clock: sla.Clock | None = None
    merged_into: int | None = None  # the number of the ticket this one was merged into
    id: int = 0  # the ticket's id: the key of its live page (services/live.py `ticket_key`)


def _allowed(check, *args, **kwargs) -> bool:  # noqa: ANN001
    try:
        check(*args, **kwargs)
    except (Forbidden, Invalid, NotFound):
        return False
    return True


def _answers(rows: list, attached: dict[int, list[Upload]]) -> list[Answer]:
    """The intake form's answers as shown. A file question's answer is the
    id of a file attached to the opening message: shown (by name, with its
    download) only if it is among the attachments of the messages this
    person may read, `attached`."""
    readable = {upload.id: upload for uploads in attached.values() for upload in uploads}
    answers = []
    for question, kind, value in rows:
        if kind == "file":
            upload = readable.get(_as_id(value))
            answers.append(Answer(question, upload.filename if upload else FILE_GONE, upload))
        else:
            answers.append(Answer(question, value))
    return answers


def ticket_view(session: Session, principal: Principal, number: object) -> TicketView:
    """The ticket page: the ticket, its conversation in order (without
    internal notes for customers) and its attachments, followers, and what
    the person may do. Seven statements however long the conversation."""
    ticket = access_ticket(session, principal, number)
    raiser, assignee, merged_into = aliased(User), aliased(User), aliased(Ticket)
    names = session.exec(
        select(TicketCategory.name, Organization.name, _name(raiser),
               _name(assignee), merged_into.number)
        .select_from(Ticket).join(TicketCategory, TicketCategory.id == Ticket.category_id)
        .join(Organization, Organization.id == Ticket.org_id)
        .outerjoin(raiser, raiser.id == Ticket.raised_by_id).outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .outerjoin(merged_into, merged_into.id == Ticket.merged_into_id)
        .where(Ticket.id == ticket.id)).one()
    author = aliased(User)
    messages = session.execute(
        messages_visible_to(principal).where(TicketMessage.ticket_id == ticket.id)
        .with_only_columns(TicketMessage, _name(author, "Someone"), author.staff_role)
        .outerjoin(author, author.id == TicketMessage.author_id)
        .order_by(TicketMessage.created_at, TicketMessage.id)).all()
    attached: dict[int, list[Upload]] = {}
    for message_id, file_id, filename, size in session.exec(
            select(TicketAttachment.message_id, StoredFile.id, StoredFile.filename, StoredFile.size)
            .join(StoredFile, StoredFile.id == TicketAttachment.file_id)
            .where(TicketAttachment.message_id.in_([m.id for m, _, _ in messages]))
            .order_by(StoredFile.id)).all():
        attached.setdefault(message_id, []).append(Upload(file_id, filename, size))
    answered = select(TicketField.label, TicketField.kind, TicketAnswer.value).join(
        TicketAnswer, TicketAnswer.field_id == TicketField.id).where(TicketAnswer.ticket_id == ticket.id)
    if not principal.is_staff:
        answered = answered.where(TicketField.internal.is_(False))
    answers = _answers(session.exec(answered.order_by(TicketField.position, TicketField.id)).all(), attached)
    shown = {answer.file.id for answer in answers if answer.file is not None}  # not listed twice
    followers = session.exec(
        select(User.id, _name(User)).join(TicketFollower, TicketFollower.user_id == User.id)
        .where(TicketFollower.ticket_id == ticket.id).order_by(User.name, User.id)).all()
    return TicketView(
        number=ticket.number, subject=ticket.subject, status=ticket.status, priority=ticket.priority,
        category=names[0], category_id=ticket.category_id, org_id=ticket.org_id, org=names[1], raised_by=names[2], assignee=names[3],
        assigned_to_me=ticket.assignee_id == principal.user_id,
        created_at=ticket.created_at, last_activity_at=ticket.last_activity_at,
        ended_at=ticket.closed_at or ticket.resolved_at,
        messages=[MessageView(m.id, name, role is not None, render(m.body), m.internal, m.created_at,
                              tuple(u for u in attached.get(m.id, ()) if u.id not in shown))
                  for m, name, role in messages],
        answers=answers,
        followers=[name for _, name in followers],
        following=any(uid == principal.user_id for uid, _ in followers),
        can_reply=_allowed(check_reply, principal, ticket),
        can_close=_allowed(check_close, principal, ticket),
        can_reopen=_allowed(check_reopen, principal, ticket),
        can_note=principal.is_staff and _allowed(check_reply, principal, ticket, internal=True),
        clock=sla.Clock.of(ticket),
        merged_into=names[4],
        id=ticket.id,
    )
