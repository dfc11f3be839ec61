"""Demo data: only into a new, empty database (or on purpose), never back
after someone removed it, removable in one audited transaction, and its
password printed only while a demo login still has it."""

from datetime import timedelta

from sqlmodel import Session, select

from portal_app.models import AuditEvent, Invitation, LoginSession, Membership, Organization, OutgoingMail, User
from portal_app.models.base import utcnow
from portal_app.services import accounts, organizations, passwords
from portal_app.services.demo import (
    DEMO_MEMBERS,
    DEMO_ORGANIZATIONS,
    DEMO_PASSWORD,
    DEMO_STAFF_EMAIL,
    demo_emails,
    demo_logins,
    has_admin,
    is_empty,
    load_demo_data,
    remove_demo,
    seed_if_empty,
)
from tests import factories


def _names(engine) -> list[str]:
    with Session(engine) as s:
        return sorted(o.name for o in s.exec(select(Organization)))


def _emails(session: Session) -> set[str]:
    return set(session.exec(select(User.email)).all())


def test_a_new_database_gets_the_demo_data_and_its_logins_work(engine):
    with Session(engine) as s:
        assert is_empty(s)
        lines = seed_if_empty(s)
        s.commit()
        assert lines and all(line.startswith("created") for line in lines)
        assert _emails(s) == set(demo_emails())
        for _, _, email in DEMO_ORGANIZATIONS:
            assert accounts.login_with_password(s, email=email, password=DEMO_PASSWORD, ip="192.0.2.1").ticket
        acme = organizations.get_by_slug(s, "acme-ltd")
        assert acme.legal_name and acme.billing_email  # a filled-in profile, as a real customer has
        roles = sorted(m.role for m in s.exec(select(Membership).where(Membership.org_id == acme.id)))
        assert roles == sorted(["owner", *[r for org, _, _, r in DEMO_MEMBERS if org == "Acme Ltd"]])
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "demo.seeded")).one().actor_label
        assert not is_empty(s)


def test_a_database_with_anyone_in_it_gets_no_demo_data(engine):
    with Session(engine) as s:
        factories.register(s, "real@customer.example")
    with Session(engine) as s:
        assert seed_if_empty(s) is None
        s.commit()
    assert _names(engine) == ["Analytical Engines"]


def test_a_database_with_only_an_organisation_or_a_staff_member_is_not_new(engine):
    with Session(engine) as s:
        organizations.create_organization(s, name="Real Customer Ltd")
        s.commit()
        assert not is_empty(s) and seed_if_empty(s) is None
    with Session(engine) as s:
        s.delete(s.exec(select(Organization)).one())
        s.add(User(email="it@business.example", name="IT", password_hash="x", staff_role="agent"))
        s.commit()
        assert not is_empty(s) and seed_if_empty(s) is None


def test_removed_demo_data_does_not_come_back_on_the_next_start(engine):
    with Session(engine) as s:
        seed_if_empty(s)
        s.commit()
    with Session(engine) as s:
        remove_demo(s)
        s.commit()
    with Session(engine) as s:
        assert s.exec(select(User)).first() is None and s.exec(select(Organization)).first() is None
        assert seed_if_empty(s) is None  # what run.sh calls on every start
        s.commit()
        assert demo_logins(s) == [] and not has_admin(s)


def test_seed_demo_on_purpose_adds_only_what_is_missing_and_keeps_changes(engine):
    with Session(engine) as s:
        first = load_demo_data(s)
        org = s.exec(select(Organization).where(Organization.slug == "acme-ltd")).one()
        org.name = "Acme Renamed"
        s.commit()
    with Session(engine) as s:
        second = load_demo_data(s)
        s.commit()
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "demo.seeded")).all()) == 1
    assert all(line.startswith("created") for line in first)
    assert all(line.endswith("already present") for line in second)
    assert "Acme Renamed" in _names(engine)
    assert len(_names(engine)) == len(DEMO_ORGANIZATIONS)


def test_seed_demo_on_purpose_works_in_a_database_that_is_in_use(engine):
    with Session(engine) as s:
        factories.register(s, "real@customer.example")
    with Session(engine) as s:
        load_demo_data(s)
        s.commit()
        assert set(demo_emails()) <= _emails(s)


def test_remove_demo_deletes_everything_hanging_off_it_in_one_audited_transaction(any_engine):
    with Session(any_engine, expire_on_commit=False) as s:
        seed_if_empty(s)
        real = factories.register(s, "real@customer.example")
        acme = organizations.get_by_slug(s, "acme-ltd")
        alice = s.exec(select(User).where(User.email == "alice@acme.example.com")).one()
        # Things hanging off the demo rows, as a visitor trying the portal leaves them.
        s.add(Membership(user_id=real.id, org_id=acme.id, role="member"))
        s.add(LoginSession(user_id=alice.id, token_hash="a" * 64, expires_at=utcnow() + timedelta(hours=1)))
        s.add(Invitation(org_id=acme.id, email="dana@acme.example.com", role="member", token_hash="b" * 64,
                         invited_by_id=alice.id, expires_at=utcnow() + timedelta(days=7)))
        s.add(OutgoingMail(to_address="alice@acme.example.com", subject="Hello", body="Hi"))
        s.add(AuditEvent(action="org.renamed", org_id=acme.id, actor_id=alice.id, actor_label=alice.email))
        s.commit()
        counts_before = {m: len(s.exec(select(m)).all()) for m in (User, Organization, Membership, AuditEvent)}

        removal = remove_demo(s)
        assert any("Acme Ltd" in line for line in removal.lines)
        s.rollback()  # nothing committed inside: a failure leaves everything as it was
        assert {m: len(s.exec(select(m)).all()) for m in counts_before} == counts_before

        remove_demo(s)
        s.commit()
        assert _emails(s) == {"real@customer.example"}
        assert sorted(o.name for o in s.exec(select(Organization))) == ["Analytical Engines"]
        memberships = s.exec(select(Membership)).all()
        assert [m.user_id for m in memberships] == [real.id]
        assert s.exec(select(OutgoingMail).where(OutgoingMail.to_address.in_(demo_emails()))).first() is None
        assert s.exec(select(LoginSession).where(LoginSession.user_id == alice.id)).first() is None
        assert s.exec(select(Invitation)).first() is None
        assert s.exec(select(AuditEvent).where(AuditEvent.org_id == acme.id)).first() is None
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "demo.removed")).one()
        assert event.actor_label == "command line" and "alice@acme.example.com" in event.details


def test_remove_demo_without_demo_data_says_so_and_touches_nobody(engine):
    with Session(engine) as s:
        factories.register(s, "real@customer.example")
    with Session(engine) as s:
        assert remove_demo(s).lines == ["no demo data to remove"]
        s.commit()
        assert _emails(s) == {"real@customer.example"}


def test_logins_are_printed_only_while_they_have_the_published_password(engine):
    with Session(engine) as s:
        seed_if_empty(s)
        s.commit()
        printed = demo_logins(s)
        assert len(printed) == len(demo_emails())
        assert all(DEMO_PASSWORD in line for line in printed)
        assert any(DEMO_STAFF_EMAIL in line and "back-office admin" in line for line in printed)

        alice = s.exec(select(User).where(User.email == "alice@acme.example.com")).one()
        alice.password_hash = passwords.hash_password("a-private-password-of-alices")
        gus = s.exec(select(User).where(User.email == "gus@globex.example.com")).one()
        gus.is_active = False
        s.delete(s.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).one())
        s.commit()
        printed = demo_logins(s)
        assert not any(e in line for line in printed
                       for e in ("alice@acme.example.com", "gus@globex.example.com", DEMO_STAFF_EMAIL))
        assert [line.split()[0] for line in printed] == [email for _, _, email, _ in DEMO_MEMBERS]
        assert not has_admin(s)


def test_a_real_organisation_with_a_demo_name_is_never_taken_for_the_demo(engine):
    with Session(engine) as s:
        real = factories.register(s, "ceo@acme-real.example", company="Acme Ltd")
    with Session(engine) as s:
        lines = load_demo_data(s)  # on purpose, into a database in use
        s.commit()
        assert any("acme-ltd is not demo data" in line for line in lines)
        acme = organizations.get_by_slug(s, "acme-ltd")
        assert [m.user_id for m in s.exec(select(Membership).where(Membership.org_id == acme.id))] == [real.id]
        assert "alice@acme.example.com" not in _emails(s)
        assert organizations.get_by_slug(s, "globex-corporation") is not None
        remove_demo(s)
        s.commit()
        assert _names(engine) == ["Acme Ltd"]
        assert _emails(s) == {"ceo@acme-real.example"}


def test_demo_data_seeded_before_its_ids_were_recorded_is_removed_too(engine):
    # What the earlier seeding left: the rows, and no demo.seeded event.
    with Session(engine) as s:
        org = organizations.create_organization(s, name="Acme Ltd")
        alice = User(email="alice@acme.example.com", name="Alice Owner", password_hash="x")
        s.add_all([alice, User(email=DEMO_STAFF_EMAIL, name="Sam Staff", password_hash="x", staff_role="admin")])
        s.flush()
        s.add(Membership(user_id=alice.id, org_id=org.id, role="owner"))
        organizations.create_organization(s, name="Globex Corporation")  # its owner is gone: not taken for demo
        s.commit()
    with Session(engine) as s:
        lines = remove_demo(s).lines
        s.commit()
        assert lines == ["removed demo organisation Acme Ltd", "removed demo login alice@acme.example.com",
                         f"removed demo login {DEMO_STAFF_EMAIL}"]
    assert _names(engine) == ["Globex Corporation"]


def test_the_demo_has_support_requests_seen_as_each_person_may_see_them(engine):
    from portal_app.models import Ticket, TicketRating
    from portal_app.services import ticket_lists, tickets
    from portal_app.services.principal import principal_for_user

    with Session(engine, expire_on_commit=False) as s:
        seed_if_empty(s)
        s.commit()

        def principal(email: str):
            return principal_for_user(s, s.exec(select(User).where(User.email == email)).one(), None)

        alice, bob, gus = (principal(e) for e in ("alice@acme.example.com", "bob@acme.example.com",
                                                   "gus@globex.example.com"))
        assert len(ticket_lists.list_tickets(s, alice).rows) == 4  # the owner sees all of Acme's
        assert [r.subject for r in ticket_lists.list_tickets(s, bob).rows] == ["Our invoices show last year's VAT number"]
        assert [r.subject for r in ticket_lists.list_tickets(s, gus).rows] == ["How do we turn on single sign-on?",
                                                                           "The invoice PDF would not download"]
        staff = principal(DEMO_STAFF_EMAIL)
        assert sorted(r.rating for r in ticket_lists.list_tickets(s, staff).rows if r.rating) == [2, 4, 5]  # rated demos
        export = next(r for r in ticket_lists.list_tickets(s, alice).rows if r.subject.startswith("CSV export"))
        assert len(tickets.ticket_view(s, alice, export.number).messages) == 1  # not the internal note
        assert len(tickets.ticket_view(s, principal(DEMO_STAFF_EMAIL), export.number).messages) == 2
        remove_demo(s)
        s.commit()
        assert s.exec(select(Ticket)).all() == []
        assert s.exec(select(TicketRating)).all() == []


def test_the_demo_has_invoices_in_every_state_with_the_services_figures(any_engine):
    from portal_app.models import Counter, Invoice, InvoiceLine, Notification, Payment
    from portal_app.services import invoice_lists, invoice_reminders, invoices
    from portal_app.services.principal import principal_for_user

    with Session(any_engine, expire_on_commit=False) as s:
        lines = seed_if_empty(s)
        s.commit()
        assert "created 6 demo invoices for Acme Ltd" in lines
        acme, globex = (organizations.get_by_slug(s, slug) for slug in ("acme-ltd", "globex-corporation"))
        rows = s.exec(select(Invoice).order_by(Invoice.id)).all()
        by_status = sorted((r.org_id == acme.id, r.kind, r.status) for r in rows)
        assert by_status == sorted([(True, "invoice", "paid")] * 3 + [
            (True, "invoice", "overdue"), (True, "credit_note", "issued"), (True, "invoice", "partially_paid"),
            (True, "invoice", "open"), (True, "invoice", "draft"),
            (False, "invoice", "paid"), (False, "invoice", "open")])
        issued = [r for r in rows if r.kind == "invoice" and r.number]
        assert [r.issue_date for r in issued] == sorted(r.issue_date for r in issued)  # numbers follow the dates
        assert {r.currency for r in rows if r.org_id == globex.id} == {"USD"}
        today = invoices.today()
        overdue = next(r for r in rows if r.status == "overdue")
        assert overdue.due_date < today and overdue.credited == 5400 and invoices.balance(overdue) == 70200
        assert overdue.reminders_sent == 3  # 14 days late: all three sent
        assert invoice_reminders.mark_overdue_and_remind(s, day=today) == (0, 0)  # the job has nothing to add
        for r in rows:  # every figure is the sum of its rounded lines
            stored = s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == r.id)).all()
            assert (r.subtotal, r.tax) == (sum(x.net for x in stored), sum(x.tax for x in stored))
        hours = s.exec(select(InvoiceLine).where(InvoiceLine.quantity == 1500)).first()
        assert (hours.net, hours.tax) == (14250, 2850)  # 1.5 hours at 95.00, 20 % VAT
        review = s.exec(select(InvoiceLine).where(InvoiceLine.discount == 1000)).one()
        assert (review.net, review.tax) == (72000, 14400)  # 800.00 less 10 %
        assert {p.method for p in s.exec(select(Payment))} == {"bank_transfer"}
        assert s.exec(select(Notification)).all() == []  # nobody did anything: no news, no mail
        assert s.exec(select(OutgoingMail)).all() == []
        assert [e.action for e in s.exec(select(AuditEvent))] == ["demo.seeded"]
        bob = principal_for_user(s, s.exec(select(User).where(User.email == "bob@acme.example.com")).one(), None)
        assert invoice_lists.list_for_org(s, bob, acme.id).total == 7  # the draft is the staff's alone

        remove_demo(s)
        s.commit()
        assert s.exec(select(Invoice)).all() == [] and s.exec(select(Payment)).all() == []
        assert s.exec(select(InvoiceLine)).all() == []
        assert {c.value for c in s.exec(select(Counter)) if c.name.startswith(("inv-", "cn-"))} == {0}


def test_after_the_demo_is_removed_real_invoices_start_at_one_or_follow_the_last_real_one(engine):
    from portal_app.services import invoices

    lines = [{"description": "Setup", "quantity": "1", "unit_price": "100", "tax_rate": "20"}]

    def issue(s: Session, staff, org_id: int) -> str:
        return invoices.do_issue(s, staff, invoices.do_create_draft(s, staff, org_id, lines=lines).id).number

    year = invoices.today().year
    with Session(engine, expire_on_commit=False) as s:
        seed_if_empty(s)
        s.commit()
        remove_demo(s)
        s.commit()
        staff = factories.staff_admin(s)
        real = _org_of(s, factories.register(s, "real@customer.example"))
        assert issue(s, staff, real) == f"INV-{year}-0001"  # not the number after the demo's eight
        s.commit()
        load_demo_data(s)  # on purpose again: the demo's invoices follow the real one
        s.commit()
        assert issue(s, staff, real) == f"INV-{year}-0010"
        s.commit()
        remove_demo(s)
        s.commit()
        # The last real number stays taken: a number a customer has seen is never given again.
        assert issue(s, staff, real) == f"INV-{year}-0011"


def _org_of(s: Session, user: User) -> int:
    return s.exec(select(Membership.org_id).where(Membership.user_id == user.id)).one()


def test_the_demo_has_a_catalogue_with_acmes_own_price_and_removes_it(any_engine):
    from portal_app.models.catalogue import CustomerPrice, Product, Subscription
    from portal_app.services import catalogue
    from portal_app.services.principal import principal_for_user

    with Session(any_engine, expire_on_commit=False) as s:
        lines = seed_if_empty(s)
        s.commit()
        assert "created 5 demo products" in lines
        acme, globex = (organizations.get_by_slug(s, slug) for slug in ("acme-ltd", "globex-corporation"))
        alice = s.exec(select(User).where(User.email == "alice@acme.example.com")).one()
        rows = {r.sku: r for r in catalogue.catalogue_for(s, principal_for_user(s, alice, None), acme.id).rows}
        assert set(rows) == {"support-business-monthly", "support-business-yearly", "managed-hosting",
                             "consultancy-hour", "router-er4"}
        assert (rows["support-business-monthly"].price, rows["support-business-monthly"].list_price) == (
            "£405.00 a month", "£450.00 a month")
        assert rows["managed-hosting"].usage == "plus £0.05 per GB" and rows["router-er4"].stock == "7 in stock"
        gus = s.exec(select(User).where(User.email == "gus@globex.example.com")).one()
        theirs = {r.sku: r for r in catalogue.catalogue_for(s, principal_for_user(s, gus, None), globex.id).rows}
        assert theirs["support-business-monthly"].list_price == ""
        # A real customer subscribed to a demo product: that one is archived, never deleted.
        real = factories.register(s, "real@customer.example", company="Real Co")
        real_org = s.exec(select(Membership.org_id).where(Membership.user_id == real.id)).one()
        hosting = s.exec(select(Product).where(Product.sku == "managed-hosting")).one()
        today = utcnow().date()
        s.add(Subscription(org_id=real_org, product_id=hosting.id, unit_price=18000, currency="GBP", started_on=today,
                           period_start=today, next_renewal=today))
        s.commit()
        removal = remove_demo(s)
        s.commit()
        assert "removed 5 demo products" in removal.lines and "archived 1 demo products still subscribed to" in \
            removal.lines
        left = s.exec(select(Product)).all()
        assert [(p.sku, p.active) for p in left] == [("managed-hosting", False)]
        assert s.exec(select(CustomerPrice)).all() == []


def test_demo_products_never_go_into_a_catalogue_staff_started(engine):
    from portal_app.models.catalogue import Product

    with Session(engine, expire_on_commit=False) as s:
        s.add(Product(name="Ours", sku="ours", currency="GBP", unit_price=100))
        s.commit()
        lines = load_demo_data(s)
        s.commit()
        assert not any("demo products" in line for line in lines)
        assert [p.sku for p in s.exec(select(Product))] == ["ours"]
        assert not any("demo products" in line for line in remove_demo(s).lines)
        s.commit()
        assert [p.sku for p in s.exec(select(Product))] == ["ours"]


def test_the_demo_has_a_document_library_and_removes_it_with_its_bytes(engine):
    from portal_app.integrations.storage import get_storage
    from portal_app.models import Document, DocumentVersion, Folder, StoredFile
    from portal_app.services import documents, files
    from portal_app.services.principal import principal_for_user

    with Session(engine, expire_on_commit=False) as s:
        seed_if_empty(s)
        s.commit()
        acme = organizations.get_by_slug(s, "acme-ltd")
        alice = principal_for_user(s, s.exec(select(User).where(User.email == "alice@acme.example.com")).one(), None)
        folders = documents.list_folders(s, alice, acme.id)
        assert [(f.name, f.documents) for f in folders] == [("Contracts", 1), ("Shared with you", 1)]
        _, rows = documents.list_documents(s, alice, folders[0].id)
        view = documents.document_view(s, alice, rows[0].id)
        assert [(v.number, v.note) for v in view.versions] == [(2, "Signed copy"), (1, "First draft")]
        assert view.preview == "pdf"
        stored = s.exec(select(StoredFile).where(StoredFile.kind == documents.KIND)).all()
        assert len(stored) == 3 and b"".join(files.open_file(stored[0])).startswith(b"%PDF-")
        removal = remove_demo(s)
        s.commit()
        for key in removal.file_keys:
            get_storage().delete(key)
        assert {st.key for st in stored} <= set(removal.file_keys)
        assert s.exec(select(Folder)).all() == [] and s.exec(select(Document)).all() == []
        assert s.exec(select(DocumentVersion)).all() == []
