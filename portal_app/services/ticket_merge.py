"""Merging a duplicate request into another (staff agents): the duplicate's
conversation (public replies and internal notes, with their attachments)
moves onto the other ticket, where it falls into time order; whoever raised
or followed the duplicate now follows the other; the duplicate is closed and
points there ("Merged into T-1042"); a public message on each tells the
customers, who also hear it through `notify`. One audited transaction.

`check_merge` validates and authorises (the page asks it first, to name both
tickets in its confirmation); `do_merge` checks again and merges. Refused:
merging a ticket into itself, into another organisation's ticket (their
people and files must never meet), into a closed or merged one, a duplicate
already merged, and chains (a ticket others were merged into is a merge
target, not a duplicate: its own duplicates would then point at a closed
ticket).

Messages move rather than being copied: an attachment belongs to one message
(`ticket_attachments.file_id` is unique), and the duplicate's customers
follow the ticket the messages move to, so nobody loses what they could read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.models import Membership, Organization, Ticket, TicketFollower, TicketMessage
from portal_app.models.base import utcnow
from portal_app.services import audit, notifications, tickets
from portal_app.services.errors import Invalid
from portal_app.services.principal import Principal

FIELD = "into"  # the form field the other ticket's number is typed in


@dataclass(frozen=True)
class MergePlan:
    """What the confirmation names: both tickets, and the organisation."""

    duplicate: int  # ticket numbers
    duplicate_subject: str
    into: int
    into_subject: str
    org: str
    messages: int  # how many entries of the conversation move


def _into_number(into: object) -> int:
    number = into if type(into) is int else tickets.parse_number(into)  # noqa: E721 — True is an int too
    if number is None or not 0 < number < 10**9:
        raise Invalid("Enter the number of the request to merge into, like T-1042.", field=FIELD)
    return number


def _refuse(duplicate: Ticket, target: Ticket | None, into: int, has_duplicates: bool) -> None:
    other = tickets.label(into)
    if duplicate.number == into:
        raise Invalid("A request cannot be merged into itself.", field=FIELD)
    if duplicate.merged_into_id is not None:
        raise Invalid("This request has already been merged.")
    if has_duplicates:
        raise Invalid("Other requests were merged into this one: merge the other request into this one instead.")
    if target is None:
        raise Invalid(f"There is no request {other}.", field=FIELD)
    if target.org_id != duplicate.org_id:
        raise Invalid(f"{other} belongs to another organisation: only requests of the same organisation merge.",
                      field=FIELD)
    if target.merged_into_id is not None:
        raise Invalid(f"{other} was itself merged into another request: merge into that one.", field=FIELD)
    if target.status == "closed":
        raise Invalid(f"{other} is closed: reopen it first, or merge into an open request.", field=FIELD)


def _load(session: Session, principal: Principal, number: object, into: object,
          *, lock: bool = False) -> tuple[Ticket, Ticket]:
    duplicate = tickets.access_ticket(session, principal, number)
    principal.require_staff(*tickets.AGENT_ROLES)
    wanted = _into_number(into)
    if lock:  # both rows, in id order, so two merges of the same pair wait for each other (PostgreSQL)
        session.exec(select(Ticket.id).where(Ticket.number.in_([duplicate.number, wanted]))
                     .order_by(Ticket.id).with_for_update()).all()
        session.refresh(duplicate)
    target = session.exec(tickets.visible_to(principal).where(Ticket.number == wanted)).first()
    has_duplicates = session.exec(select(Ticket.id).where(Ticket.merged_into_id == duplicate.id)).first() is not None
    _refuse(duplicate, target, wanted, has_duplicates)
    return duplicate, target


def check_merge(session: Session, principal: Principal, number: object, into: object) -> MergePlan:
    """Whether staff may merge ticket `number` into `into` ("T-1042",
    "1042" or 1042), and what the confirmation says about it."""
    duplicate, target = _load(session, principal, number, into)
    org = session.exec(select(Organization.name).where(Organization.id == duplicate.org_id)).one()
    moving = len(session.exec(select(TicketMessage.id).where(TicketMessage.ticket_id == duplicate.id)).all())
    return MergePlan(duplicate.number, duplicate.subject, target.number, target.subject, org, moving)


def _followers_to_add(session: Session, duplicate: Ticket, target: Ticket) -> list[int]:
    """Who raised or follows the duplicate and is still a member of the
    organisation, but does not follow the target yet."""
    followers = set(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == duplicate.id)).all())
    if duplicate.raised_by_id is not None:
        followers.add(duplicate.raised_by_id)
    members = set(session.exec(select(Membership.user_id).where(Membership.org_id == duplicate.org_id,
                                                                 Membership.user_id.in_(followers))).all())
    already = set(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == target.id)).all())
    return sorted(members - already - {target.raised_by_id})


def do_merge(session: Session, principal: Principal, number: object, into: object) -> Ticket:
    """Merge ticket `number` into `into`; returns the ticket merged into."""
    duplicate, target = _load(session, principal, number, into, lock=True)
    now = utcnow()
    session.execute(update(TicketMessage).where(TicketMessage.ticket_id == duplicate.id)
                    .values(ticket_id=target.id))
    for user_id in _followers_to_add(session, duplicate, target):
        session.add(TicketFollower(ticket_id=target.id, user_id=user_id))
    dup_label, into_label = tickets.label(duplicate.number), tickets.label(target.number)
    session.add(TicketMessage(ticket_id=duplicate.id, author_id=principal.user_id, created_at=now, body=(
        f"This request was merged into {into_label}, where the conversation continues: its messages are there now.")))
    session.add(TicketMessage(ticket_id=target.id, author_id=principal.user_id, created_at=now, body=(
        f"{dup_label} was merged into this request: its messages now appear in this conversation, in time order.")))
    tickets._set_status(session, duplicate, "closed", now)
    duplicate.merged_into_id, duplicate.last_activity_at = target.id, now
    target.last_activity_at = now
    session.add(duplicate)
    session.add(target)
    session.flush()
    audit.record(session, "ticket.merged", actor=principal, org_id=duplicate.org_id, target_type="ticket",
                 target_id=duplicate.id, target_label=dup_label, details={"into": into_label})
    customers = [uid for uid in tickets._customer_side(session, target) if uid != principal.user_id]
    notifications.notify(session, customers, notifications.EVENTS["ticket_merged"], tickets._target(target),
                         facts={"actor": principal.name or principal.email, "ticket": dup_label, "into": into_label,
                                "subject": target.subject})
    tickets._changed(session, target)  # both tickets' pages, the organisation's lists and the staff's reload
    tickets._changed(session, duplicate)
    session.flush()
    return target
