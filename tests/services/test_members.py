"""Members and invitations, NetBox-style: without permission, with it, and
on another organisation's rows (not found)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import Invitation, Membership, Throttle, User
from portal_app.models.base import utcnow
from portal_app.services import members, sessions, throttle
from portal_app.services.errors import Forbidden, Invalid, NotFound
from tests.factories import PASSWORD, ada_and_eve, last_mail, register, sign_in, token_from
from tests.permissions import Permission, current_org, join, permission_tests


def _an_invitation(session: Session, owner) -> int:
    return members.invite(session, owner, owner.current.org_id, email="pending@example.com", role="member").id


def _a_member(session: Session, owner) -> int:
    person = join(session, owner, f"target-{owner.current.org_id}@example.com", "member", "Tara Target")
    return session.exec(select(Membership.id).where(Membership.user_id == person.user_id)).one()


def _invited(session: Session, actor, org_id: int, result) -> None:
    assert session.exec(select(Invitation.org_id).where(Invitation.email == "new@example.com")).one() == org_id


def _withdrawn(session: Session, actor, invitation_id: int, result) -> None:
    assert session.get(Invitation, invitation_id).revoked_at is not None


def _now_billing(session: Session, actor, membership_id: int, result) -> None:
    assert session.get(Membership, membership_id).role == "billing"


def _gone(session: Session, actor, membership_id: int, result) -> None:
    assert session.get(Membership, membership_id) is None


def _listed(session: Session, actor, org_id: int, rows) -> None:
    assert [r.role for r in rows] == ["admin", "billing", "member", "owner"]  # by name


MANAGERS = ("owner", "admin")
EVERY_MEMBER = ("owner", "admin", "billing", "member")
test_member_permissions = permission_tests(
    Permission("list", lambda s, p, org_id: members.list_members(s, p, org_id), EVERY_MEMBER, check=_listed),
    Permission("count_without_mfa", lambda s, p, org_id: members.count_without_mfa(s, p, org_id), EVERY_MEMBER),
    Permission("invite", lambda s, p, org_id: members.invite(s, p, org_id, email="new@example.com", role="member"),
               MANAGERS, check=_invited),
    Permission("withdraw", lambda s, p, invitation_id: members.revoke_invitation(s, p, current_org(p),
                                                                                 invitation_id),
               MANAGERS, target_row=_an_invitation, check=_withdrawn),
    Permission("set_role", lambda s, p, membership_id: members.change_role(s, p, current_org(p), membership_id,
                                                                           role="billing"),
               MANAGERS, target_row=_a_member, check=_now_billing),
    Permission("remove", lambda s, p, membership_id: members.remove_member(s, p, current_org(p), membership_id),
               MANAGERS, target_row=_a_member, check=_gone),
)


def _invite_link(session: Session, email: str) -> str:
    return token_from(last_mail(session, email).body, "/invitations/accept")


@pytest.fixture
def org(any_engine, seeded):
    """Ada and Eve (`factories.ada_and_eve`), made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, ada_and_eve)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def _join(session: Session, owner, email: str, role: str, name: str = "Bob"):
    """Invite someone new, let them accept, and return their principal."""
    members.invite(session, owner, owner.current.org_id, email=email, role=role)
    members.accept_new_account(session, _invite_link(session, email), name=name, password=PASSWORD)
    session.commit()
    return sign_in(session, email)[1]


def test_invitation_for_a_new_person_creates_a_confirmed_account_and_membership(org):
    session, ada, _ = org
    members.invite(session, ada, ada.current.org_id, email="Bob@Example.com", role="billing")
    mail = last_mail(session, "bob@example.com")
    assert "Analytical Engines" in mail.subject and "as billing" in mail.body
    view = members.describe_invitation(session, _invite_link(session, "bob@example.com"))
    assert (view.org_name, view.email, view.role, view.has_account) == \
        ("Analytical Engines", "bob@example.com", "billing", False)
    user = members.accept_new_account(session, _invite_link(session, "bob@example.com"), name="Bob",
                                      password=PASSWORD)
    assert user.email_verified_at is not None
    rows = members.list_members(session, ada, ada.current.org_id)
    assert [(r.email, r.role) for r in rows] == [("ada@example.com", "owner"), ("bob@example.com", "billing")]


def test_existing_user_accepts_when_signed_in_with_that_address(org):
    session, ada, eve = org
    members.invite(session, ada, ada.current.org_id, email="eve@example.com", role="member")
    session.commit()
    raw = _invite_link(session, "eve@example.com")
    assert members.describe_invitation(session, raw).has_account
    with pytest.raises(Invalid, match="already has an account"):
        members.accept_new_account(session, raw, name="Eve 2", password=PASSWORD)
    session.rollback()
    with pytest.raises(Forbidden, match="for eve@example.com"):
        members.accept_as(session, ada, raw)
    assert members.accept_as(session, eve, raw) == ada.current.org_id
    session.commit()
    _, eve = sign_in(session, "eve@example.com")
    assert {m.org_name for m in eve.memberships} == {"Eve Ltd", "Analytical Engines"}
    with pytest.raises(Invalid, match="already been accepted"):
        members.accept_as(session, eve, raw)


def test_expired_and_revoked_invitations_are_refused(org):
    session, ada, _ = org
    members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="member")
    raw = _invite_link(session, "bob@example.com")
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.add(invitation)
    with pytest.raises(Invalid, match="expired"):
        members.describe_invitation(session, raw)
    members.invite(session, ada, ada.current.org_id, email="carol@example.com", role="member")
    carol = session.exec(select(Invitation).where(Invitation.email == "carol@example.com")).one()
    assert [i.email for i in members.list_invitations(session, ada, ada.current.org_id)] == ["carol@example.com"]
    members.revoke_invitation(session, ada, ada.current.org_id, carol.id)
    with pytest.raises(Invalid):
        members.accept_new_account(session, _invite_link(session, "carol@example.com"), name="C", password=PASSWORD)


def test_a_new_invitation_replaces_the_older_one(org):
    session, ada, _ = org
    members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="member")
    first = _invite_link(session, "bob@example.com")
    members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="admin")
    with pytest.raises(Invalid):
        members.describe_invitation(session, first)
    assert members.describe_invitation(session, _invite_link(session, "bob@example.com")).role == "admin"


def test_the_same_invitation_twice_at_once_is_sent_once(org):
    """A double click on "Send invitation" must not mail twice or log twice."""
    from portal_app.models import AuditEvent, OutgoingMail

    session, ada, _ = org
    org_id = ada.current.org_id
    first = members.invite(session, ada, org_id, email="bob@example.com", role="member")
    again = members.invite(session, ada, org_id, email="Bob@Example.com ", role="member")
    session.commit()
    assert again.id == first.id
    assert len(session.exec(select(Invitation).where(Invitation.email == "bob@example.com")).all()) == 1
    assert len(session.exec(select(OutgoingMail).where(OutgoingMail.to_address == "bob@example.com")).all()) == 1
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "member.invited")).all()) == 1
    # Asked for again later, it is a fresh invitation that replaces the first (a resend).
    first.created_at = utcnow() - members.REPEAT_WINDOW - timedelta(seconds=1)
    session.add(first)
    session.commit()
    resent = members.invite(session, ada, org_id, email="bob@example.com", role="member")
    session.commit()
    assert resent.id != first.id
    session.refresh(first)
    assert first.revoked_at is not None
    assert len(session.exec(select(OutgoingMail).where(OutgoingMail.to_address == "bob@example.com")).all()) == 2


@pytest.mark.parametrize("email,role,message", [
    ("", "member", "Enter your email"),
    ("not an email", "member", "valid email"),
    ("bob@example.com", "superuser", "Choose a role"),
    ("bob@example.com", None, "Choose a role"),
    ("ada@example.com", "member", "already a member"),
])
def test_bad_invitations_are_refused(org, email, role, message):
    session, ada, _ = org
    with pytest.raises(Invalid, match=message):
        members.invite(session, ada, ada.current.org_id, email=email, role=role)


def test_plain_members_see_no_invitations(org):
    """Not an error: the invitations' scope is empty for them."""
    session, ada, _ = org
    bob = _join(session, ada, "bob@example.com", "member")
    members.invite(session, ada, ada.current.org_id, email="x@example.com", role="member")
    assert members.list_invitations(session, bob, ada.current.org_id) == []
    assert [i.email for i in members.list_invitations(session, ada, ada.current.org_id)] == ["x@example.com"]


def test_admins_cannot_make_or_touch_owners(org):
    session, ada, _ = org
    org_id = ada.current.org_id
    admin = _join(session, ada, "adam@example.com", "admin", "Adam")
    with pytest.raises(Forbidden, match="Only owners can make someone an owner"):
        members.invite(session, admin, org_id, email="x@example.com", role="owner")
    ada_membership = session.exec(select(Membership).where(Membership.user_id == ada.user_id,
                                                           Membership.org_id == org_id)).one()
    with pytest.raises(Forbidden):
        members.change_role(session, admin, org_id, ada_membership.id, role="member")
    with pytest.raises(Forbidden):
        members.remove_member(session, admin, org_id, ada_membership.id)


def test_last_owner_cannot_be_demoted_or_removed(org):
    session, ada, _ = org
    org_id = ada.current.org_id
    own = session.exec(select(Membership).where(Membership.user_id == ada.user_id)).one()
    with pytest.raises(Invalid, match="at least one owner"):
        members.change_role(session, ada, org_id, own.id, role="admin")
    with pytest.raises(Invalid, match="at least one owner"):
        members.remove_member(session, ada, org_id, own.id)
    bob = _join(session, ada, "bob@example.com", "owner")
    members.change_role(session, ada, org_id, own.id, role="admin")  # now Bob owns it too
    session.commit()
    bob_membership = session.exec(select(Membership).where(Membership.user_id == bob.user_id)).one()
    _, ada = sign_in(session)
    with pytest.raises(Forbidden):
        members.remove_member(session, ada, org_id, bob_membership.id)


def test_change_role_and_remove_with_another_organisations_id_is_not_found(org):
    """The permission cases act in the person's own organisation; here the
    organisation id itself is someone else's."""
    session, ada, eve = org
    eve_membership = session.exec(select(Membership).where(Membership.user_id == eve.user_id)).one()
    with pytest.raises(NotFound):
        members.change_role(session, ada, eve.current.org_id, eve_membership.id, role="member")
    with pytest.raises(NotFound):
        members.remove_member(session, ada, eve.current.org_id, eve_membership.id)
    assert session.get(Membership, eve_membership.id).role == "owner"


def test_a_member_can_leave(org):
    session, ada, _ = org
    bob = _join(session, ada, "bob@example.com", "member")
    own = session.exec(select(Membership).join(User, User.id == Membership.user_id)
                       .where(User.email == "bob@example.com")).one()
    members.remove_member(session, bob, ada.current.org_id, own.id)
    assert [r.email for r in members.list_members(session, ada, ada.current.org_id)] == ["ada@example.com"]


def test_switching_organisation_is_per_session_and_only_to_ones_own(org):
    session, ada, eve = org
    members.invite(session, ada, ada.current.org_id, email="eve@example.com", role="member")
    members.accept_as(session, eve, _invite_link(session, "eve@example.com"))
    session.commit()
    raw, eve = sign_in(session, "eve@example.com")
    assert eve.current.org_name == "Eve Ltd"
    sessions.switch_organization(session, eve, ada.current.org_id)
    session.commit()
    assert sessions.resolve(session, raw).current.org_name == "Analytical Engines"
    register(session, "zed@example.com", company="Zed Ltd", name="Zed")
    zed_org = sign_in(session, "zed@example.com")[1].current.org_id
    with pytest.raises(NotFound):
        sessions.switch_organization(session, eve, zed_org)


def test_invitations_are_limited_per_person_and_per_organisation(org):
    session, ada, _ = org
    org_id = ada.current.org_id
    adam = _join(session, ada, "adam@example.com", "admin", "Adam")
    anna = _join(session, ada, "anna@example.com", "admin", "Anna")
    person_limit = throttle.INVITATIONS_PER_PERSON.limit  # Ada has used 2 already
    for i in range(person_limit - 2):
        members.invite(session, ada, org_id, email=f"a{i}@example.com", role="member")
    with pytest.raises(throttle.RateLimited, match=r"Too many invitations .* Please wait 60 minutes \(until "):
        members.invite(session, ada, org_id, email="one-more@example.com", role="member")
    assert session.exec(select(Invitation).where(Invitation.email == "one-more@example.com")).first() is None
    sent = person_limit
    for inviter in (adam, anna):
        for i in range(min(person_limit, throttle.INVITATIONS_PER_ORG.limit - sent)):
            members.invite(session, inviter, org_id, email=f"{inviter.user_id}-{i}@example.com", role="member")
            sent += 1
    assert sent == throttle.INVITATIONS_PER_ORG.limit
    with pytest.raises(throttle.RateLimited):  # Anna has quota left, the organisation has none
        members.invite(session, anna, org_id, email="late@example.com", role="member")
    register(session, "zed@example.com", company="Zed Ltd", name="Zed")
    _, zed = sign_in(session, "zed@example.com")
    members.invite(session, zed, zed.current.org_id, email="fine@example.com", role="member")  # others unaffected


def test_a_refused_invitation_uses_no_quota(org):
    session, ada, _ = org
    with pytest.raises(Invalid):
        members.invite(session, ada, ada.current.org_id, email="not an email", role="member")
    assert session.get(Throttle, throttle.person_key("invite", ada.user_id)) is None
