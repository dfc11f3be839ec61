"""Audit events read as sentences: one per registered action (a new action
without its sentence fails here), names resolved for a whole page in a fixed
number of queries, and detail values kept as the plain text they are."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from portal_app.services import accounts, audit, csat, members, sessions, sla  # noqa: F401 — csat and sla register their actions
from portal_app.services.audit import Said
from tests.factories import (
    PASSWORD, last_mail, register, rename_organization, sign_in, staff_admin, statements, token_from,
)

ALICE = dict(actor="Alice Owner", target="Bob Member", org="Acme Ltd")

# action -> (details as recorded, the sentence). Keep one line per action in ACTIONS.
EXPECTED: dict[str, tuple[dict, str]] = {
    "account.registered": ({}, "Alice Owner registered and created Bob Member"),
    "account.email_confirmed": ({}, "Alice Owner confirmed their email address"),
    "account.profile_updated": ({"name": ["Alice", "Alice Owner"]},
                                "Alice Owner changed their name from \u201cAlice\u201d to \u201cAlice Owner\u201d"),
    "account.email_change_requested": ({"to": "alice@new.example"},
                                       "Alice Owner asked to change their email address to alice@new.example"),
    "account.email_changed": ({"from": "alice@old.example", "to": "alice@new.example"},
                              "Alice Owner changed their email address from alice@old.example"),
    "session.started": ({"device": "Firefox on Linux"}, "Alice Owner signed in on Firefox on Linux"),
    "session.ended": ({}, "Alice Owner signed out"),
    "session.revoked": ({}, "Alice Owner signed out their session on Bob Member"),
    "session.others_revoked": ({"sessions": 1234}, "Alice Owner signed out 1,234 other sessions"),
    "sign_in.failed": ({}, "A sign-in to Alice Owner's account failed"),
    "password.changed": ({}, "Alice Owner changed their password"),
    "password.reset_requested": ({}, "A password reset link was requested for Alice Owner"),
    "sign_in.link_requested": ({}, "A sign-in link was requested for Alice Owner"),
    "account.verification_resent": ({}, "Alice Owner asked for a new confirmation link"),
    "password.reset": ({}, "Alice Owner reset their password with a link"),
    "mfa.enabled": ({}, "Alice Owner turned on two-step verification"),
    "mfa.disabled": ({}, "Alice Owner turned off two-step verification"),
    "mfa.recovery_codes_renewed": ({}, "Alice Owner made new recovery codes"),
    "org.mfa_required": ({"required": True},
                         "Alice Owner made two-step verification required for every member of Acme Ltd"),
    "org.renamed": ({"from": "Acme", "to": "Acme Ltd"},
                    "Alice Owner renamed the organisation from \u201cAcme\u201d to \u201cAcme Ltd\u201d"),
    "org.profile_updated": ({"fields": ["legal_name", "vat_number"]},
                            "Alice Owner updated the organisation profile (legal name, vat number)"),
    "org.logo_changed": ({"bytes": 48213}, "Alice Owner uploaded a new logo (48,213 bytes)"),
    "org.logo_removed": ({}, "Alice Owner removed the logo of Acme Ltd"),
    "member.invited": ({"role": "member"}, "Alice Owner invited Bob Member to Acme Ltd as member"),
    "member.invitation_withdrawn": ({}, "Alice Owner withdrew the invitation for Bob Member"),
    "member.joined": ({"role": "billing"}, "Alice Owner joined Acme Ltd as billing"),
    "member.role_changed": ({"from": "member", "to": "admin"},
                            "Alice Owner changed Bob Member's role from member to admin"),
    "member.removed": ({"role": "member"}, "Alice Owner removed Bob Member from Acme Ltd (they were member)"),
    "member.left": ({"role": "admin"}, "Alice Owner left Acme Ltd"),
    "staff.added": ({"role": "agent"}, "Alice Owner added Bob Member to the staff as agent"),
    "staff.owner_assigned": ({"from": "member"}, "Alice Owner made Bob Member the owner of Acme Ltd (they were member)"),
    "mail.resent": ({}, "Alice Owner sent the failed mail to Bob Member again"),
    # (a ticket's target reads "T-1042" in the log; here every target is "Bob Member")
    "org.tickets_shared": ({"shared": True}, "Alice Owner let every member of Acme Ltd see all support requests"),
    "ticket.raised": ({"subject": "Printer on fire"}, "Alice Owner raised Bob Member: \u201cPrinter on fire\u201d"),
    "ticket.replied": ({}, "Alice Owner replied to Bob Member"),
    "ticket.noted": ({}, "Alice Owner wrote an internal note on Bob Member"),
    "ticket.status_changed": ({"from": "open", "to": "resolved"}, "Alice Owner changed Bob Member from open to resolved"),
    "ticket.assigned": ({}, "Alice Owner assigned Bob Member"),
    "ticket.triaged": ({"field": "priority", "from": "normal", "to": "urgent"},
                       "Alice Owner changed the priority of Bob Member from normal to urgent"),
    "ticket.merged": ({"into": "T-1042"}, "Alice Owner merged Bob Member into T-1042"),
    "ticket.rated": ({"score": 4}, "Alice Owner rated Bob Member 4 out of 5"),
    "ticket.rating_changed": ({"from": 2, "score": 5},
                              "Alice Owner changed the rating of Bob Member from 2 to 5 out of 5"),
    "canned_reply.created": ({}, "Alice Owner created the canned reply \u201cBob Member\u201d"),
    "canned_reply.updated": ({"from": "Old title"},
                             "Alice Owner edited the canned reply \u201cOld title\u201d, now \u201cBob Member\u201d"),
    "canned_reply.deleted": ({}, "Alice Owner deleted the canned reply \u201cBob Member\u201d"),
    "document.folder_created": ({"audience": "Owners, Admins"},
                                "Alice Owner created the folder \u201cBob Member\u201d for owners, admins"),
    "document.folder_changed": ({"from": "Old", "audience": "Every member"},
                                "Alice Owner changed the folder \u201cBob Member\u201d (was \u201cOld\u201d)"),
    "document.uploaded": ({"folder": "Contracts", "version": 1},
                          "Alice Owner uploaded \u201cBob Member\u201d to \u201cContracts\u201d"),
    "document.version_added": ({"folder": "Contracts", "version": 2, "note": "Final"},
                               "Alice Owner added version 2 of \u201cBob Member\u201d"),
    "document.deleted": ({"folder": "Contracts", "versions": 2},
                         "Alice Owner deleted \u201cBob Member\u201d from \u201cContracts\u201d"),
    "article.created": ({}, "Alice Owner wrote the help article \u201cBob Member\u201d"),
    "article.updated": ({"from": "Old"}, "Alice Owner edited the help article \u201cBob Member\u201d"),
    "article.published": ({}, "Alice Owner published the help article \u201cBob Member\u201d"),
    "article.unpublished": ({}, "Alice Owner unpublished the help article \u201cBob Member\u201d"),
    "article.archived": ({}, "Alice Owner archived the help article \u201cBob Member\u201d"),
    "article.deleted": ({}, "Alice Owner deleted the help article \u201cBob Member\u201d"),
    "article_category.created": ({}, "Alice Owner added the help category \u201cBob Member\u201d"),
    "article_category.renamed": ({"from": "Old"},
                                 "Alice Owner renamed the help category \u201cOld\u201d to \u201cBob Member\u201d"),
    "article_category.deleted": ({}, "Alice Owner deleted the help category \u201cBob Member\u201d"),
    "notification.setting_changed": ({"event": "Changes to your role", "from": "In the portal and by email",
                                      "to": "Not at all"},
                                     "Alice Owner changed how they hear about \u201cChanges to your role\u201d"
                                     " from in the portal and by email to not at all"),
    "notification.unsubscribed": ({"event": "Changes to your role"},
                                  "Alice Owner stopped emails about \u201cChanges to your role\u201d"
                                  " from an email's unsubscribe link"),
    # (an SLA setting's target reads "urgent priority", "Monday" or "Christmas Day (25 Dec 2026)")
    "sla.policy_changed": ({"first_response": 30, "resolution": 120},
                           "Alice Owner changed the SLA targets for Bob Member"),
    "sla.policy_removed": ({}, "Alice Owner removed the SLA targets for Bob Member"),
    "sla.hours_changed": ({"hours": "09:00–17:30"}, "Alice Owner changed the support opening hours on Bob Member"),
    "sla.holiday_added": ({}, "Alice Owner added a support holiday: Bob Member"),
    "sla.holiday_removed": ({}, "Alice Owner removed a support holiday: Bob Member"),
    "staff.admin_created": ({}, "Bob Member was made a staff admin from the command line"),
    "demo.seeded": ({"created": ["Acme Ltd"]}, "The demo data was added from the command line"),
    "demo.removed": ({"logins": ["sam@portal.example.com"]}, "The demo data was removed from the command line"),
    # (support categories and questions: the target is the category's name or the question)
    "ticket_category.added": ({"billing": False}, "Alice Owner added the support category \u201cBob Member\u201d"),
    "ticket_category.changed": ({"changed": ["billing", "name"], "from": "Bills", "billing": True},
                                "Alice Owner renamed the support category \u201cBills\u201d to \u201cBob Member\u201d"
                                " (now a billing category)"),
    "ticket_category.archived": ({}, "Alice Owner archived the support category \u201cBob Member\u201d"),
    "ticket_category.restored": ({}, "Alice Owner restored the support category \u201cBob Member\u201d"),
    "ticket_category.moved": ({"direction": "up"}, "Alice Owner moved the support category \u201cBob Member\u201d up"),
    "ticket_field.added": ({"category": "Billing", "kind": "select"},
                           "Alice Owner added the question \u201cBob Member\u201d to \u201cBilling\u201d"),
    "ticket_field.changed": ({"changed": ["label"], "from": "Which?"},
                             "Alice Owner renamed the question \u201cWhich?\u201d to \u201cBob Member\u201d"),
    "ticket_field.removed": ({"answered": True}, "Alice Owner removed the question \u201cBob Member\u201d"
                                                 " (kept on the requests that answered it)"),
    "ticket_field.restored": ({}, "Alice Owner restored the question \u201cBob Member\u201d"),
    "ticket_field.moved": ({"direction": "down"}, "Alice Owner moved the question \u201cBob Member\u201d down"),
    # (invoices: the target is the invoice's number)
    # (the catalogue: the target is the product's name)
    "product.created": ({"sku": "gold", "price": "£49.00"},
                        "Alice Owner added the product \u201cBob Member\u201d to the catalogue at £49.00"),
    "product.updated": ({"sku": "gold", "fields": "name, unit_price", "from": "Gold"},
                        "Alice Owner renamed the product \u201cGold\u201d to \u201cBob Member\u201d (name, unit_price)"),
    "product.archived": ({"sku": "gold"}, "Alice Owner archived the product \u201cBob Member\u201d"),
    "product.restored": ({"sku": "gold"}, "Alice Owner restored the product \u201cBob Member\u201d"),
    "product.stock_changed": ({"from": "3", "to": "5"}, "Alice Owner set the stock of the product \u201cBob Member\u201d to 5"),
    "customer_price.set": ({"price": "£40.00"},
                           "Alice Owner set Acme Ltd\u2019s own price for the product \u201cBob Member\u201d to £40.00"),
    "customer_price.removed": ({"price": "£40.00"},
                               "Alice Owner removed Acme Ltd\u2019s own price for the product \u201cBob Member\u201d"),
    "org.catalogue_discount_changed": ({"from": "0 %", "to": "12.5 %"},
                                       "Alice Owner set the catalogue discount of Acme Ltd to 12.5 %"),
    "org.invoices_shared": ({"members": True}, "Alice Owner let every member of Acme Ltd see its invoices"),
    "org.currency_changed": ({"from": "GBP", "to": "EUR"},
                             "Alice Owner changed the currency Acme Ltd is invoiced in from GBP to EUR"),
    "quote.created": ({"total": "£360.00"}, "Alice Owner drafted a quote for Acme Ltd (£360.00)"),
    "quote.updated": ({"total": "£360.00"}, "Alice Owner changed a draft quote for Acme Ltd (£360.00)"),
    "quote.deleted": ({"total": "£360.00"}, "Alice Owner deleted a draft quote for Acme Ltd (£360.00)"),
    "quote.sent": ({"total": "£360.00"}, "Alice Owner sent Bob Member (£360.00)"),
    "quote.revised": ({"version": 2, "total": "£360.00"}, "Alice Owner revised Bob Member (version 2) (£360.00)"),
    "quote.accepted": ({"name": "Alice Owner", "version": 1, "hash": "ab"},
                       "Alice Owner accepted Bob Member as \u201cAlice Owner\u201d"),
    "quote.declined": ({"reason": "Too expensive", "comment": ""}, "Alice Owner declined Bob Member (Too expensive)"),
    "quote.changes_requested": ({"comment": "Cheaper"},
                                "Alice Owner asked for changes to Bob Member: \u201cCheaper\u201d"),
    "invoice.created": ({"total": "£360.00"}, "Alice Owner drafted an invoice for Acme Ltd (£360.00)"),
    "invoice.updated": ({"total": "£1.00"}, "Alice Owner changed a draft invoice for Acme Ltd (£1.00)"),
    "invoice.deleted": ({}, "Alice Owner deleted a draft invoice for Acme Ltd"),
    "invoice.issued": ({"total": "£360.00"}, "Alice Owner issued Bob Member (£360.00)"),
    "invoice.voided": ({"reason": "Sent twice"}, "Alice Owner voided Bob Member: \u201cSent twice\u201d"),
    "invoice.credited": ({"credit_note": "CN-2026-0001", "amount": "£60.00", "reason": "Unused"},
                         "Alice Owner issued credit note CN-2026-0001 for £60.00 against Bob Member"),
    "invoice.overdue": ({"amount": "£360.00", "due": "1 Apr 2026"},
                        "Bob Member became overdue: £360.00 was due on 1 Apr 2026"),
    # (subscriptions: the target is the product's name)
    "subscription.started": ({"quantity": 3, "price": "£20.00"},
                             "Alice Owner started the subscription to Bob Member for Acme Ltd (3 × £20.00)"),
    "subscription.changed": ({"from": "3 × Hosting", "to": "5 × Hosting"},
                             "Alice Owner changed the subscription to Bob Member from 3 × Hosting to 5 × Hosting"),
    "subscription.cancel_requested": ({"reason": "Too expensive"}, "Alice Owner cancelled the subscription to "
                                      "Bob Member at the end of its period (Too expensive)"),
    "subscription.cancel_undone": ({}, "Alice Owner undid the cancellation of the subscription to Bob Member"),
    "subscription.paused": ({}, "Alice Owner paused the subscription to Bob Member"),
    "subscription.resumed": ({}, "Alice Owner resumed the subscription to Bob Member"),
    "subscription.renewed": ({"until": "31 May 2026"}, "The subscription to Bob Member renewed until 31 May 2026"),
    "subscription.ended": ({}, "The subscription to Bob Member ended as cancelled"),
    "subscription.usage_recorded": ({"day": "3 May 2026", "quantity": "1.5 GB"},
                                    "Alice Owner recorded usage on the subscription to Bob Member: 1.5 GB on "
                                    "3 May 2026"),
    "subscription.reminded": ({"renewal": "2026-06-01"},
                              "A renewal reminder for the subscription to Bob Member was sent"),
    "order.placed": ({"total": "£31.50", "po_reference": "PO-7"},
                     "Alice Owner placed order Bob Member (£31.50) (reference \u201cPO-7\u201d)"),
    "order.created_from_quote": ({"total": "£79.44", "quote": "7"},
                                 "Order Bob Member was made from an accepted quote (£79.44)"),
    "order.confirmed": ({"invoice": "INV-2026-0001"}, "Alice Owner confirmed order Bob Member and issued INV-2026-0001"),
    "order.shipped": ({"carrier": "DHL", "tracking": "RM1"}, "Alice Owner shipped order Bob Member with DHL"),
    "order.delivered": ({}, "Alice Owner marked order Bob Member delivered"),
    "order.cancelled": ({"reason": "Ordered twice"}, "Alice Owner cancelled order Bob Member: \u201cOrdered twice\u201d"),
    "payment.recorded": ({"amount": "£100.00", "method": "Cash"},
                         "Alice Owner recorded a payment of £100.00 on Bob Member"),
    "payment.refunded": ({"amount": "£60.00"}, "Alice Owner recorded a refund of £60.00 on Bob Member"),
    "payment.card_started": ({"amount": "£360.00", "card": "Visa ending 4242", "attempt": 1},
                             "Alice Owner started paying £360.00 on Bob Member with Visa ending 4242"),
    "payment.card_failed": ({"amount": "£360.00", "reason": "Your card was declined."},
                            "A card payment of £360.00 on Bob Member failed: Your card was declined."),
    "card.saved": ({}, "Alice Owner saved Bob Member for Acme Ltd"),
    "card.default_changed": ({}, "Alice Owner made Bob Member the default card of Acme Ltd"),
    "card.removed": ({}, "Alice Owner removed Bob Member from Acme Ltd"),
}


def test_every_registered_action_has_a_sentence_and_a_test():
    assert set(audit.SENTENCES) == set(audit.ACTIONS), "write a sentence in audit.SENTENCES for each new action"
    assert set(EXPECTED) == set(audit.ACTIONS), "add the new action's sentence to EXPECTED"


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_action_reads_as_a_sentence(action):
    details, expected = EXPECTED[action]
    assert audit.sentence(action, Said(details=details, **ALICE)) == expected


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("junk", [{}, {"role": ["x"], "from": {"a": 1}, "to": None, "sessions": "many",
                                       "bytes": 1.5, "name": "not a pair", "fields": "legal_name",
                                       "required": "yes", "device": 7}])
def test_missing_or_odd_details_still_read(action, junk):
    text = audit.sentence(action, Said(details=junk, **ALICE))
    assert text and "[" not in text and "{" not in text and "None" not in text
    untargeted = audit.sentence(action, Said(actor="Alice Owner", target="", org="", details=junk))
    assert untargeted and "  " not in untargeted and not untargeted.endswith(" ")


def test_numbers_in_sentences_follow_the_locale(monkeypatch):
    from portal_app.settings import get_settings

    monkeypatch.setenv("PORTAL_LOCALE", "de_DE")
    get_settings.cache_clear()
    try:
        said = Said(details={"sessions": 1234}, **ALICE)
        assert audit.sentence("session.others_revoked", said) == "Alice Owner signed out 1.234 other sessions"
    finally:
        get_settings.cache_clear()


def test_an_unregistered_action_in_old_rows_still_reads():
    assert audit.sentence("made.up", Said(details={}, **ALICE)) == "Alice Owner made.up"


def test_markup_in_details_stays_literal_text():
    """The service never escapes or interprets: the page renders the
    sentence as text (no markdown, no html), so this shows as typed."""
    said = Said(details={"from": "<b>Acme</b>", "to": "[x](javascript:alert(1))"}, **ALICE)
    assert audit.sentence("org.renamed", said) == \
        "Alice Owner renamed the organisation from \u201c<b>Acme</b>\u201d to \u201c[x](javascript:alert(1))\u201d"


@pytest.fixture
def org(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        register(session, "alice@example.com", company="Acme Ltd", name="Alice Owner")
        _, alice = sign_in(session, "alice@example.com")
        yield session, alice


def _join(session: Session, alice, email: str, name: str, role: str = "member") -> None:
    members.invite(session, alice, alice.current.org_id, email=email, role=role)
    members.accept_new_account(session, token_from(last_mail(session, email).body, "/invitations/accept"),
                               name=name, password=PASSWORD, ip="203.0.113.5")
    session.commit()


def test_the_log_shows_names_and_targets_in_sentences(org):
    session, alice = org
    org_id = alice.current.org_id
    _join(session, alice, "bob@example.com", "Bob Member")
    bob_id = next(m.user_id for m in members.list_members(session, alice, org_id) if m.email == "bob@example.com")
    membership = next(m for m in members.list_members(session, alice, org_id) if m.user_id == bob_id)
    members.change_role(session, alice, org_id, membership.membership_id, role="admin")
    rename_organization(session, alice, "Acme Group")
    session.commit()
    sentences = [row.sentence for row in audit.list_for_org(session, alice, org_id).rows]
    assert sentences[:4] == [
        "Alice Owner renamed the organisation from \u201cAcme Ltd\u201d to \u201cAcme Group\u201d",
        "Alice Owner changed Bob Member's role from member to admin",
        "Bob Member joined Acme Group as member",
        "Alice Owner invited bob@example.com to Acme Group as member",
    ]
    assert "Alice Owner registered and created Acme Ltd" in sentences
    row = audit.list_for_org(session, alice, org_id, action="member.role_changed").rows[0]
    assert (row.actor, row.org) == ("alice@example.com", "Acme Group")


def test_sign_ins_and_account_events_read_as_sentences(org):
    session, alice = org
    _, again = sign_in(session, "alice@example.com", user_agent="Mozilla/5.0 (Macintosh; Mac OS X 14) Firefox/130.0")
    accounts.update_profile(session, again, name="Alice Q. Owner")
    sessions.revoke_others(session, again)
    session.commit()
    root = staff_admin(session)
    texts = [row.sentence for row in audit.list_all(session, root, person="alice@").rows]
    # Names are today's (the person renamed themselves): the log is read now.
    assert texts[:3] == [
        "Alice Q. Owner signed out 1 other session",
        "Alice Q. Owner changed their name from \u201cAlice Owner\u201d to \u201cAlice Q. Owner\u201d",
        "Alice Q. Owner signed in on Firefox on macOS",
    ]
    assert "Root was made a staff admin from the command line" in \
        [row.sentence for row in audit.list_all(session, root, action="staff.admin_created").rows]


def test_a_deleted_actor_is_named_by_the_label_kept_on_the_event(org):
    session, alice = org
    root = staff_admin(session)  # (who turns on two-step verification too)
    audit.record(session, "mfa.enabled", actor_label="gone@example.com")
    session.commit()
    row = audit.list_all(session, root, action="mfa.enabled").rows[0]
    assert row.sentence == "gone@example.com turned on two-step verification"


def _count_queries(session: Session, fn) -> int:
    with statements(session) as seen:
        fn()
    return len(seen)


def test_a_page_of_sentences_takes_the_same_queries_for_few_or_many_people(org):
    session, alice = org
    org_id = alice.current.org_id
    _join(session, alice, "p0@example.com", "Person 0")
    session.expire_all()
    few = _count_queries(session, lambda: audit.list_for_org(session, alice, org_id))
    for i in range(1, 18):
        _join(session, alice, f"p{i}@example.com", f"Person {i}")
    for m in members.list_members(session, alice, org_id):
        if m.user_id != alice.user_id:
            members.change_role(session, alice, org_id, m.membership_id, role="billing")
    session.commit()
    session.expire_all()
    page = None

    def read():
        nonlocal page
        page = audit.list_for_org(session, alice, org_id)

    many = _count_queries(session, read)
    assert len(page.rows) == audit.PAGE_SIZE and page.total > audit.PAGE_SIZE
    assert len({row.sentence.split(" changed ")[-1] for row in page.rows if row.action == "member.role_changed"}) > 5
    assert many == few  # count, page, people, organisations: 4 whatever the page holds
    assert many <= 4
