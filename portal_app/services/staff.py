"""The back office: the business's own people (staff: admin, agent, billing)
see every organisation and person, and admins add staff, read the mail
outbox and give an organisation left without an owner a new one. Staff belong
to no organisation, and customers are never staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, func, not_, or_
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import after_commit
from portal_app.jobs.mail import deliver_mail
from portal_app.models import Membership, Organization, OutgoingMail, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live, members, organizations, passwords, throttle, tokens
from portal_app.services.accounts import normalize_email
from portal_app.services.errors import ErrorCode, Invalid, NotFound
from portal_app.services.mail import public_link, queue_mail
from portal_app.services.paging import CodePointOrder, Keys, Page, paginate, starts_with
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text, contains_pattern

STAFF_ROLES = ("admin", "agent", "billing")
PAGE_SIZE = 25
SET_PASSWORD_TTL = timedelta(days=7)


ORG_ORDER = Keys((Organization.name, Organization.id))
# Case-insensitive by name, in code-point order on every engine (so SQLite and
# PostgreSQL list people alike): the index (lower(name), id) orders the people
# list and answers the name search (a prefix of it, a range) too.
USER_ORDER = Keys((CodePointOrder(func.lower(User.name, type_=String)), User.id))
MAIL_ORDER = Keys((OutgoingMail.id,), descending=True)


def _search_term(query: object) -> str:
    return contains_pattern(clean_text(query, field="q", label="Search", max_length=100, required=False))


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    slug: str
    members: int
    owners: int
    created_at: datetime


def list_organizations(session: Session, principal: Principal, *, query: object = "", page: object = 1,
                       cursor: object = None) -> Page:
    """Organisations by name, those whose name or slug contains what was
    typed. Members and owners are counted for the page's rows only (a
    correlated count per row, from the memberships' org_id index), never by
    grouping every membership for each page."""
    principal.require_staff()
    term = _search_term(query)
    members_of = select(func.count()).where(Membership.org_id == Organization.id)
    stmt = (select(Organization.id, Organization.name, Organization.slug, members_of.scalar_subquery(),
                   members_of.where(Membership.role == "owner").scalar_subquery(), Organization.created_at)
            .where(or_(func.lower(Organization.name).like(term, escape="\\"),
                       func.lower(Organization.slug).like(term, escape="\\"))))
    return paginate(session, stmt, page, PAGE_SIZE, keys=ORG_ORDER, cursor=cursor).mapped(lambda row: OrgRow(*row))


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    staff_role: str | None
    verified: bool
    mfa: bool
    created_at: datetime


def list_users(session: Session, principal: Principal, *, query: object = "", page: object = 1,
               cursor: object = None) -> Page:
    """Everyone, by name; a search finds the people whose name or email
    address starts with what was typed, in any case ("ali" finds Alice
    Owner and ali@example.com, "@example.com" finds nobody). A prefix, not a
    substring, so that indexes on lower(name) and email answer it at 200,000
    people instead of a scan of them all. The search is two disjoint parts
    (services/paging.py): the people whose name matches, and those whose
    email matches and name does not; each is a short walk of its own index
    in the list's order, where one OR of the two matched, and sorted, every
    match (12,500 people for "grace" among 200,000)."""
    principal.require_staff()
    prefix = clean_text(query, field="q", label="Search", max_length=100, required=False).strip().lower()
    stmt = select(User.id, User.name, User.email, User.staff_role, User.email_verified_at, User.mfa_enabled_at,
                  User.created_at)
    parts = ()
    if prefix:
        by_name = starts_with(session, USER_ORDER.columns[0], prefix)
        parts = (by_name, and_(starts_with(session, User.email, prefix), not_(by_name)))
    return paginate(session, stmt, page, PAGE_SIZE, keys=USER_ORDER, cursor=cursor, parts=parts).mapped(
        lambda r: UserRow(r[0], r[1], r[2], r[3], r[4] is not None, r[5] is not None, r[6]))


@dataclass(frozen=True)
class MailRow:
    id: int
    to_address: str
    subject: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    dead_at: datetime | None

    @property
    def status(self) -> str:
        """sent; failed (given up: an admin may send it again); retrying
        (an attempt failed, another is scheduled); queued."""
        if self.sent_at:
            return "sent"
        if self.dead_at:
            return "failed"
        return "retrying" if self.last_error else "queued"


def list_outbox(session: Session, principal: Principal, *, page: object = 1, cursor: object = None) -> Page:
    """Delivery state of outgoing mail, for admins. Bodies are not shown:
    they hold people's sign-in and reset links."""
    principal.require_staff("admin")
    stmt = select(OutgoingMail.id, OutgoingMail.to_address, OutgoingMail.subject, OutgoingMail.created_at,
                  OutgoingMail.sent_at, OutgoingMail.attempts, OutgoingMail.last_error, OutgoingMail.dead_at)
    return paginate(session, stmt, page, PAGE_SIZE, keys=MAIL_ORDER, cursor=cursor).mapped(lambda row: MailRow(*row))


def resend_mail(session: Session, principal: Principal, mail_id: object) -> OutgoingMail:
    """Admins send a mail the portal gave up on again (say, after fixing the
    SMTP settings): it gets a fresh set of attempts and a job once this
    commits. Only failed mail: a queued or sent one is left alone."""
    principal.require_staff("admin")
    mail = session.get(OutgoingMail, mail_id) if type(mail_id) is int else None  # noqa: E721
    if mail is None:
        raise NotFound("That mail no longer exists.")
    if mail.dead_at is None:
        raise Invalid("Only mail that failed can be sent again.", code=ErrorCode.NOT_FAILED)
    mail.dead_at, mail.attempts, mail.not_before = None, 0, None
    session.add(mail)
    audit.record(session, "mail.resent", actor=principal, target_type="mail", target_id=mail.id,
                 target_label=mail.to_address)
    session.flush()
    mail_id = mail.id
    after_commit(session, lambda: deliver_mail(mail_id))
    return mail


def _clean_staff_role(role: object) -> str:
    if role not in STAFF_ROLES:
        raise Invalid("Choose a staff role: admin, agent or billing.", field="role")
    return role


def _unused_password() -> str:
    """A hash nobody knows the password for: the person sets their own."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def add_staff(session: Session, principal: Principal, *, name: object, email: object, role: object) -> User:
    """Admins add staff, who get a 7-day link to choose their password."""
    principal.require_staff("admin")
    clean_name = clean_text(name, field="name", label="Name", max_length=200)
    clean_email = normalize_email(email)
    clean_role = _clean_staff_role(role)
    if session.exec(select(User.id).where(User.email == clean_email)).first() is not None:
        raise Invalid("That address already has an account.", field="email")
    throttle.spend(session, [(throttle.person_key("add_staff", principal.user_id), throttle.STAFF_INVITES_PER_PERSON)],
                   reason="You have added many staff members in the last hour.")
    user = User(email=clean_email, name=clean_name, password_hash=_unused_password(), staff_role=clean_role,
                email_verified_at=utcnow())
    session.add(user)
    session.flush()
    audit.record(session, "staff.added", actor=principal, target_type="user", target_id=user.id,
                 target_label=clean_email, details={"role": clean_role})
    raw = tokens.issue(session, user_id=user.id, purpose=tokens.PASSWORD_RESET, ttl=SET_PASSWORD_TTL)
    queue_mail(session, to=clean_email, subject="Your staff account", body=(
        f"Hello {clean_name},\n\n{principal.name} added you to the back office as {clean_role}.\n"
        f"Choose your password here (valid for 7 days): {public_link(routes.RESET_PASSWORD, token=raw)}"))
    return user


def create_admin(session: Session, *, email: object, name: object, password: object) -> tuple[User, bool]:
    """For the command line (the first admin has nobody to add them). Makes a
    new admin, or makes an existing staff member an admin. Returns (user, created)."""
    clean_email = normalize_email(email)
    user = session.exec(select(User).where(User.email == clean_email)).first()
    if user is not None:
        if user.staff_role is None and session.exec(select(Membership.id).where(
                Membership.user_id == user.id)).first() is not None:
            raise Invalid("That address belongs to a customer; use another address for staff.", field="email")
        user.staff_role = "admin"
        session.add(user)
        session.flush()
        audit.record(session, "staff.admin_created", actor_label="command line", target_type="user",
                     target_id=user.id, target_label=user.email)
        return user, False
    clean_name = clean_text(name, field="name", label="Name", max_length=200)
    passwords.check_policy(password, email=clean_email, name=clean_name)
    user = User(email=clean_email, name=clean_name, password_hash=passwords.hash_password(password),
                staff_role="admin", email_verified_at=utcnow())
    session.add(user)
    session.flush()
    audit.record(session, "staff.admin_created", actor_label="command line", target_type="user",
                 target_id=user.id, target_label=user.email)
    return user, True




@dataclass(frozen=True)
class OrgMemberRow:
    membership_id: int
    name: str
    email: str
    role: str


def list_org_members(session: Session, principal: Principal, org_id: object) -> tuple[Organization,
                                                                                      list[OrgMemberRow]]:
    """An organisation and its members, for staff."""
    principal.require_staff()
    org = organizations.access_organization(session, principal, org_id, back_office=True)
    rows = session.exec(select(Membership.id, User.name, User.email, Membership.role)
                        .join(User, User.id == Membership.user_id).where(Membership.org_id == org.id)
                        .order_by(User.name, User.id)).all()
    return org, [OrgMemberRow(*row) for row in rows]


def make_owner(session: Session, principal: Principal, org_id: object, membership_id: object) -> Membership:
    """Staff admins give an organisation without an owner one of its members
    as owner (nobody inside could: only owners make owners). An organisation
    that has an owner is left to its owners."""
    principal.require_staff("admin")
    org = organizations.access_organization(session, principal, org_id, back_office=True)
    members.lock_organization(session, org.id)
    if members.owner_count(session, org.id) > 0:
        raise Invalid("This organisation already has an owner; its owners manage its roles.",
                      code=ErrorCode.HAS_OWNER)
    membership = (session.get(Membership, membership_id, populate_existing=True)
                  if type(membership_id) is int else None)  # noqa: E721
    if membership is None or membership.org_id != org.id:
        raise NotFound("That member no longer exists.")
    old, membership.role = membership.role, "owner"
    session.add(membership)
    audit.record(session, "staff.owner_assigned", actor=principal, org_id=org.id, target_type="user",
                 target_id=membership.user_id, target_label=session.get(User, membership.user_id).email,
                 details={"from": old})
    live.changed(session, live.org_key(org.id, "members"))
    session.flush()
    return membership
