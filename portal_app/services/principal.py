"""Who is acting: the one object every service receives and authorises with.
It is built from the database on each request, never from client data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models import Membership, Organization, User
from portal_app.services.errors import ErrorCode, Forbidden, NotFound

ROLES = ("owner", "admin", "billing", "member")
_PLURALS = {"owner": "owners", "admin": "admins", "billing": "billing members", "member": "members"}


@dataclass(frozen=True)
class OrgRole:
    org_id: int
    org_name: str
    role: str


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    name: str
    email_verified: bool
    session_id: int | None
    memberships: tuple[OrgRole, ...] = ()
    mfa_enabled: bool = False
    mfa_required: bool = False  # staff, or some organisation of theirs requires it
    active_org_id: int | None = None  # chosen in this session, if any
    staff_role: str | None = None  # admin / agent / billing for the business's own people
    ip: str = ""  # where this request came from (for the audit log), set by the caller
    demo_mfa_exempt: bool = False  # the demo staff admin, as seeded (see User.demo_mfa_exempt)

    def role_in(self, org_id: object) -> str | None:
        """The role in that organisation, or None when not a member (also for
        ids of the wrong type, which a hostile client may send)."""
        if type(org_id) is not int:  # noqa: E721 — True is an int too, and would match org 1
            return None
        for m in self.memberships:
            if m.org_id == org_id:
                return m.role
        return None

    @property
    def current(self) -> OrgRole | None:
        """The organisation the person works in: the one chosen in this
        session, else the first one joined."""
        for m in self.memberships:
            if m.org_id == self.active_org_id:
                return m
        return self.memberships[0] if self.memberships else None

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    def require_staff(self, *roles: str) -> None:
        """Back-office actions: staff only, of the given roles if any, and with
        two-step verification set up (staff reach every organisation)."""
        if self.staff_role is None or (roles and self.staff_role not in roles):
            raise Forbidden("This is for the business's staff only.", code=ErrorCode.STAFF_ONLY)
        self.require_mfa_ready()

    def require_verified(self) -> None:
        """Acting on an organisation needs a confirmed email address."""
        if not self.email_verified:
            raise Forbidden("Confirm your email address first: use the link we sent you.",
                            code=ErrorCode.UNVERIFIED)

    @property
    def needs_mfa_setup(self) -> bool:
        return self.mfa_required and not self.mfa_enabled

    @property
    def mfa_requirement(self) -> str:
        """Who requires two-step verification, in words for the person."""
        if self.is_staff and not self.demo_mfa_exempt:
            return "Staff accounts require two-step verification"
        return "Your organisation requires two-step verification"

    def require_mfa_ready(self) -> None:
        """Where an organisation (or being staff) requires two-step
        verification, a person without it gets no data at all, not even to read."""
        if self.needs_mfa_setup:
            raise Forbidden(f"{self.mfa_requirement}. Set it up under Security.", code=ErrorCode.MFA_REQUIRED)

    def require_can_act(self) -> None:
        """Acting on an organisation needs a confirmed address and, where an
        organisation requires it, two-step verification."""
        self.require_verified()
        self.require_mfa_ready()


def require_role(principal: Principal, org_id: object, *roles: str, to: str = "do this",
                 acting: bool = False) -> str:
    """The one role check for organisation data; returns the person's role.

    Not a member (another organisation's id, a missing one, an id of the
    wrong type) is `NotFound`, so ids never reveal what exists. A member who
    still has to set up two-step verification gets nothing, not even to read.
    `acting=True` (a change) also needs a confirmed email address. A member
    whose role is not among `roles` gets `Forbidden` saying who may, e.g.
    "Only owners and admins can manage members." (`to="manage members"`).
    `role_in` stays for showing a role (what a page offers), never for deciding."""
    if not roles:
        raise ValueError("require_role needs the roles allowed (ROLES for every member)")
    role = principal.role_in(org_id)
    if role is None:
        raise NotFound("Organisation not found.")
    principal.require_mfa_ready()
    if acting:
        principal.require_verified()
    if role not in roles:
        raise Forbidden(f"Only {_people(roles)} can {to}.", code=ErrorCode.ROLE_REQUIRED)
    return role


def _people(roles: tuple[str, ...]) -> str:
    """("owner", "admin", "billing") -> "owners, admins and billing members"."""
    words = [_PLURALS[role] for role in roles]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# What a Principal is made of, as columns: selected by `principal_for_user`
# and, joined to the login session, by `sessions.resolve` in one statement.
USER_FACTS = (User.id, User.email, User.name, User.is_active, User.email_verified_at, User.mfa_enabled_at,
              User.staff_role, User.demo_mfa_exempt)
MEMBERSHIP_FACTS = (Membership.org_id, Organization.name.label("org_name"), Membership.role,
                    Organization.require_mfa)


def principal_for_user(session: Session, user: User, session_id: int | None,
                       active_org_id: int | None = None) -> Principal:
    rows = session.exec(
        select(*MEMBERSHIP_FACTS)
        .join(Organization, Organization.id == Membership.org_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id)
    ).all()
    return assemble(user, rows, session_id=session_id, active_org_id=active_org_id)


def assemble(user, memberships, *, session_id: int | None, active_org_id: int | None) -> Principal:  # noqa: ANN001
    """A Principal from a user (a `User` or a row with its `USER_FACTS`) and
    their memberships (rows with `MEMBERSHIP_FACTS`, in joining order)."""
    staff_must = user.staff_role is not None and not user.demo_mfa_exempt
    return Principal(
        user_id=user.id, email=user.email, name=user.name,
        email_verified=user.email_verified_at is not None, session_id=session_id,
        memberships=tuple(OrgRole(m.org_id, m.org_name, m.role) for m in memberships),
        mfa_enabled=user.mfa_enabled_at is not None,
        mfa_required=staff_must or any(m.require_mfa for m in memberships),
        active_org_id=active_org_id, staff_role=user.staff_role, demo_mfa_exempt=user.demo_mfa_exempt,
    )
