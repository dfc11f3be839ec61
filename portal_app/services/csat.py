"""Satisfaction ratings ("CSAT") of support requests, and the staff's
support report.

**Rating.** Once a request is resolved or closed, any customer who sees it
(`tickets.access_ticket`) rates it 1 to 5 ("Very dissatisfied" … "Very
satisfied") with an optional plain-text comment of at most 2,000
characters, shown as text (never Markdown or HTML). One rating per
request: the first one given stands for the request. Afterwards whoever
rated it, whoever raised it, or an owner or admin of the organisation may
change it, within the reopening window (`tickets.reopen_days()` days after
the request ended); other members see it but cannot change it. Staff read
ratings, never give them. A merged duplicate is not rated (its conversation
lives on in the other request). Giving and changing a rating are audited,
tell the assignee (or every agent when nobody has it) through `notify`
(staff event `ticket_rated`), and reload the request's open pages and the
staff's console.

**Reopening** a rated request keeps its rating: staff still see it, marked
as given before the request was reopened, and the report keeps counting it
by when it was given; the customer sees theirs and can change it once the
request is solved again (the window counts from the new end).

**The report** (`report`, `comments`; staff agents) covers the last 7, 30
or 90 days: requests raised and solved (resolved or closed, merged
duplicates left out), the median time to the first public staff reply and
to the solution, in wall-clock time from when the request was raised (not
business hours), and the ratings given or changed in the period: their
average, count and spread over 1–5, and the comments, newest first, a page
at a time. A constant number of statements whatever the data: one for the
times, one for the ratings, two per page of comments (the medians are taken
over the period's rows in Python, which both SQLite and PostgreSQL serve
alike)."""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app.models import Organization, Ticket, TicketRating, User
from portal_app.models.base import utcnow
from portal_app.services import audit, notifications, tickets
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import ROLES, Principal, require_role

SCORES: dict[int, str] = {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neither", 4: "Satisfied",
                          5: "Very satisfied"}
COMMENT_MAX = 2_000
SOLVED = ("resolved", "closed")
CHANGERS = ("owner", "admin")  # besides whoever rated or raised it
PERIODS = (7, 30, 90)  # days the report covers
DEFAULT_PERIOD = 30
PAGE_SIZE = 10  # comments per page of the report
ORDER = Keys((TicketRating.changed_at, TicketRating.ticket_id), descending=True)


# ---------------------------------------------------------------- rating

def _ended(ticket: Ticket) -> datetime:
    return ticket.closed_at or ticket.resolved_at or ticket.last_activity_at


def check_rate(principal: Principal, ticket: Ticket, existing: TicketRating | None) -> None:
    """Whether `principal` may rate `ticket` now (give the rating, or change
    `existing`). The page asks it to decide whether to offer the form."""
    if principal.is_staff:
        raise Forbidden("Ratings are the customer's: staff read them.", code=ErrorCode.FORBIDDEN)
    role = require_role(principal, ticket.org_id, *ROLES, to="rate a request", acting=True)
    if ticket.merged_into_id is not None:
        raise Invalid("This request was merged into another one: rate that one once it is solved.", field="score")
    if ticket.status not in SOLVED:
        raise Invalid("You can rate a request once it is resolved or closed.", field="score")
    if existing is None:
        return
    if principal.user_id not in (existing.rated_by_id, ticket.raised_by_id) and role not in CHANGERS:
        raise Forbidden("This request has been rated already: only whoever rated or raised it, or an owner or "
                        "admin, can change the rating.", code=ErrorCode.ROLE_REQUIRED)
    if utcnow() - _ended(ticket) > timedelta(days=tickets.reopen_days()):
        raise Invalid(f"A rating can be changed within {tickets.reopen_days()} days of the request ending.",
                      field="score", code=ErrorCode.TOO_LATE)


def clean_score(value: object) -> int:
    """1 to 5, as a whole number (not "5", not True, not 4.5)."""
    if type(value) is not int or value not in SCORES:  # noqa: E721 — True is an int too
        raise Invalid("Choose a rating from 1 to 5.", field="score")
    return value


def clean_comment(value: object) -> str:
    """Plain text, at most COMMENT_MAX characters; empty is fine."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("The comment must be text.", field="comment")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > COMMENT_MAX:
        raise Invalid(f"The comment must be at most {COMMENT_MAX:,} characters (it has {len(text):,}).",
                      field="comment")
    return text


def do_rate(session: Session, principal: Principal, number: object, *, score: object,
            comment: object = "") -> TicketRating:
    """Rate request `number` (or change its rating): see the module's docstring."""
    ticket = tickets.access_ticket(session, principal, number)
    existing = session.get(TicketRating, ticket.id)
    check_rate(principal, ticket, existing)
    score_, comment_ = clean_score(score), clean_comment(comment)
    now, label = utcnow(), tickets.label(ticket.number)
    if existing is None:
        rating = TicketRating(ticket_id=ticket.id, score=score_, comment=comment_, rated_by_id=principal.user_id,
                              rated_at=now, changed_by_id=principal.user_id, changed_at=now)
        try:
            with session.begin_nested():  # two people rating at the same moment: the first one stands
                session.add(rating)
                session.flush()
        except IntegrityError:
            raise Invalid("Someone else rated this request a moment ago: reload the page to see it.",
                          field="score") from None
        action, details = "ticket.rated", {"score": score_}
    else:
        if (existing.score, existing.comment) == (score_, comment_):
            return existing  # sent again: nothing changed
        rating, details = existing, {"from": existing.score, "score": score_}
        rating.score, rating.comment, rating.changed_by_id, rating.changed_at = score_, comment_, principal.user_id, now
        session.add(rating)
        action = "ticket.rating_changed"
    audit.record(session, action, actor=principal, org_id=ticket.org_id, target_type="ticket", target_id=ticket.id,
                 target_label=label, details=details)
    recipients = [ticket.assignee_id] if ticket.assignee_id else tickets._agents(session)
    notifications.notify(session, recipients, notifications.EVENTS["ticket_rated"], tickets._target(ticket),
                         facts={"actor": principal.name or principal.email, "ticket": label,
                                "subject": ticket.subject, "score": score_})
    tickets._changed(session, ticket, org_lists=False)  # its page, and the staff's console row
    session.flush()
    return rating


@dataclass(frozen=True)
class RatingView:
    """A request's rating as its page shows it, and what the person may do."""

    score: int | None  # None: not rated
    comment: str
    rated_by: str
    rated_at: datetime | None
    changed_at: datetime | None
    can_rate: bool  # may give it (or change it) now
    reopened: bool  # rated, and the request is open again since


def rating_view(session: Session, principal: Principal, number: object) -> RatingView:
    """The rating of request `number` for whoever may see the request (two statements)."""
    ticket = tickets.access_ticket(session, principal, number)
    rater = aliased(User)
    found = session.execute(
        select(TicketRating, tickets._name(rater, "Someone")).outerjoin(rater, rater.id == TicketRating.rated_by_id)
        .where(TicketRating.ticket_id == ticket.id)).first()
    rating, by = found if found else (None, "")
    try:
        check_rate(principal, ticket, rating)
        can_rate = True
    except (Forbidden, Invalid, NotFound):
        can_rate = False
    if rating is None:
        return RatingView(None, "", "", None, None, can_rate, False)
    return RatingView(rating.score, rating.comment, by, rating.rated_at, rating.changed_at, can_rate,
                      ticket.status not in SOLVED)


# ---------------------------------------------------------------- the report

def _staff(principal: Principal) -> None:
    principal.require_staff(*tickets.AGENT_ROLES)


def clean_period(value: object) -> int:
    if type(value) is not int or value not in PERIODS:  # noqa: E721
        raise Invalid("Choose a period from the list.", field="period")
    return value


@dataclass(frozen=True)
class Report:
    days: int
    since: datetime
    raised: int
    solved: int
    first_response_minutes: float | None  # median, wall-clock; None: no request in the period
    resolution_minutes: float | None
    ratings: int
    average: float | None
    distribution: dict[int, int]  # score -> how many, every score present


def _minutes(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds() / 60, 0.0)


def report(session: Session, principal: Principal, days: object = DEFAULT_PERIOD) -> Report:
    """The support figures of the last `days` days (7, 30 or 90), for staff
    agents: two statements whatever the number of requests."""
    _staff(principal)
    period = clean_period(days)
    since = utcnow() - timedelta(days=period)
    solved_at = func.coalesce(Ticket.resolved_at, Ticket.closed_at)
    rows = session.execute(
        tickets.visible_to(principal)
        .with_only_columns(Ticket.created_at, Ticket.first_responded_at, solved_at, Ticket.merged_into_id)
        .where(or_(Ticket.created_at >= since, Ticket.first_responded_at >= since, solved_at >= since))).all()
    raised = sum(1 for created, *_ in rows if created >= since)
    firsts = [_minutes(first, created) for created, first, _, _ in rows if first is not None and first >= since]
    solutions = [_minutes(done, created) for created, _, done, merged in rows
                 if done is not None and done >= since and merged is None]
    counts = dict(session.execute(
        tickets.visible_to(principal).join(TicketRating, TicketRating.ticket_id == Ticket.id)
        .with_only_columns(TicketRating.score, func.count())
        .where(TicketRating.changed_at >= since).group_by(TicketRating.score)).all())
    distribution = {score: int(counts.get(score, 0)) for score in SCORES}
    total = sum(distribution.values())
    average = sum(score * n for score, n in distribution.items()) / total if total else None
    return Report(period, since, raised, len(solutions), statistics.median(firsts) if firsts else None,
                  statistics.median(solutions) if solutions else None, total, average, distribution)


@dataclass(frozen=True)
class CommentRow:
    number: int
    subject: str
    org: str
    score: int
    comment: str
    rated_by: str
    changed_at: datetime


def comments(session: Session, principal: Principal, days: object = DEFAULT_PERIOD, *, page: object = 1,
             cursor: object = None) -> Page:
    """The period's ratings that came with a comment, newest first, a page
    at a time (two statements whatever the page)."""
    _staff(principal)
    since = utcnow() - timedelta(days=clean_period(days))
    rater = aliased(User)
    stmt = (tickets.visible_to(principal)
            .join(TicketRating, TicketRating.ticket_id == Ticket.id)
            .join(Organization, Organization.id == Ticket.org_id)
            .outerjoin(rater, rater.id == TicketRating.rated_by_id)
            .with_only_columns(Ticket.number, Ticket.subject, Organization.name, TicketRating.score,
                               TicketRating.comment, tickets._name(rater, "Someone"), TicketRating.changed_at)
            .where(TicketRating.changed_at >= since, TicketRating.comment != ""))
    return paginate(session, stmt, page, PAGE_SIZE, keys=ORDER, cursor=cursor).mapped(lambda row: CommentRow(*row))


# ---------------------------------------------------------------- registered with the audit log

audit.ACTIONS.update({
    "ticket.rated": "rated a support request",
    "ticket.rating_changed": "changed a request's rating",
})


def _rated(s: audit.Said) -> str:
    score = s.details.get("score")
    out_of = f" {score} out of 5" if type(score) is int else ""  # noqa: E721
    return f"{s.actor} rated {s.target or 'a support request'}{out_of}"


def _rating_changed(s: audit.Said) -> str:
    old, new = s.details.get("from"), s.details.get("score")
    change = f" from {old} to {new} out of 5" if type(old) is int and type(new) is int else ""  # noqa: E721
    return f"{s.actor} changed the rating of {s.target or 'a support request'}{change}"


audit.SENTENCES.update({"ticket.rated": _rated, "ticket.rating_changed": _rating_changed})
