"""Notifications: `notify` writes in-app rows and queues mail as each person
chose (nothing for "none"), the events the areas send (invitations, joins,
role changes, a new device, two-step changes), reads and marks that stay
within the person's own rows, preferences that refuse what is not on the
list, and the one-click unsubscribe link that does one thing only."""

from __future__ import annotations

import dataclasses
import email
from email import policy

import pytest
from sqlmodel import Session, select

from portal_app import routes
from portal_app.integrations import mail as delivery
from portal_app.models import AuditEvent, Notification, NotificationPreference, OutgoingMail, User
from portal_app.services import members, mfa, notifications
from portal_app.services.errors import ErrorCode, Invalid, NotFound
from portal_app.settings import load_settings
from tests.factories import PASSWORD, enable_mfa, last_mail, register, sign_in, token_from, totp_code

ROLE = notifications.EVENTS["role_changed"]
CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"


def _people_seed(session: Session):
    """Ada owns Analytical Engines; Bob joined it as a member; Eve is elsewhere."""
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    _, ada = sign_in(session)
    members.invite(session, ada, ada.current.org_id, email="bob@example.com", role="member")
    link = token_from(last_mail(session, "bob@example.com").body, routes.ACCEPT_INVITATION)
    members.accept_new_account(session, link, name="Bob", password=PASSWORD)
    session.commit()
    _, bob = sign_in(session, "bob@example.com")
    _, eve = sign_in(session, "eve@example.com")
    return ada, bob, eve


@pytest.fixture
def people(any_engine, seeded):
    """`_people_seed`, made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, _people_seed)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def _rows(session: Session, user_id: int) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.user_id == user_id)
                             .order_by(Notification.id)).all())


def _mails(session: Session, to: str) -> list[OutgoingMail]:
    return list(session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to)
                             .order_by(OutgoingMail.id)).all())


def _bob_membership(session: Session, ada, bob) -> int:
    return next(r.membership_id for r in members.list_members(session, ada, ada.current.org_id)
                if r.user_id == bob.user_id)


# ---------------------------------------------------------------- events

def test_owners_hear_that_someone_joined(people):
    session, ada, bob, _ = people
    (row,) = _rows(session, ada.user_id)
    assert (row.event, row.title, row.target, row.org_id) == (
        "member_joined", "Bob joined Analytical Engines as member.", routes.ORGANIZATION, ada.current.org_id)
    assert _rows(session, bob.user_id) == []  # not about oneself


def test_a_role_change_reaches_the_person_in_the_portal_and_by_mail(people):
    session, ada, bob, _ = people
    mails_before = len(_mails(session, "bob@example.com"))
    members.change_role(session, ada, ada.current.org_id, _bob_membership(session, ada, bob), role="admin")
    session.commit()
    (row,) = _rows(session, bob.user_id)
    assert row.title == "Ada Lovelace changed your role in Analytical Engines from member to admin."
    assert row.read_at is None and row.target == routes.ORGANIZATION
    mails = _mails(session, "bob@example.com")
    assert len(mails) == mails_before + 1
    mail = mails[-1]
    assert mail.subject.startswith("Ada Lovelace changed your role")
    assert mail.unsubscribe_url.startswith(load_settings().public_url + routes.UNSUBSCRIBE_API + "?token=")
    assert load_settings().public_url + routes.ORGANIZATION in mail.body
    assert routes.UNSUBSCRIBE + "?token=" in mail.body


@pytest.mark.parametrize("channel, in_app, mailed", [
    ("in_app", 1, 0), ("email", 0, 1), ("both", 1, 1), ("none", 0, 0)])
def test_notify_follows_each_persons_channel(people, channel, in_app, mailed):
    session, _, bob, _ = people
    notifications.set_preferences(session, bob, {"role_changed": channel})
    before = len(_mails(session, "bob@example.com"))
    notifications.notify(session, [bob.user_id], ROLE, notifications.Target(routes.ORGANIZATION),
                         facts={"actor": "Ada", "org": "Engines", "old": "member", "new": "admin"})
    session.commit()
    assert len(_rows(session, bob.user_id)) == in_app
    assert len(_mails(session, "bob@example.com")) - before == mailed


def test_notify_writes_in_the_callers_transaction(people):
    session, _, bob, _ = people
    before = len(_mails(session, "bob@example.com"))
    notifications.notify(session, [bob.user_id, bob.user_id], ROLE, notifications.Target(routes.ORGANIZATION),
                         facts={"actor": "Ada", "org": "Engines", "old": "member", "new": "admin"})
    assert len(_rows(session, bob.user_id)) == 1  # one row, however often the recipient is listed
    session.rollback()
    assert _rows(session, bob.user_id) == [] and len(_mails(session, "bob@example.com")) == before


def test_notify_accepts_only_registered_events_and_own_paths(people):
    session, _, bob, _ = people
    with pytest.raises(ValueError):
        notifications.notify(session, [bob.user_id], notifications.Event("x", "X", "x", "both"),
                             notifications.Target(routes.ORGANIZATION))
    with pytest.raises(ValueError):
        notifications.Target("https://evil.example/")
    for elsewhere in ("//evil.example/", "/nowhere", "javascript:alert(1)", "organisation", "/api/health"):
        with pytest.raises(ValueError):
            notifications.Target(elsewhere)
    assert notifications.Target(routes.SECURITY + "?tab=sessions").path == "/account/security?tab=sessions"


def test_an_invitation_to_an_existing_account_is_one_mail_and_one_notification(people):
    session, ada, _, eve = people
    before = len(_mails(session, "eve@example.com"))
    members.invite(session, ada, ada.current.org_id, email="eve@example.com", role="billing")
    session.commit()
    assert len(_mails(session, "eve@example.com")) == before + 1  # the invitation itself, with its link
    (row,) = _rows(session, eve.user_id)
    assert row.event == "invitation" and "invited you to join Analytical Engines as billing" in row.title
    assert "token" not in row.target  # the accept link's secret stays in the mail


def test_a_sign_in_from_a_new_kind_of_device_is_news_and_a_known_one_is_not(people):
    session, _, _, eve = people
    assert _rows(session, eve.user_id) == []  # first sign-in: nothing to compare with
    sign_in(session, "eve@example.com", user_agent=CHROME_LINUX.replace("130", "131"))
    assert _rows(session, eve.user_id) == []  # the same browser, updated
    sign_in(session, "eve@example.com", user_agent=FIREFOX_WINDOWS, ip="198.51.100.7")
    (row,) = _rows(session, eve.user_id)
    assert row.title.startswith("Someone signed in to your account on Firefox on Windows from 198.51.100.7.")
    assert row.target == routes.SECURITY
    assert "Firefox on Windows" in last_mail(session, "eve@example.com").body


def test_two_step_changes_are_told_to_the_person(people):
    session, _, _, eve = people
    enable_mfa(session, eve)
    codes = mfa.regenerate_recovery_codes(session, eve, code=totp_code(session, eve.email), ip="192.0.2.1")
    session.commit()
    mfa.disable(session, eve, password=PASSWORD, code=codes[0], ip="192.0.2.1")
    session.commit()
    titles = [r.title for r in _rows(session, eve.user_id)]
    assert titles[0] == "Two-step verification was turned on for your account."
    assert titles[1].startswith("New recovery codes were made")
    assert titles[2].startswith("Two-step verification was turned off")


# ---------------------------------------------------------------- reading and marking

def test_reads_and_marks_stay_within_ones_own_notifications(people):
    session, ada, bob, eve = people
    members.change_role(session, ada, ada.current.org_id, _bob_membership(session, ada, bob), role="billing")
    session.commit()
    (bobs,) = _rows(session, bob.user_id)
    for stranger in (ada, eve):
        with pytest.raises(NotFound):
            notifications.access_notification(session, stranger, bobs.id)
        with pytest.raises(NotFound):
            notifications.mark_read(session, stranger, bobs.id)
        assert all(r.id != bobs.id for r in notifications.list_for(session, stranger).rows)
    assert notifications.mark_all_read(session, eve) == 0
    session.commit()
    session.refresh(bobs)
    assert bobs.read_at is None and notifications.unread_count(session, bob) == 1
    for bogus in (str(bobs.id), None, True, 1.0, -1):
        with pytest.raises(NotFound):
            notifications.mark_read(session, bob, bogus)


def test_list_is_newest_first_and_marks_work(people):
    session, ada, bob, _ = people
    membership = _bob_membership(session, ada, bob)
    for role in ("billing", "admin", "member"):
        members.change_role(session, ada, ada.current.org_id, membership, role=role)
        session.commit()
    page = notifications.list_for(session, bob)
    assert [r.title.split(" to ")[-1] for r in page.rows] == ["member.", "admin.", "billing."]
    assert (page.total, page.pages, notifications.unread_count(session, bob)) == (3, 1, 3)
    notifications.mark_read(session, bob, page.rows[0].id)
    assert notifications.unread_count(session, bob) == 2
    assert notifications.mark_all_read(session, bob) == 2
    session.commit()
    assert notifications.unread_count(session, bob) == 0
    assert all(r.read for r in notifications.list_for(session, bob).rows)


def test_the_list_pages_and_a_bad_page_number_is_the_first(people):
    session, _, bob, _ = people
    for n in range(notifications.PAGE_SIZE + 1):
        notifications.notify(session, [bob.user_id], ROLE, notifications.Target(routes.ORGANIZATION),
                             facts={"actor": "Ada", "org": f"Org {n}", "old": "member", "new": "admin"})
    session.commit()
    first, second = notifications.list_for(session, bob), notifications.list_for(session, bob, page=2)
    assert (first.pages, first.total, len(first.rows), len(second.rows)) == (2, 21, 20, 1)
    assert "Org 0 " in second.rows[0].title  # the oldest, last
    for bad in ("2", 0, 99, None, True):
        assert notifications.list_for(session, bob, page=bad).page == 1


# ---------------------------------------------------------------- preferences

def test_preferences_default_per_event_and_persist(people):
    session, _, bob, _ = people
    defaults = {p.event: p.channel for p in notifications.preferences(session, bob)}
    assert defaults == {"invitation": "in_app", "member_joined": "in_app", "role_changed": "both",
                        "new_device": "both", "mfa_changed": "both", "ticket_reply": "both", "ticket_mention": "both",
                        "ticket_status": "in_app", "ticket_merged": "both", "invoice_issued": "both",
                        "invoice_paid": "in_app", "invoice_credited": "both", "invoice_voided": "both",
                        "invoice_reminder": "both", "subscription_changed": "both",
                        "subscription_reminder": "in_app", "order_changed": "both",
                        "quote_sent": "both", "document_shared": "both"}  # not "ticket_raised": news for staff
    assert notifications.set_preferences(session, bob, {"role_changed": "email", "new_device": "both"}) == 1
    session.commit()
    assert {p.event: p.channel for p in notifications.preferences(session, bob)}["role_changed"] == "email"
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "notification.setting_changed")).one()
    assert audit.actor_id == bob.user_id


@pytest.mark.parametrize("choices", [
    {"role_changed": "none", "no_such_event": "both"},
    {"role_changed": "none", "new_device": "sms"},
    {"role_changed": "none", "invitation": "email"},  # invitations are mailed by themselves
    {"role_changed": "none", "new_device": ["both"]},
    {"role_changed": "none", 7: "both"},
    {"role_changed": "none", "ticket_raised": "none"},  # staff news, not offered to customers
    ["role_changed", "none"],
    "role_changed=none",
])
def test_unknown_events_or_channels_change_nothing(people, choices):
    session, _, bob, _ = people
    with pytest.raises(Invalid) as refused:
        notifications.set_preferences(session, bob, choices)
    assert refused.value.message
    session.rollback()
    assert session.exec(select(NotificationPreference).where(
        NotificationPreference.user_id == bob.user_id)).all() == []


# ---------------------------------------------------------------- unsubscribe

def _channel(session: Session, user_id: int, event: str) -> str | None:
    row = session.get(NotificationPreference, (user_id, event), populate_existing=True)
    return row.channel if row else None


def test_the_unsubscribe_link_turns_email_off_for_that_event_only(people):
    session, _, bob, _ = people
    token = notifications.unsubscribe_token(bob.user_id, "role_changed")
    view = notifications.describe_unsubscribe(session, token)
    assert (view.email, view.event.label) == ("bob@example.com", "Changes to your role")
    assert _channel(session, bob.user_id, "role_changed") is None  # looking changes nothing
    notifications.unsubscribe(session, token, ip="203.0.113.9")
    notifications.unsubscribe(session, token)  # twice is once
    session.commit()
    assert _channel(session, bob.user_id, "role_changed") == "in_app"
    assert _channel(session, bob.user_id, "new_device") is None
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "notification.unsubscribed")).all()) == 1


def test_tampered_or_borrowed_unsubscribe_links_are_refused(people):
    session, ada, bob, _ = people
    good = notifications.unsubscribe_token(bob.user_id, "role_changed")
    user, event, signature = good.split(".")
    forged = [
        f"{ada.user_id}.{event}.{signature}",  # someone else's
        f"{user}.new_device.{signature}",  # another event type
        f"{user}.{event}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # tampered
        f"{user}.{event}", "", None, 7, "x" * 500, f"١.{event}.{signature}", f"{user}.nope.{signature}",
        f"{'9' * 40}.{event}.{signature}",
    ]
    for raw in forged:
        with pytest.raises(Invalid) as refused:
            notifications.unsubscribe(session, raw)
        assert refused.value.code == ErrorCode.BAD_LINK
        assert "not valid" in refused.value.message
    session.commit()
    assert session.exec(select(NotificationPreference)).all() == []


def test_notification_mail_carries_both_list_unsubscribe_headers(people, tmp_path):
    session, ada, bob, _ = people
    members.change_role(session, ada, ada.current.org_id, _bob_membership(session, ada, bob), role="admin")
    session.commit()
    mail = last_mail(session, "bob@example.com")
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host=None)
    assert delivery.deliver(mail.id, engine=session.get_bind(), settings=settings).status == "sent"
    (path,) = settings.outbox_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["List-Unsubscribe"] == f"<{mail.unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = mail.unsubscribe_url.split("token=", 1)[1]
    notifications.unsubscribe(session, token)
    session.commit()
    assert _channel(session, bob.user_id, "role_changed") == "in_app"


def test_mail_people_asked_for_has_no_unsubscribe_headers(people, tmp_path):
    session, _, _, _ = people
    invitation = last_mail(session, "bob@example.com")  # the invitation itself
    assert invitation.unsubscribe_url is None
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host=None)
    delivery.deliver(invitation.id, engine=session.get_bind(), settings=settings)
    message = email.message_from_bytes(next(settings.outbox_dir.glob("*.eml")).read_bytes(), policy=policy.default)
    assert message["List-Unsubscribe"] is None


def test_unconfirmed_addresses_get_no_notification_mail(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        register(session, "new@example.com", verified=False)
        user = session.exec(select(User).where(User.email == "new@example.com")).one()
        before = len(_mails(session, "new@example.com"))
        notifications.notify(session, [user], ROLE, notifications.Target(routes.ORGANIZATION),
                             facts={"actor": "A", "org": "B", "old": "member", "new": "admin"})
        session.commit()
        assert len(_mails(session, "new@example.com")) == before
        assert len(_rows(session, user.id)) == 1
