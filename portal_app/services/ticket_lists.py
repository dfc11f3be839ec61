"""The lists of support requests: a person's list of the requests they may
see (filters, search, order, pages), and the agent console over it (queues
with their counts, the console's own filters, bulk actions). Everything is
read through `tickets.visible_to` and changed through `tickets`' own
actions, so the rules live in one place (services/tickets.py); this module
only decides which rows a list shows and in what order, two statements a
page (services/paging.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app.models import Organization, Ticket, TicketCategory, TicketFollower, TicketRating, User
from portal_app.models.base import utcnow
from portal_app.services import sla
from portal_app.services.errors import Invalid
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.tickets import (
    ACTIVE, AGENT_ROLES, PRIORITIES, STATUSES, _as_id, _category_id, _name, _staff_agent, do_assign, do_set_status,
    parse_number, visible_to,
)
from portal_app.services.validation import contains_pattern

SEARCH_MAX = 200
ORG_FILTER_MAX = 80
PAGE_SIZE = 25


@dataclass(frozen=True)
class TicketRow:
    number: int
    subject: str
    status: str
    priority: str
    category: str
    org: str
    raised_by: str
    last_activity_at: datetime
    assignee: str = ""
    clock: sla.Clock | None = None
    rating: int | None = None  # the customer's satisfaction rating, 1-5 (services/csat.py)


# The agent console's queues (staff only), in the order the console shows them.
QUEUE_WORDS: dict[str, str] = {"unassigned": "Unassigned", "mine": "Mine", "active": "All open",
                               "waiting": "Waiting on the customer", "at_risk": "SLA at risk",
                               "breached": "SLA breached"}


def _queues(principal: Principal) -> dict[str, tuple[str, object]]:
    active = Ticket.status.in_(ACTIVE)
    filters = {"unassigned": and_(active, Ticket.assignee_id.is_(None)),
               "mine": and_(active, Ticket.assignee_id == principal.user_id),
               "active": active, "waiting": Ticket.status == "waiting", **sla.queue_filters(utcnow())}
    return {name: (QUEUE_WORDS[name], filters[name]) for name in QUEUE_WORDS}


def queue_counts(session: Session, principal: Principal) -> dict[str, int]:
    """How many tickets each queue holds now (one statement), for staff.
    Every queue is of active tickets, so only those are read: a desk years
    old holds mostly closed ones (bench/bench_tickets.py)."""
    _staff_agent(principal)
    queues = _queues(principal)
    sums = [func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)
            for name, (_, condition) in queues.items()]
    row = session.exec(select(*sums).select_from(Ticket).where(Ticket.status.in_(ACTIVE))).one()
    return {name: int(value) for name, value in zip(queues, row, strict=True)}


MAX_BULK = 100


def do_bulk(session: Session, principal: Principal, numbers: object, *, action: object) -> int:
    """Staff act on many tickets at once ("assign_to_me", "unassign",
    "resolve", "waiting"); all or none (one transaction). Returns how many."""
    _staff_agent(principal)
    if not isinstance(numbers, list) or not numbers or len(numbers) > MAX_BULK or any(
            type(n) is not int for n in numbers):  # noqa: E721
        raise Invalid(f"Choose between 1 and {MAX_BULK} requests.", field="numbers")
    actions = {"assign_to_me": lambda n: do_assign(session, principal, n, principal.user_id),
               "unassign": lambda n: do_assign(session, principal, n, None),
               "resolve": lambda n: do_set_status(session, principal, n, "resolved"),
               "waiting": lambda n: do_set_status(session, principal, n, "waiting")}
    if not isinstance(action, str) or action not in actions:
        raise Invalid("Choose an action from the list.", field="action")
    for number in dict.fromkeys(numbers):
        actions[action](number)
    return len(set(numbers))


FILTER_STATUSES = {"active": ACTIVE, **{key: (key,) for key in STATUSES}}
# Every order a list can be shown in (keyset paging needs a unique last key).
SORTS: dict[str, tuple[str, Keys]] = {
    "activity": ("Latest activity first", Keys((Ticket.last_activity_at, Ticket.id), descending=True)),
    "oldest": ("Longest without activity first", Keys((Ticket.last_activity_at, Ticket.id))),
    "newest": ("Newest first", Keys((Ticket.created_at, Ticket.id), descending=True)),
    "number": ("By number", Keys((Ticket.number,))),
}


def list_tickets(session: Session, principal: Principal, *, status: object = "", category: object = "",
                 priority: object = "", mine: object = False, following: object = False, q: object = "",
                 sort: object = "", queue: object = "", org: object = "", assignee: object = "", page: object = 1,
                 cursor: object = None) -> Page:
    """One page of the tickets `principal` may see, newest activity first,
    filtered (staff also by queue, by words of the organisation's name, and
    by assignee: an agent's id or "none"); two statements whatever the page
    (services/paging.py)."""
    raiser, worker = aliased(User), aliased(User)
    stmt = (visible_to(principal)
            .join(TicketCategory, TicketCategory.id == Ticket.category_id)
            .join(Organization, Organization.id == Ticket.org_id)
            .outerjoin(raiser, raiser.id == Ticket.raised_by_id)
            .outerjoin(worker, worker.id == Ticket.assignee_id)
            .with_only_columns(Ticket.number, Ticket.subject, Ticket.status, Ticket.priority, TicketCategory.name,
                               Organization.name, _name(raiser), Ticket.last_activity_at, _name(worker),
                               *SLA_COLUMNS, TicketRating.score)
            .outerjoin(TicketRating, TicketRating.ticket_id == Ticket.id))
    if queue not in ("", None):
        _staff_agent(principal)
        queues = _queues(principal)
        if not isinstance(queue, str) or queue not in queues:
            raise Invalid("Choose a queue from the list.", field="queue")
        stmt = stmt.where(queues[queue][1])
    if not principal.is_staff and principal.current is not None:
        stmt = stmt.where(Ticket.org_id == principal.current.org_id)  # the organisation worked in now
    stmt = _filter(stmt, principal, status=status, category=category, priority=priority, mine=mine,
                   following=following, q=q)
    stmt = _console_filter(stmt, principal, org=org, assignee=assignee)
    if sort not in ("", None) and (not isinstance(sort, str) or sort not in SORTS):
        raise Invalid("Choose an order from the list.", field="sort")
    result = paginate(session, stmt, page, PAGE_SIZE, keys=SORTS[sort or "activity"][1], cursor=cursor)
    return result.mapped(lambda row: TicketRow(*row[:9], clock=sla.Clock(*row[9:11], row[11] is not None, *row[12:14]),
                                               rating=row[14]))


SLA_COLUMNS = (Ticket.first_response_due_at, Ticket.resolution_due_at, Ticket.first_responded_at, Ticket.sla_at_risk_at,
               Ticket.sla_breached_at)  # a row's sla.Clock


def _filter(stmt, principal: Principal, *, status: object, category: object, priority: object, mine: object,
            following: object, q: object):  # noqa: ANN001, ANN202
    if status not in ("", None):
        if not isinstance(status, str) or status not in FILTER_STATUSES:
            raise Invalid("Choose a status from the list.", field="status")
        stmt = stmt.where(Ticket.status.in_(FILTER_STATUSES[status]))
    if category not in ("", None):
        stmt = stmt.where(Ticket.category_id == _category_id(category))
    if priority not in ("", None):
        if not isinstance(priority, str) or priority not in PRIORITIES:
            raise Invalid("Choose a priority from the list.", field="priority")
        stmt = stmt.where(Ticket.priority == priority)
    if mine is True:
        stmt = stmt.where(Ticket.raised_by_id == principal.user_id)
    if following is True:
        stmt = stmt.where(Ticket.id.in_(select(TicketFollower.ticket_id)
                                        .where(TicketFollower.user_id == principal.user_id)))
    if q not in ("", None):
        if not isinstance(q, str) or len(q) > SEARCH_MAX:
            raise Invalid(f"Search for at most {SEARCH_MAX} characters.", field="q")
        number = parse_number(q)
        words = func.lower(Ticket.subject).like(contains_pattern(q), escape="\\")
        stmt = stmt.where(or_(words, Ticket.number == number) if number else words)
    return stmt


def _console_filter(stmt, principal: Principal, *, org: object, assignee: object):  # noqa: ANN001, ANN202
    """The agent console's own filters: staff agents only (a customer's list is their organisation's)."""
    if org not in ("", None):
        _staff_agent(principal)
        if not isinstance(org, str) or len(org) > ORG_FILTER_MAX:
            raise Invalid(f"Type at most {ORG_FILTER_MAX} characters of the organisation's name.", field="org")
        stmt = stmt.where(func.lower(Organization.name).like(contains_pattern(org), escape="\\"))
    if assignee not in ("", None):
        _staff_agent(principal)
        if assignee == "none":
            return stmt.where(Ticket.assignee_id.is_(None))
        if (agent_id := _as_id(assignee)) is None:
            raise Invalid("Choose an agent from the list.", field="assignee")
        stmt = stmt.where(Ticket.assignee_id == agent_id)
    return stmt


def agent_choices(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """The staff agents a request can be with, by name (the console's assignee filter)."""
    _staff_agent(principal)
    name = _name(User)
    return [(i, n) for i, n in session.exec(select(User.id, name).where(User.staff_role.in_(AGENT_ROLES), User.is_active)
                                            .order_by(func.lower(name), User.id)).all()]
