"""Members of an organisation: the list, invitations by email with a role,
role changes and removal. Owners and admins manage members; only owners make
or unmake owners; an organisation always keeps at least one owner.

Rules checked by reading and then writing hold under concurrency: role
changes and removals lock the organisation's row first (`db.lock_rows`: on
SQLite the database's write lock) and then re-read the actor's role, and an
invitation is claimed with a conditional UPDATE, so two people acting at the
same moment cannot leave an organisation without an owner or accept one
invitation twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, func, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import lock_rows
from portal_app.models import Invitation, Membership, Organization, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live, notifications, organizations, passwords, throttle, tokens
from portal_app.services.accounts import normalize_email
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.mail import public_link, queue_mail
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_text

INVITATION_TTL = timedelta(days=7)
# The same invitation asked for again within this time (a double click, a
# resubmitted form) is the one already sent: no second row, no second mail.
REPEAT_WINDOW = timedelta(minutes=2)
MANAGERS = ("owner", "admin")
BAD_INVITATION = "This invitation has expired, was withdrawn or was already used. Ask for a new one."
HAS_ACCOUNT = "That address already has an account: sign in to accept."
ALREADY_ACCEPTED = "This invitation has already been accepted. Sign in to see the organisation."
LAST_OWNER = "An organisation needs at least one owner. Make someone else an owner first."
NO_LONGER_MEMBER = "You are no longer a member of this organisation."
ROLE_CHANGED = "Your role in this organisation has just changed. Reload the page and try again."


@dataclass(frozen=True)
class MemberRow:
    membership_id: int
    user_id: int
    name: str
    email: str
    role: str
    mfa_enabled: bool
    joined_at: datetime


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    role: str
    expires_at: datetime


def _require_manager(principal: Principal, org_id: object) -> str:
    return require_role(principal, org_id, *MANAGERS, to="manage members", acting=True)


def visible_to(principal: Principal, *also) -> Select:
    """The memberships a principal may see: those of their organisations
    (every member sees the member list). `also` are entities to load beside
    each membership (the caller joins them)."""
    return select(Membership, *also).where(Membership.org_id.in_([m.org_id for m in principal.memberships]))


def invitations_visible_to(principal: Principal) -> Select:
    """The invitations a principal may see: those of the organisations they
    manage (plain members see none, rather than an error)."""
    managed = [m.org_id for m in principal.memberships if m.role in MANAGERS]
    return select(Invitation).where(Invitation.org_id.in_(managed))


def access_membership(session: Session, principal: Principal, org_id: object, membership_id: object) -> Membership:
    """One membership of `org_id` through `visible_to`, read afresh (callers
    hold the organisation's lock), or `NotFound`: missing, in another
    organisation, or an id of the wrong type look the same."""
    membership = None
    if type(membership_id) is int:  # noqa: E721 — True, floats and strings are not ids
        membership = session.exec(visible_to(principal).where(
            Membership.id == membership_id, Membership.org_id == org_id)
            .execution_options(populate_existing=True)).first()
    if membership is None:
        raise NotFound("That member no longer exists.")
    return membership


def access_invitation(session: Session, principal: Principal, org_id: object, invitation_id: object) -> Invitation:
    """One pending invitation of `org_id` through `invitations_visible_to`,
    or `NotFound` (also once it was accepted or withdrawn)."""
    invitation = None
    if type(invitation_id) is int:  # noqa: E721
        invitation = session.exec(invitations_visible_to(principal).where(
            Invitation.id == invitation_id, Invitation.org_id == org_id,
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))).first()
    if invitation is None:
        raise NotFound("That invitation no longer exists.")
    return invitation


def _clean_role(role: object, acting_role: str) -> str:
    if role not in ROLES:
        raise Invalid("Choose a role: owner, admin, billing or member.", field="role")
    if role == "owner" and acting_role != "owner":
        raise Forbidden("Only owners can make someone an owner.")
    return role


def list_members(session: Session, principal: Principal, org_id: object) -> list[MemberRow]:
    require_role(principal, org_id, *ROLES)
    rows = session.exec(visible_to(principal, User).join(User, User.id == Membership.user_id)
                        .where(Membership.org_id == org_id).order_by(User.name, User.id)).all()
    return [MemberRow(m.id, u.id, u.name, u.email, m.role, u.mfa_enabled_at is not None, m.created_at)
            for m, u in rows]


def list_invitations(session: Session, principal: Principal, org_id: object) -> list[InvitationRow]:
    require_role(principal, org_id, *ROLES)
    rows = session.exec(invitations_visible_to(principal).where(
        Invitation.org_id == org_id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow()).order_by(Invitation.created_at.desc())).all()
    return [InvitationRow(i.id, i.email, i.role, i.expires_at) for i in rows]


# `count_without_mfa` for the organisation `org_id` (a bound parameter), built
# once, for the dashboard's one statement (services/dashboard.py), which
# authorises with `require_role` before using it.
COUNT_WITHOUT_MFA = (select(func.count()).select_from(Membership).join(User, User.id == Membership.user_id)
                     .where(Membership.org_id == bindparam("org_id"), User.mfa_enabled_at.is_(None)))


def count_without_mfa(session: Session, principal: Principal, org_id: object) -> int:
    """How many members of the organisation have not set up two-step
    verification (shown to everyone in it next to the requirement)."""
    require_role(principal, org_id, *ROLES)
    return session.exec(visible_to(principal).with_only_columns(func.count(), maintain_column_froms=True).join(
        User, User.id == Membership.user_id).where(Membership.org_id == org_id, User.mfa_enabled_at.is_(None))).one()


def _recent_same_invitation(session: Session, org_id: int, email: str, role: str) -> Invitation | None:
    return session.exec(select(Invitation).where(
        Invitation.org_id == org_id, Invitation.email == email, Invitation.role == role,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.created_at > utcnow() - REPEAT_WINDOW)).first()


def invite(session: Session, principal: Principal, org_id: object, *, email: object, role: object) -> Invitation:
    """Mail a 7-day invitation link; a newer invitation to the same address
    replaces the older one, except that the same one asked for again at once
    is the one already sent (see REPEAT_WINDOW). Each person and each
    organisation may send only so many an hour (`throttle.INVITATIONS_PER_*`)."""
    acting = _require_manager(principal, org_id)
    clean_email = normalize_email(email)
    clean_role = _clean_role(role, acting)
    already = session.exec(select(Membership.id).join(User, User.id == Membership.user_id).where(
        Membership.org_id == org_id, User.email == clean_email)).first()
    if already is not None:
        raise Invalid("That person is already a member.", field="email")
    repeated = _recent_same_invitation(session, org_id, clean_email, clean_role)
    if repeated is not None:
        return repeated
    throttle.spend(session, [(throttle.person_key("invite", principal.user_id), throttle.INVITATIONS_PER_PERSON),
                             (throttle.org_key("invite", org_id), throttle.INVITATIONS_PER_ORG)],
                   reason="Too many invitations were sent from this account or organisation in the last hour.")
    session.execute(update(Invitation).where(
        Invitation.org_id == org_id, Invitation.email == clean_email, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(revoked_at=utcnow()))
    raw = tokens.new_secret()
    invitation = Invitation(org_id=org_id, email=clean_email, role=clean_role, token_hash=tokens.hash_secret(raw),
                            invited_by_id=principal.user_id, expires_at=utcnow() + INVITATION_TTL)
    session.add(invitation)
    session.flush()
    audit.record(session, "member.invited", actor=principal, org_id=org_id, target_type="invitation",
                 target_id=invitation.id, target_label=clean_email, details={"role": clean_role})
    live.changed(session, live.org_key(org_id, "members"))
    org = organizations.access_organization(session, principal, org_id)
    queue_mail(session, to=clean_email, subject=f"Join {org.name}", body=(
        f"{principal.name} invites you to join {org.name} as {clean_role}.\n\n"
        f"Accept within 7 days: {public_link(routes.ACCEPT_INVITATION, token=raw)}\n\n"
        "If you did not expect this, ignore this message."))
    invitee = session.exec(select(User.id).where(User.email == clean_email)).first()
    if invitee is not None:  # in the portal only: the mail above is the invitation itself
        notifications.notify(session, [invitee], notifications.EVENTS["invitation"],
                             notifications.Target(routes.DASHBOARD, org_id),
                             facts={"actor": principal.name, "org": org.name, "role": clean_role})
    return invitation


def revoke_invitation(session: Session, principal: Principal, org_id: object, invitation_id: object) -> None:
    _require_manager(principal, org_id)
    invitation = access_invitation(session, principal, org_id, invitation_id)
    invitation.revoked_at = utcnow()
    session.add(invitation)
    audit.record(session, "member.invitation_withdrawn", actor=principal, org_id=org_id, target_type="invitation",
                 target_id=invitation.id, target_label=invitation.email)
    live.changed(session, live.org_key(org_id, "members"))
    session.flush()


def _live_invitation(session: Session, raw: object) -> Invitation:
    """The invitation behind a link, or `Invalid` saying why it cannot be used."""
    if not isinstance(raw, str) or not raw or len(raw) > tokens.TOKEN_MAX_LENGTH:
        raise Invalid(BAD_INVITATION, code=ErrorCode.BAD_LINK)
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == tokens.hash_secret(raw))).first()
    if invitation is not None and invitation.accepted_at is not None:
        raise Invalid(ALREADY_ACCEPTED, code=ErrorCode.BAD_LINK)
    if invitation is None or invitation.revoked_at or invitation.expires_at <= utcnow():
        raise Invalid(BAD_INVITATION, code=ErrorCode.BAD_LINK)
    return invitation


def _claim(session: Session, invitation: Invitation) -> None:
    """Mark the invitation accepted, only if nobody did in the meantime: a
    second accept of the same link waits for the first (row lock) and then
    matches no row, instead of creating a second account or membership."""
    now = utcnow()
    claimed = session.execute(update(Invitation).where(
        Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now).values(accepted_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Invalid(ALREADY_ACCEPTED, code=ErrorCode.BAD_LINK)
    invitation.accepted_at = now


@dataclass(frozen=True)
class InvitationView:
    org_name: str
    email: str
    role: str
    has_account: bool


def describe_invitation(session: Session, raw: object) -> InvitationView:
    """What the accept page shows. Only someone holding the link sees it."""
    invitation = _live_invitation(session, raw)
    has_account = session.exec(select(User.id).where(User.email == invitation.email)).first() is not None
    return InvitationView(session.get(Organization, invitation.org_id).name, invitation.email,
                          invitation.role, has_account)


def _join(session: Session, invitation: Invitation, user: User, ip: str = "") -> None:
    if session.exec(select(Membership.id).where(Membership.user_id == user.id,
                                                Membership.org_id == invitation.org_id)).first() is None:
        session.add(Membership(user_id=user.id, org_id=invitation.org_id, role=invitation.role))
        audit.record(session, "member.joined", actor_id=user.id, actor_label=user.email, org_id=invitation.org_id,
                     target_type="invitation", target_id=invitation.id, ip=ip, details={"role": invitation.role})
        live.changed(session, live.org_key(invitation.org_id, "members"))
        _tell_managers_about(session, invitation, user)
    session.flush()


def _tell_managers_about(session: Session, invitation: Invitation, user: User) -> None:
    """The organisation's owners and admins hear that someone joined."""
    managers = session.exec(select(Membership.user_id).where(
        Membership.org_id == invitation.org_id, Membership.role.in_(MANAGERS), Membership.user_id != user.id)).all()
    notifications.notify(session, managers, notifications.EVENTS["member_joined"],
                         notifications.Target(routes.ORGANIZATION, invitation.org_id),
                         facts={"person": user.name, "org": session.get(Organization, invitation.org_id).name,
                                "role": invitation.role})


def accept_as(session: Session, principal: Principal, raw: object) -> int:
    """A signed-in person accepts; the invitation must be for their address.
    Returns the organisation's id."""
    invitation = _live_invitation(session, raw)
    if invitation.email != principal.email:
        raise Forbidden(f"This invitation is for {invitation.email}. Sign in with that address to accept it.")
    _claim(session, invitation)
    _join(session, invitation, session.get(User, principal.user_id), principal.ip)
    return invitation.org_id


def _refuse_if_has_account(session: Session, invitation: Invitation) -> None:
    """An account for the address may come from this very invitation, accepted a moment ago by
    a second click (on PostgreSQL it commits between our reads): then say so, not "sign in"."""
    if session.exec(select(User.id).where(User.email == invitation.email)).first() is None:
        return
    accepted = session.exec(select(Invitation.accepted_at).where(Invitation.id == invitation.id)).first()
    if accepted is not None:
        raise Invalid(ALREADY_ACCEPTED, code=ErrorCode.BAD_LINK)
    raise Invalid(HAS_ACCOUNT, code=ErrorCode.HAS_ACCOUNT)


def accept_new_account(session: Session, raw: object, *, name: object, password: object, ip: str = "") -> User:
    """Someone without an account accepts by choosing a name and password.
    The link came to their mailbox, so the address counts as confirmed."""
    invitation = _live_invitation(session, raw)
    _refuse_if_has_account(session, invitation)
    clean_name = clean_text(name, field="name", label="Your name", max_length=200)
    passwords.check_policy(password, email=invitation.email, name=clean_name)
    password_hash = passwords.hash_password(password)  # before the claim: it takes the write lock
    _claim(session, invitation)
    if session.exec(select(User.id).where(User.email == invitation.email)).first() is not None:
        raise Invalid(HAS_ACCOUNT, code=ErrorCode.HAS_ACCOUNT)  # registered meanwhile: the claim is ours
    user = User(email=invitation.email, name=clean_name, password_hash=password_hash,
                email_verified_at=utcnow())
    session.add(user)
    session.flush()
    _join(session, invitation, user, ip)
    return user


def owner_count(session: Session, org_id: int) -> int:
    return len(session.exec(select(Membership.id).where(Membership.org_id == org_id,
                                                        Membership.role == "owner")).all())


def lock_organization(session: Session, org_id: int) -> None:
    """Hold the organisation's row until the transaction ends: every change
    to its owners goes through here first, so two of them run one after the
    other and the second sees what the first did."""
    lock_rows(session, select(Organization.id).where(Organization.id == org_id))


def _role_now(session: Session, principal: Principal, org_id: int, checked: str) -> str:
    """The actor's role as it is under the lock (the principal was read before
    it, and someone may have just demoted or removed them): the role
    `require_role` checked (`checked`), or a refusal that says what changed."""
    role = session.exec(select(Membership.role).where(Membership.org_id == org_id,
                                                      Membership.user_id == principal.user_id)).first()
    if role is None:
        raise Forbidden(NO_LONGER_MEMBER, code=ErrorCode.NOT_MEMBER)
    if role != checked:
        raise Forbidden(ROLE_CHANGED, code=ErrorCode.ROLE_CHANGED)
    return role


def change_role(session: Session, principal: Principal, org_id: object, membership_id: object, *,
                role: object) -> Membership:
    checked = _require_manager(principal, org_id)
    lock_organization(session, org_id)
    acting = _role_now(session, principal, org_id, checked)
    membership = access_membership(session, principal, org_id, membership_id)
    new_role = _clean_role(role, acting)
    if membership.role == "owner" and acting != "owner":
        raise Forbidden("Only owners can change an owner's role.")
    if membership.role == "owner" and new_role != "owner" and owner_count(session, org_id) == 1:
        raise Invalid(LAST_OWNER)
    old, membership.role = membership.role, new_role
    session.add(membership)
    audit.record(session, "member.role_changed", actor=principal, org_id=org_id, target_type="user",
                 target_id=membership.user_id, target_label=session.get(User, membership.user_id).email,
                 details={"from": old, "to": new_role})
    live.changed(session, live.org_key(org_id, "members"))
    if old != new_role and membership.user_id != principal.user_id:
        notifications.notify(session, [membership.user_id], notifications.EVENTS["role_changed"],
                             notifications.Target(routes.ORGANIZATION, org_id),
                             facts={"actor": principal.name, "org": session.get(Organization, org_id).name,
                                    "old": old, "new": new_role})
    session.flush()
    return membership


def remove_member(session: Session, principal: Principal, org_id: object, membership_id: object) -> None:
    """Managers remove members; anyone may leave. The last owner stays."""
    checked = require_role(principal, org_id, *ROLES)
    lock_organization(session, org_id)
    role = _role_now(session, principal, org_id, checked)
    membership = access_membership(session, principal, org_id, membership_id)
    leaving = membership.user_id == principal.user_id
    if not leaving:
        _require_manager(principal, org_id)
        if membership.role == "owner" and role != "owner":
            raise Forbidden("Only owners can remove an owner.")
    if membership.role == "owner" and owner_count(session, org_id) == 1:
        raise Invalid(LAST_OWNER)
    audit.record(session, "member.left" if leaving else "member.removed", actor=principal, org_id=org_id,
                 target_type="user", target_id=membership.user_id,
                 target_label=session.get(User, membership.user_id).email, details={"role": membership.role})
    live.changed(session, live.org_key(org_id, "members"))
    session.delete(membership)
    session.flush()
