"""A hostile client calls the back office's "give an owner" handlers over
Reflex's websocket: without a session, as a customer (even one of the
ownerless organisation), and as a staff admin with ids of the wrong type or
of another kind. Nothing changes until a staff admin sends the right ids."""

from __future__ import annotations

from sqlmodel import select

from portal_app.models import AuditEvent, Membership, User
from portal_app.services import sessions, staff
from portal_app.services.principal import principal_for_user
from portal_app.state.staff import StaffState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.browser.test_staff import make_ownerless
from tests.ws_client import ReflexClient, handler_name

CHOOSE = handler_name(StaffState, "choose_owner_org")
MAKE = handler_name(StaffState, "make_owner")
BOGUS = (None, 7, True, ["1"], {"id": 1}, "", "-1", "1 OR 1=1", "9" * 40)


def _roles(portal, org_id: int) -> list[tuple[int, str]]:
    with portal_session(portal) as session:
        return sorted(session.exec(select(Membership.id, Membership.role).where(Membership.org_id == org_id)).all())


def _cookie(portal, email: str) -> str:
    with portal_session(portal) as session:
        raw, _ = factories.sign_in(session, email)
    return f"{sessions.COOKIE_BASE_NAME}={raw}"


def _owner_events(portal) -> int:
    with portal_session(portal) as session:
        return len(session.exec(select(AuditEvent.id).where(AuditEvent.action == "staff.owner_assigned")).all())


def _try_everything(client: ReflexClient, org_id: int, membership_id: int) -> None:
    client.call(CHOOSE, {"org_id": str(org_id)})
    client.call(MAKE, {"membership_id": str(membership_id)})
    client.call(MAKE, {"membership_id": membership_id})


def test_give_an_owner_refuses_nobody_and_customers(portal):
    address = unique_email("orphan")
    org_id, membership_id = make_ownerless(portal, address, "Hostile Orphan Ltd")
    before, events = _roles(portal, org_id), _owner_events(portal)
    with ReflexClient(portal.url) as client:  # no session
        client.hydrate("/staff")
        _try_everything(client, org_id, membership_id)
        assert client.state()[StaffState.get_full_name()]["owner_org_name_rx_state_"] == ""
    stranger = unique_email("customer")
    with portal_session(portal) as session:
        factories.register(session, stranger, company="Stranger Ltd", name="Stranger")
    for who in (address, stranger):  # the orphaned member themself, and a customer of another organisation
        with ReflexClient(portal.url, cookie=_cookie(portal, who)) as client:
            client.hydrate("/staff")
            _try_everything(client, org_id, membership_id)
            assert client.state()[StaffState.get_full_name()]["owner_org_name_rx_state_"] == ""
    assert _roles(portal, org_id) == before and _owner_events(portal) == events


def test_staff_admin_with_wrong_ids_changes_nothing_then_the_right_ones_work(portal):
    address = unique_email("orphan")
    org_id, membership_id = make_ownerless(portal, address, "Hostile Orphan Two Ltd")
    other = unique_email("other")
    with portal_session(portal) as session:
        factories.register(session, other, company="Other Ltd", name="Other")
        other_membership = session.exec(select(Membership).join(User, User.id == Membership.user_id)
                                        .where(User.email == other)).one()
        user_id = session.exec(select(User.id).where(User.email == address)).one()
        admin = unique_email("admin")
        admin_user, _ = staff.create_admin(session, email=admin, name="Hostile Admin", password=factories.PASSWORD)
        session.commit()
        factories.enable_mfa(session, principal_for_user(session, admin_user, None))  # staff must have it
    before, events = _roles(portal, org_id), _owner_events(portal)
    with ReflexClient(portal.url, cookie=_cookie(portal, admin)) as client:
        client.hydrate("/staff")
        for bogus in BOGUS:
            client.call(CHOOSE, {"org_id": bogus})
            assert client.state()[StaffState.get_full_name()]["owner_org_name_rx_state_"] == ""
        client.call(MAKE, {"membership_id": str(membership_id)})  # no organisation chosen yet
        client.call(CHOOSE, {"org_id": str(org_id)})
        # Ids of another kind (a user's, the organisation's) unless they happen to equal the right one.
        other_kinds = [str(i) for i in (user_id, org_id, other_membership.id) if i != membership_id]
        for bogus in (*BOGUS, *other_kinds):
            client.call(MAKE, {"membership_id": bogus})
        assert _roles(portal, org_id) == before and _owner_events(portal) == events
        client.call(CHOOSE, {"org_id": str(other_membership.org_id)})  # an organisation that has an owner
        client.call(MAKE, {"membership_id": str(other_membership.id)})
        assert any("already has an owner" in str(e) for e in client.last_events)
        client.call(CHOOSE, {"org_id": str(org_id)})
        client.call(MAKE, {"membership_id": str(membership_id)})
    assert _roles(portal, org_id) == [(membership_id, "owner")] and _owner_events(portal) == events + 1


def _dead_mail(portal, to: str) -> int:
    from portal_app.models import OutgoingMail
    from portal_app.models.base import utcnow
    from portal_app.services.mail import queue_mail

    with portal_session(portal) as session:
        mail = queue_mail(session, to=to, subject="Undeliverable", body="Hello")
        mail.dead_at, mail.attempts, mail.last_error = utcnow(), 5, "SMTPRecipientsRefused: refused"
        session.add(mail)
        session.commit()
        return mail.id


def _dead(portal, mail_id: int) -> bool:
    from portal_app.models import OutgoingMail

    with portal_session(portal) as session:
        mail = session.get(OutgoingMail, mail_id)
        return mail.dead_at is not None and mail.attempts == 5


def test_send_again_refuses_nobody_customers_and_bogus_ids(portal):
    """Only a staff admin puts a failed mail back in the queue, and only with
    its id as the page sends it."""
    from portal_app.state.staff import OutboxState

    resend = handler_name(OutboxState, "resend")
    mail_id = _dead_mail(portal, unique_email("bounced"))
    customer = unique_email("customer")
    with portal_session(portal) as session:
        factories.register(session, customer, company="Curious Ltd", name="Curious")
    for cookie in (None, _cookie(portal, customer)):
        with ReflexClient(portal.url, cookie=cookie) as client:
            client.hydrate("/staff/outbox")
            client.call(resend, {"mail_id": str(mail_id)})
            client.call(resend, {"mail_id": str(mail_id), "principal": {"staff_role": "admin"}})
            assert client.state().get(OutboxState.get_full_name(), {}).get("rows_rx_state_", []) == []
    assert _dead(portal, mail_id)
    admin = unique_email("admin")
    with portal_session(portal) as session:
        user, _ = staff.create_admin(session, email=admin, name="Admin", password=factories.PASSWORD)
        session.commit()
        factories.enable_mfa(session, principal_for_user(session, user, None))
    with ReflexClient(portal.url, cookie=_cookie(portal, admin)) as client:
        client.hydrate("/staff/outbox")
        for bogus in BOGUS:
            client.call(resend, {"mail_id": bogus})
        assert _dead(portal, mail_id)
        client.call(resend, {"mail_id": str(mail_id)})
    assert not _dead(portal, mail_id)
