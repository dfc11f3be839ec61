"""Demo data for trying the portal: organisations, their people and a
back-office admin, all with one published password.

Demo data goes only where nobody can be surprised by it: into a new, empty
database when the portal starts (`seed_if_empty`), or when someone runs
`python -m portal_app seed-demo` on purpose (`load_demo_data`, which adds what
is missing and never overwrites what someone changed). `remove_demo` takes it
out again in one transaction, and because that leaves an audit event behind,
the database is no longer "new" and the next start does not bring it back.

The published password is printed only for demo logins that still have it
(`demo_logins` checks each stored hash), so a changed password is never shown
and a removed login is never advertised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from portal_app.db import write_lock
from portal_app.models import (
    Article, ArticleCategory, ArticleOrganization, AuditEvent, Counter, Invoice, Membership, Notification,
    Organization, OutgoingMail, StoredFile, Ticket, TicketCategory, TicketMessage, TicketRating, User,
)
from portal_app.models.base import utcnow
from portal_app.models.catalogue import CustomerPrice, Product, Subscription
from portal_app.services import audit, organizations, passwords, sla, tickets
from portal_app.services.numbering import next_number
from portal_app.services.validation import slugify

DEMO_PASSWORD = "orange-tractor-velvet-81"
# (organisation, owner's name, owner's email)
DEMO_ORGANIZATIONS = [
    ("Acme Ltd", "Alice Owner", "alice@acme.example.com"),
    ("Globex Corporation", "Gus Owner", "gus@globex.example.com"),
]
# The organisation profile shown on invoices and to staff, by organisation.
DEMO_PROFILES = {
    "Acme Ltd": dict(legal_name="Acme Trading Ltd", address="12 Harbour Street\nBristol BS1 4QA\nUnited Kingdom",
                     tax_id="GB 123 4567 89", billing_email="accounts@acme.example.com"),
    "Globex Corporation": dict(legal_name="Globex Corporation", address="1 Globex Plaza\nCypress Creek, OR 97000\nUSA",
                               tax_id="", billing_email="billing@globex.example.com", currency="USD"),
}
# Other people in the demo organisations: (organisation, name, email, role).
DEMO_MEMBERS = [
    ("Acme Ltd", "Bob Billing", "bob@acme.example.com", "billing"),
]
# Support requests in the demo organisations, made with them: (organisation,
# raised by, category, subject, priority, status, [(author, body, internal)]);
# "staff" is the demo staff admin. Ages are in hours before now.
DEMO_TICKETS = [
    ("Acme Ltd", "bob@acme.example.com", "Billing", "Our invoices show last year's VAT number", "normal", "waiting",
     [("bob@acme.example.com", "Since October our invoices still show **GB 987 6543 21**; the right number is "
       "GB 123 4567 89 (it is in our profile). Could you reissue October's invoice?", False, 50),
      ("staff", "Thanks Bob, we have corrected the number. Could you confirm the reissued invoice looks right "
       "before we close this?", False, 26)]),
    ("Acme Ltd", "alice@acme.example.com", "Something is not working", "CSV export times out for big reports",
     "high", "open",
     [("alice@acme.example.com", "Exporting the *Q3 sales* report fails after about a minute:\n\n"
       "1. Reports → Q3 sales\n2. Export → CSV\n3. Spinner, then `504 Gateway Timeout`\n\n"
       "Smaller reports work.", False, 5),
      ("staff", "Reproduced with 80k rows: the export runs in the request. Ticket for engineering raised.", True, 3)]),
    ("Acme Ltd", "alice@acme.example.com", "Request a change", "Two more seats for our new hires", "normal",
     "resolved",
     [("alice@acme.example.com", "Please add two seats from next month.", False, 120),
      ("staff", "Done: you now have 12 seats, and the next invoice shows them. Anything else?", False, 96)]),
    ("Globex Corporation", "gus@globex.example.com", "Question", "How do we turn on single sign-on?", "normal",
     "open",
     [("gus@globex.example.com", "We use Okta. Is SSO available on our plan, and where do we set it up?",
       False, 1)]),
    ("Acme Ltd", "alice@acme.example.com", "Something is not working", "Password reset emails land in spam",
     "normal", "closed",
     [("alice@acme.example.com", "Three of our people found the password reset email in their spam folder.",
       False, 260),
      ("staff", "Our mail now carries DKIM signatures for your domain: resets should arrive in the inbox. Sorry "
       "for the wait.", False, 190),
      ("alice@acme.example.com", "Works now, thanks.", False, 186)]),
    ("Globex Corporation", "gus@globex.example.com", "Billing", "The invoice PDF would not download", "high",
     "closed",
     [("gus@globex.example.com", "Clicking *Download PDF* on invoice INV-2031 shows an error.", False, 74),
      ("staff", "Fixed: a font was missing on our side. The download works again.", False, 73)]),
]
# Satisfaction ratings of solved demo requests, by subject: (rated by, score, comment, hours ago).
DEMO_RATINGS = {
    "Two more seats for our new hires": ("alice@acme.example.com", 4, "Quick, and the invoice was right.", 90),
    "Password reset emails land in spam": ("alice@acme.example.com", 2,
                                           "Fixed in the end, but it took three days to hear back.", 185),
    "The invoice PDF would not download": ("gus@globex.example.com", 5, "Sorted within the hour, thank you!", 72),
}
# Business minutes each demo request's SLA clocks have used: the CSV export
# (high: a 4-hour first response) is close to its target, so the demo shows
# one request at risk; the others show plain promises.
DEMO_SLA_USED = {"CSV export times out for big reports": 200, "Our invoices show last year's VAT number": 480,
                 "How do we turn on single sign-on?": 0}
# Help-centre articles, written when the knowledge base is empty:
# (category, title, who sees it, Markdown). "acme" is Acme Ltd's members only.
DEMO_ARTICLE_CATEGORIES = ["Billing and payments", "Your account", "Support requests", "Your organisation"]
DEMO_ARTICLES = [
    ("Billing and payments", "How to pay an invoice", "public",
     "Open **Billing** and choose the invoice you want to pay.\n\n1. Press **Pay now**.\n2. Pay by card, or choose "
     "*bank transfer* to see our account details.\n\nA paid invoice shows **Paid** within a minute. Paying by "
     "transfer takes one to three working days to show."),
    ("Billing and payments", "Downloading invoices as PDF", "public",
     "Every invoice has a **Download PDF** button on its page. The PDF carries your organisation's legal name, "
     "address and VAT number as they were when the invoice was issued.\n\nNeed an older invoice? They are all "
     "kept: use the year filter on the Billing page."),
    ("Billing and payments", "Changing the VAT number on your invoices", "public",
     "Your VAT number comes from your organisation profile. An owner or admin changes it under "
     "**Organisation → Profile**; invoices issued afterwards carry the new number.\n\nIf an invoice already "
     "issued shows the wrong number, raise a support request in the *Billing* category and we reissue it."),
    ("Billing and payments", "Refunds and cancellations", "customers",
     "Signed-in customers can cancel a subscription before its renewal date to avoid another charge. Refunds for "
     "the unused part of a yearly plan are made to the original payment method within 10 working days.\n\n"
     "| Plan | Refund |\n|---|---|\n| Monthly | none, the month runs out |\n| Yearly | unused months |"),
    ("Your account", "Resetting your password", "public",
     "Forgot your password? On the sign-in page choose **Forgot your password?** and enter your email address. "
     "The reset link works once, for one hour.\n\nIf no email arrives, check your spam folder, or ask your "
     "organisation's owner to check the address on your account."),
    ("Your account", "Setting up two-step verification", "public",
     "Two-step verification protects your account with a code from an authenticator app.\n\n1. Open "
     "**Security**.\n2. Scan the QR code with your authenticator app.\n3. Enter the six-digit code it shows.\n\n"
     "Keep the recovery codes somewhere safe: each one signs you in once if you lose your phone."),
    ("Your account", "Signing in with a link instead of a password", "public",
     "Choose **Email me a sign-in link** on the sign-in page. The link signs you in once and expires after 15 "
     "minutes."),
    ("Support requests", "Raising a support request", "public",
     "Choose **Support → New request**, pick the category that fits and answer its questions. Attach "
     "screenshots or log files if you have them.\n\nYou see our reply on the request's page as soon as we send it, "
     "and by email."),
    ("Support requests", "What our reply times mean", "public",
     "Each request shows when we aim to reply. The clock counts our business hours (Monday to Friday, 9:00–17:00) "
     "and pauses while a request is *waiting for you*."),
    ("Your organisation", "Inviting a colleague", "public",
     "Owners and admins invite colleagues from **Organisation → Members** by email, choosing their role: "
     "*member*, *billing* or *admin*. The invitation link is valid for seven days."),
    ("Your organisation", "Acme: your dedicated support line", "acme",
     "Acme Ltd has a dedicated account manager: raise a request in any category and mention **ACME-PRIORITY** in "
     "the subject to reach them directly."),
]
# Invoices of the demo organisations, issued by the demo staff admin through
# the billing services (so every figure is theirs) and then dated in the past:
# (organisation, issued days ago, due days ago (negative: still to come),
# lines, payments by bank transfer [(days ago, amount or "all", reference)],
# a credit note (days ago, amount, reason) or None). "{month}" in a line is
# the month it was issued in. Acme pays 20 % VAT; Globex, abroad, pays none.
_PLAN = {"description": "Support plan (Business), {month}", "quantity": "1", "unit_price": "450.00", "tax_rate": "20"}
_HOSTING = {"description": "Managed hosting, {month}", "quantity": "1", "unit_price": "180.00", "tax_rate": "20"}
_HOURS = {"description": "Consultancy: data migration (hours)", "quantity": "1.5", "unit_price": "95.00",
          "tax_rate": "20"}
_REVIEW = {"description": "Annual security review, less 10 % loyalty discount", "quantity": "1",
           "unit_price": "800.00", "tax_rate": "20", "discount": "10"}
_ENTERPRISE = {"description": "Enterprise support plan, {month}", "quantity": "1", "unit_price": "1200.00",
               "tax_rate": "0"}
_SSO = {"description": "Single sign-on add-on (25 seats)", "quantity": "25", "unit_price": "6.00", "tax_rate": "0"}
DEMO_INVOICES = [
    ("Acme Ltd", 125, 95, [_PLAN, _HOSTING], [(101, "all", "ACME TRADING BACS 0731")], None),
    ("Acme Ltd", 95, 65, [_PLAN, _HOSTING, _HOURS], [(68, "all", "ACME TRADING BACS 0829")], None),
    ("Globex Corporation", 80, 50, [_ENTERPRISE, _SSO], [(52, "all", "GLOBEX WIRE 55120")], None),
    ("Acme Ltd", 65, 35, [_PLAN, _HOSTING, _REVIEW], [(36, "all", "ACME TRADING BACS 0930")], None),
    ("Acme Ltd", 44, 14, [_PLAN, _HOSTING], [],
     (9, "54.00", "Hosting outage: a week of hosting credited")),
    ("Acme Ltd", 20, -10, [_PLAN, _HOSTING, _HOURS], [(6, "300.00", "ACME TRADING PART PAYMENT")], None),
    ("Globex Corporation", 10, -20, [_ENTERPRISE, _SSO], [], None),
    ("Acme Ltd", 2, -28, [_PLAN, _HOSTING], [], None),
]
# A draft the staff are still writing (customers never see drafts).
DEMO_DRAFT = ("Acme Ltd", [_PLAN, _HOSTING, {**_HOURS, "quantity": "4"}],
              "Check the number of seats with Alice before issuing.")
# The catalogue (only into an empty one): (name, SKU, kind, interval, price, tax, usage unit, usage price,
# pausable, stock, description); and Acme's own price for one product.
DEMO_PRODUCTS = [
    ("Support plan (Business), monthly", "support-business-monthly", "recurring", "month", 45000, 2000, "", 0, True,
     None, "Next-business-day answers, a named contact and a monthly review call."),
    ("Support plan (Business), yearly", "support-business-yearly", "recurring", "year", 486000, 2000, "", 0, True,
     None, "The Business plan paid yearly: two months free."),
    ("Managed hosting", "managed-hosting", "recurring", "month", 18000, 2000, "GB", 5, False, None,
     "Backups, updates and monitoring; storage billed per GB used."),
    ("Consultancy (per hour)", "consultancy-hour", "one_off", "", 9500, 2000, "", 0, False, None,
     "Data migration, integrations and training, by the hour."),
    ("Edge router ER-4", "router-er4", "one_off", "", 22900, 2000, "", 0, False, 7,
     "A small business router, set up for your network before it ships."),
]
DEMO_CUSTOMER_PRICES = [("Acme Ltd", "support-business-monthly", 40500)]
DEMO_STAFF_EMAIL = "sam@portal.example.com"
DEMO_STAFF_NAME = "Sam Staff"
CLI_ACTOR = "command line"


def demo_emails() -> list[str]:
    return ([email for _, _, email in DEMO_ORGANIZATIONS] + [email for _, _, email, _ in DEMO_MEMBERS]
            + [DEMO_STAFF_EMAIL])


def demo_slugs() -> list[str]:
    return [slugify(name) for name, _, _ in DEMO_ORGANIZATIONS]


def is_empty(session: Session) -> bool:
    """A new database: no people, no organisations and no audit event at all.
    The last part matters: removing the demo data (or anything else that ever
    happened here) leaves an event, so a database someone emptied on purpose
    is not mistaken for a new one."""
    for model in (User, Organization, AuditEvent):
        if session.exec(select(func.count()).select_from(model)).one():
            return False
    return True


def _owner_email(slug: str) -> str:
    return {slugify(org): email for org, _, email in DEMO_ORGANIZATIONS}[slug]


@dataclass(frozen=True)
class _Known:
    """Which rows are demo data. Demo seeding records the ids it made in its
    audit event; those are the authority, so a real customer who happens to
    be called "Acme Ltd" is never taken for the demo. A database seeded before
    the ids were recorded has no such event: there, an organisation with a
    demo slug counts when its demo owner belongs to it, and a demo address
    counts (they are under example.com, which nobody can receive mail at)."""

    org_ids: set[int] | None
    user_ids: set[int] | None
    product_ids: set[int] = frozenset()

    @classmethod
    def load(cls, session: Session) -> _Known:
        events = session.exec(select(AuditEvent.details).where(AuditEvent.action == "demo.seeded")).all()
        if not events:
            return cls(None, None)
        org_ids: set[int] = set()
        user_ids: set[int] = set()
        product_ids: set[int] = set()
        for details in events:
            data = json.loads(details)
            org_ids.update(data.get("organisation_ids", []))
            user_ids.update(data.get("user_ids", []))
            product_ids.update(data.get("product_ids", []))
        return cls(org_ids, user_ids, product_ids)

    def is_demo_org(self, session: Session, org: Organization) -> bool:
        if self.org_ids is not None:
            return org.id in self.org_ids
        owner = select(Membership.id).join(User, User.id == Membership.user_id).where(
            Membership.org_id == org.id, User.email == _owner_email(org.slug))
        return session.exec(owner).first() is not None

    def is_demo_user(self, user: User) -> bool:
        return self.user_ids is None or user.id in self.user_ids


@dataclass
class _Seeder:
    session: Session
    known: _Known
    lines: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    # Every demo row, made now or before: recorded with the event.
    org_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    _hash: str | None = None

    def password_hash(self) -> str:
        # One argon2 hash for every demo login: they share the password.
        if self._hash is None:
            self._hash = passwords.hash_password(DEMO_PASSWORD)
        return self._hash

    def org(self, name: str) -> Organization | None:
        """The demo organisation, made if missing; None when its slug
        belongs to a real organisation (then it and its people are skipped)."""
        org = organizations.get_by_slug(self.session, slugify(name))
        if org is not None:
            if not self.known.is_demo_org(self.session, org):
                self.lines.append(f"organisation {org.slug} is not demo data: left alone, no demo logins in it")
                return None
            self.org_ids.append(org.id)
            self.lines.append(f"demo organisation {org.name} already present")
            return org
        org = organizations.create_organization(self.session, name=name)
        for key, value in DEMO_PROFILES.get(name, {}).items():
            setattr(org, key, value)
        self.session.add(org)
        self.session.flush()
        self.created.append(org.name)
        self.org_ids.append(org.id)
        self.lines.append(f"created demo organisation {org.name}")
        return org

    def person(self, name: str, email: str, *, org: Organization | None = None, role: str = "",
               staff_role: str | None = None) -> None:
        existing = self.session.exec(select(User).where(User.email == email)).first()
        if existing is not None:
            if self.known.is_demo_user(existing):
                self.user_ids.append(existing.id)
                self.lines.append(f"demo login {email} already present")
            else:
                self.lines.append(f"{email} is not a demo login: left alone")
            return
        # The demo staff admin may use the back office without two-step
        # verification (staff must otherwise), so the printed password is enough.
        user = User(email=email, name=name, password_hash=self.password_hash(), email_verified_at=utcnow(),
                    staff_role=staff_role, demo_mfa_exempt=staff_role is not None)
        self.session.add(user)
        self.session.flush()
        if org is not None:
            self.session.add(Membership(user_id=user.id, org_id=org.id, role=role))
            self.session.flush()
        self.created.append(email)
        self.user_ids.append(user.id)
        where = f"{role} of {org.name}" if org is not None else "back-office admin"
        self.lines.append(f"created demo login {email} ({where})")


def load_demo_data(session: Session) -> list[str]:
    """Create whatever demo rows are missing (on purpose: `seed-demo`); what
    exists is left as it is. Audited when anything was created, with the ids
    of every demo row, which is how `remove_demo` knows them. Returns lines
    to print."""
    seeder = _Seeder(session, _Known.load(session))
    for org_name, owner_name, email in DEMO_ORGANIZATIONS:
        org = seeder.org(org_name)
        if org is not None:
            seeder.person(owner_name, email, org=org, role="owner")
            for member_org, name, member_email, role in DEMO_MEMBERS:
                if member_org == org_name:
                    seeder.person(name, member_email, org=org, role=role)
    seeder.person(DEMO_STAFF_NAME, DEMO_STAFF_EMAIL, staff_role="admin")
    _demo_tickets(session, seeder)
    _demo_invoices(session, seeder)
    _demo_catalogue(session, seeder)  # before the subscriptions, which use its products
    _demo_subscriptions(session, seeder)
    _demo_orders(session, seeder)
    _demo_quotes(session, seeder)
    _demo_documents(session, seeder)
    _demo_articles(session, seeder)
    if seeder.created:
        audit.record(session, "demo.seeded", actor_label=CLI_ACTOR, target_type="demo", target_label="demo data",
                     details={"created": seeder.created, "organisation_ids": seeder.org_ids,
                              "user_ids": seeder.user_ids, "product_ids": seeder.product_ids})
        session.flush()
    return seeder.lines


def _demo_tickets(session: Session, seeder: _Seeder) -> None:
    """The support requests of the demo organisations made just now (never
    again into ones that existed: someone may have closed or changed them).
    Written as rows, without mail or notifications: nobody did anything."""
    users = {u.email: u.id for u in session.exec(select(User).where(User.email.in_(demo_emails()))).all()}
    categories = {c.name: c.id for c in session.exec(select(TicketCategory)).all()}
    now = utcnow()
    for org_name, raiser, category, subject, priority, status, messages in DEMO_TICKETS:
        org = organizations.get_by_slug(session, slugify(org_name))
        if org_name not in seeder.created or org is None or category not in categories:
            continue
        first, last = now - timedelta(hours=messages[0][3]), now - timedelta(hours=messages[-1][3])
        ticket = Ticket(number=next_number(session, "ticket", first=tickets.FIRST_NUMBER), org_id=org.id,
                        category_id=categories[category], subject=subject, status=status, priority=priority,
                        raised_by_id=users.get(raiser), created_at=first, last_activity_at=last,
                        resolved_at=last if status == "resolved" else None,
                        closed_at=last if status == "closed" else None)
        replies = [now - timedelta(hours=h) for who, _, note, h in messages if who == "staff" and not note]
        if status not in tickets.ACTIVE and replies:
            ticket.first_responded_at = replies[0]  # the support report's first-response time
        session.add(ticket)
        session.flush()
        if subject in DEMO_SLA_USED:
            sla.set_demo_clock(session, ticket, now, used=DEMO_SLA_USED[subject],
                               responded_at=replies[0] if replies else None)
        if subject in DEMO_RATINGS:
            rater, score, comment, hours = DEMO_RATINGS[subject]
            when = now - timedelta(hours=hours)
            session.add(TicketRating(ticket_id=ticket.id, score=score, comment=comment, rated_by_id=users.get(rater),
                                     rated_at=when, changed_by_id=users.get(rater), changed_at=when))
        for author, body, internal, hours in messages:
            session.add(TicketMessage(ticket_id=ticket.id, author_id=users.get(DEMO_STAFF_EMAIL if author == "staff"
                                                                                  else author),
                                      body=body, internal=internal, created_at=now - timedelta(hours=hours)))
        seeder.lines.append(f"created demo support request {tickets.label(ticket.number)} for {org_name}")
    session.flush()


def _demo_invoices(session: Session, seeder: _Seeder) -> None:
    """The invoices of the demo organisations made just now (never into ones
    that existed), oldest first so their numbers follow their dates. Made
    through the billing services by the demo staff admin, so totals, rounding,
    balances and statuses are exactly what the portal computes; then dated in
    the past (issuing uses today). What those services also did is taken out
    again before anything commits, as the support requests never had it: the
    notifications and mail to the demo people and the billing audit events
    (nobody did anything; "demo.seeded" records the seeding)."""
    from portal_app.services import invoice_reminders, invoices, money, payments
    from portal_app.services.principal import principal_for_user
    from portal_app.settings import get_settings

    orgs = {name: organizations.get_by_slug(session, slugify(name)) for name, _, _ in DEMO_ORGANIZATIONS
            if name in seeder.created}
    orgs = {name: org for name, org in orgs.items() if org is not None}
    staff_user = session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).first()
    if not orgs or staff_user is None or staff_user.id not in seeder.user_ids or \
            staff_user.staff_role not in invoices.MANAGERS:
        return
    staff = principal_for_user(session, staff_user, None)
    marks = {model: session.exec(select(func.max(model.id))).one() or 0
             for model in (AuditEvent, Notification, OutgoingMail)}
    today = invoices.today()
    schedule = get_settings().invoice_reminder_days
    made = {name: 0 for name in orgs}
    for org_name, issued_ago, due_ago, lines, paid, credit in sorted(DEMO_INVOICES, key=lambda row: -row[1]):
        org = orgs.get(org_name)
        if org is None:
            continue
        issued_on = today - timedelta(days=issued_ago)
        draft = invoices.do_create_draft(session, staff, org.id, lines=_demo_lines(lines, issued_on))
        invoice = invoices.do_issue(session, staff, draft.id)
        invoice.issue_date, invoice.due_date = issued_on, today - timedelta(days=due_ago)
        invoice.created_at = invoice.issued_at = _at(issued_on, 10)
        invoices.settle(invoice, today)
        session.add(invoice)
        for paid_ago, amount, reference in paid:
            value = money.typed(invoices.balance(invoice), invoice.currency) if amount == "all" else amount
            payment = payments.do_record_payment(session, staff, invoice.id, amount=value, method="bank_transfer",
                                                 reference=reference,
                                                 received_on=(today - timedelta(days=paid_ago)).isoformat())
            payment.created_at = _at(today - timedelta(days=paid_ago), 15)
            session.add(payment)
        if credit is not None:
            credit_ago, amount, reason = credit
            note = invoices.do_credit(session, staff, invoice.id, amount=amount, reason=reason)
            note.issue_date = today - timedelta(days=credit_ago)
            note.created_at = note.issued_at = _at(note.issue_date, 11)
            session.add(note)
        if invoice.status == "overdue":  # the reminders it would have had by now: the job sends no old ones
            invoice.reminders_sent = invoice_reminders.steps_reached(due_ago, schedule)
        made[org_name] += 1
    org_name, lines, memo = DEMO_DRAFT
    if org_name in orgs:
        invoices.do_create_draft(session, staff, orgs[org_name].id, lines=_demo_lines(lines, today), memo=memo)
    session.flush()
    org_ids = [org.id for org in orgs.values()]
    session.execute(delete(Notification).where(Notification.id > marks[Notification],
                                               Notification.org_id.in_(org_ids)))
    session.execute(delete(OutgoingMail).where(OutgoingMail.id > marks[OutgoingMail],
                                               OutgoingMail.to_address.in_(demo_emails())))
    session.execute(delete(AuditEvent).where(AuditEvent.id > marks[AuditEvent], AuditEvent.org_id.in_(org_ids),
                                             AuditEvent.action.startswith("invoice.")
                                             | AuditEvent.action.startswith("payment.")))
    for org_name, count in made.items():
        seeder.lines.append(f"created {count} demo invoices for {org_name}")
    session.flush()


# (organisation, SKU, product name, currency, price, usage unit, usage price, pausable, quantity, days ago,
# usage per day over the last days). Acme's is the demo catalogue's hosting (DEMO_PRODUCTS); Globex pays in
# dollars, so its plan is made here when no product has the SKU (and removed with the demo).
DEMO_SUBSCRIPTIONS = [
    ("Acme Ltd", "managed-hosting", "Managed hosting", "GBP", 18000, "GB", 5, False, 1, 45, [1.5, 2.25, 0.75, 3.0]),
    ("Globex Corporation", "support-priority-usd", "Priority support plan", "USD", 25000, "", 0, False, 1, 70, []),
]


def _demo_subscriptions(session: Session, seeder: _Seeder) -> None:
    """Subscriptions of the demo organisations made just now, as rows that
    have been running for a while (their past periods were invoiced outside
    the demo: no invoice, notification or audit event is made), with some
    metered usage in the current period."""
    from portal_app.models.catalogue import Product, Subscription, UsageRecord
    from portal_app.services import catalogue, subscriptions
    from portal_app.services.invoices import today as business_today

    if not seeder.product_ids:  # the catalogue is staff's own: demo products never go into it
        return
    today = business_today()
    for org_name, sku, name, currency, price, unit, usage_price, pausable, quantity, ago, usage in DEMO_SUBSCRIPTIONS:
        org = organizations.get_by_slug(session, slugify(org_name))
        if org_name not in seeder.created or org is None:
            continue
        product = session.exec(select(Product).where(Product.sku == sku)).first()
        if product is None:
            product = Product(name=name, sku=sku, kind="recurring", interval="month", currency=currency,
                              unit_price=price, tax_rate=2000 if currency == "GBP" else 0, usage_unit=unit,
                              usage_unit_price=usage_price, pausable=pausable,
                              active=False)  # an older plan, no longer sold: it stays out of the catalogue
            session.add(product)
            session.flush()
            seeder.product_ids.append(product.id)
        if product.currency != currency:  # the catalogue is in another PORTAL_CURRENCY: no demo subscription
            continue
        started = today - timedelta(days=ago)
        start, renewal = started, subscriptions.next_period_start(started, "month", started.day)
        while renewal <= today:
            start, renewal = renewal, subscriptions.next_period_start(renewal, "month", started.day)
        sub = Subscription(org_id=org.id, product_id=product.id, quantity=quantity,
                           unit_price=catalogue.price_for(session, org.id, product),
                           currency=currency, started_on=started, period_start=start, next_renewal=renewal)
        session.add(sub)
        session.flush()
        for n, amount in enumerate(usage):
            day = today - timedelta(days=len(usage) - 1 - n)
            if day >= start:
                session.add(UsageRecord(subscription_id=sub.id, day=day, quantity=round(amount * 1000)))
        seeder.lines.append(f"created a demo subscription to {name} for {org_name}")
    session.flush()


# Acme's orders from the demo catalogue: (SKU, quantity, days ago, status reached, PO reference, carrier,
# tracking number), and what is in Alice's cart.
DEMO_ORDERS = [
    ("router-er4", 1, 20, "delivered", "PO-4410", "Royal Mail", "RM552013947GB"),
    ("router-er4", 2, 4, "shipped", "PO-4452", "DPD", "15501234567890"),
    ("consultancy-hour", 3, 1, "placed", "PO-4471", "", ""),
]
DEMO_CART = [("Acme Ltd", "alice@acme.example.com", "router-er4", 1)]


def _demo_orders(session: Session, seeder: _Seeder) -> None:
    """Acme's orders in several states, as rows with their timelines (no
    invoice, notification or audit event: nobody did anything), and an item
    in Alice's cart. Only from the demo catalogue, into Acme made just now."""
    from portal_app.models.orders import CartItem, Order, OrderEvent, OrderLine
    from portal_app.services import catalogue, money
    from portal_app.services import orders as order_service

    acme = organizations.get_by_slug(session, slugify("Acme Ltd"))
    if not seeder.product_ids or acme is None or "Acme Ltd" not in seeder.created:
        return
    products = {p.sku: p for p in session.exec(select(Product).where(Product.id.in_(seeder.product_ids))).all()}
    alice = session.exec(select(User).where(User.email == "alice@acme.example.com")).first()
    steps = ("placed", "confirmed", "shipped", "delivered")
    now = utcnow()
    made = 0
    for sku, quantity, ago, reached, po, carrier, tracking in DEMO_ORDERS:
        product = products.get(sku)
        if product is None or product.currency != (acme.currency or product.currency):
            continue
        price = catalogue.price_for(session, acme.id, product)
        net, tax = money.line_amounts(quantity * money.QUANTITY_SCALE, price, product.tax_rate)
        placed_at = now - timedelta(days=ago)
        order = Order(org_id=acme.id, number=order_service._number(session), status=reached, currency=product.currency,
                      subtotal=net, tax=tax, total=net + tax, po_reference=po, delivery_address=acme.address,
                      carrier=carrier, tracking_number=tracking,
                      tracking_url=f"https://tracking.example.com/{tracking}" if tracking else "",
                      placed_by_id=alice.id if alice else None, created_at=placed_at, updated_at=placed_at)
        session.add(order)
        session.flush()
        session.add(OrderLine(order_id=order.id, product_id=product.id, description=product.name,
                              quantity=quantity * money.QUANTITY_SCALE, unit_price=price, tax_rate=product.tax_rate,
                              net=net, tax=tax))
        for n, step in enumerate(steps[:steps.index(reached) + 1]):
            note = {"placed": f"PO {po}", "shipped": f"{carrier}, tracking {tracking}"}.get(step, "")
            session.add(OrderEvent(order_id=order.id, status=step, at=placed_at + timedelta(days=n, hours=2 * n),
                                   actor=alice.name if step == "placed" and alice else order_service.STAFF_NAME,
                                   note=note))
        made += 1
    for org_name, email, sku, quantity in DEMO_CART:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None and sku in products and org_name == "Acme Ltd":
            session.add(CartItem(org_id=acme.id, user_id=user.id, product_id=products[sku].id, quantity=quantity))
    seeder.lines.append(f"created {made} demo orders for Acme Ltd")
    session.flush()


# Acme's quotes: (title, terms, [(SKU or "", description, quantity, unit price)], days valid, what became of it).
DEMO_QUOTE_TERMS = ("Prices exclude VAT, added at 20 %. The router ships within five working days of acceptance; "
                    "set-up is billed by the hour actually worked. The support plan renews monthly and can be "
                    "cancelled at the end of any month. Payment within 30 days of each invoice.")
DEMO_QUOTES = [
    ("Office network refresh", DEMO_QUOTE_TERMS,
     [("router-er4", "", "2", ""), ("consultancy-hour", "On-site set-up", "6", ""),
      ("support-business-monthly", "", "1", "")], 21, "sent"),
    ("Hosting migration", DEMO_QUOTE_TERMS,
     [("consultancy-hour", "Migration of the web shop", "12", "")], 30, "accepted"),
    ("Training day", DEMO_QUOTE_TERMS,
     [("", "Staff training, one day on site", "1", "1200.00")], 14, "changes_requested"),
]


def _demo_quotes(session: Session, seeder: _Seeder) -> None:
    """Acme's quotes, made through the quote services by the demo staff
    admin (so totals and hashes are the portal's): one waiting for an
    answer, one accepted (its record written as rows: the demo makes no
    invoice or subscription from it), one with changes asked for. The
    notifications and audit events those services made are taken out, as
    for the demo invoices."""
    from portal_app.services import quotes
    from portal_app.services.principal import principal_for_user

    org = organizations.get_by_slug(session, slugify("Acme Ltd"))
    staff_user = session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).first()
    alice = session.exec(select(User).where(User.email == DEMO_ORGANIZATIONS[0][2])).first()
    if "Acme Ltd" not in seeder.created or org is None or staff_user is None or alice is None or \
            staff_user.staff_role not in quotes.MANAGERS:
        return
    staff = principal_for_user(session, staff_user, None)
    marks = {model: session.exec(select(func.max(model.id))).one() or 0
             for model in (AuditEvent, Notification, OutgoingMail)}
    skus = dict(session.exec(select(Product.sku, Product.id).where(Product.active)).all())
    today = quotes.today()
    made = 0
    for title, terms, lines, days, outcome in DEMO_QUOTES:
        rows = [{"product_id": str(skus[sku]) if sku else "", "description": description, "quantity": quantity,
                 "unit_price": price} for sku, description, quantity, price in lines if not sku or sku in skus]
        if not rows:
            continue
        quote = quotes.do_create_draft(session, staff, org.id, title=title, lines=rows, terms=terms,
                                       valid_until=(today + timedelta(days=days)).isoformat())
        quotes.do_send(session, staff, quote.id)
        version = quotes.current_version(session, quote)
        if outcome == "accepted":
            when = utcnow() - timedelta(days=2)
            quote.status, quote.accepted_name, quote.accepted_at, quote.accepted_ip = (
                "accepted", "Alice Owner", when, "192.0.2.10")
            quote.accepted_hash, quote.accepted_version, quote.accepted_by_id = version.content_hash, 1, alice.id
            quote.answered_at = when
        elif outcome == "changes_requested":
            quote.status = "changes_requested"
            version.change_request = "Could the training be split over two half days?"
            session.add(version)
        session.add(quote)
        made += 1
    session.flush()
    session.execute(delete(Notification).where(Notification.id > marks[Notification]))
    session.execute(delete(OutgoingMail).where(OutgoingMail.id > marks[OutgoingMail],
                                               OutgoingMail.to_address.in_(demo_emails())))
    session.execute(delete(AuditEvent).where(AuditEvent.id > marks[AuditEvent], AuditEvent.action.startswith("quote.")))
    if made:
        seeder.lines.append(f"created {made} demo quotes for Acme Ltd")
    session.flush()


def _demo_pdf(title: str, lines: list[str]) -> bytes:
    from portal_app.services import pdf

    document = pdf.Document(title)
    document.add_page()
    document.line_of(title, size=14, bold=True)
    for line in lines:
        document.line_of(line)
    return bytes(document.output())


def _demo_documents(session: Session, seeder: _Seeder) -> None:
    """Acme's document library, made through the services by Alice (the
    owner): "Contracts" for owners and admins (a small PDF with two
    versions) and "Shared with you" for every member (a text file). Their
    bytes go to storage; `remove_demo` deletes them with the organisation's
    other files. The audit events and notifications they made are taken
    out, as for the demo quotes."""
    from portal_app.services import documents, files
    from portal_app.services.principal import principal_for_user

    org = organizations.get_by_slug(session, slugify("Acme Ltd"))
    alice = session.exec(select(User).where(User.email == DEMO_ORGANIZATIONS[0][2])).first()
    if "Acme Ltd" not in seeder.created or org is None or alice is None:
        return
    owner = principal_for_user(session, alice, None)
    marks = {model: session.exec(select(func.max(model.id))).one() or 0 for model in (AuditEvent, Notification)}
    contracts = documents.create_folder(session, owner, org.id, name="Contracts", audience=["owner", "admin"])
    shared = documents.create_folder(session, owner, org.id, name="Shared with you", audience="all")
    made = [
        (contracts, "Service agreement.pdf", _demo_pdf("Service agreement", [
            "Between Acme Ltd and the provider.", "Draft for review."]), "First draft"),
        (contracts, "Service agreement.pdf", _demo_pdf("Service agreement", [
            "Between Acme Ltd and the provider.", "Signed by both parties."]), "Signed copy"),
        (shared, "Onboarding checklist.txt", b"Onboarding checklist\n\n1. Send your logo\n"
                                              b"2. Invite your team\n3. Book the kick-off call\n", ""),
    ]
    for folder, name, data, note in made:
        stored = files.store(session, owner, org.id, kind=documents.KIND, filename=name, chunks=[data])
        documents.add_files(session, owner, folder.id, [stored.id], note=note)
    session.flush()
    session.execute(delete(Notification).where(Notification.id > marks[Notification]))
    session.execute(delete(AuditEvent).where(AuditEvent.id > marks[AuditEvent],
                                             AuditEvent.action.startswith("document.")))
    seeder.lines.append("created 2 demo document folders for Acme Ltd")
    session.flush()


def _demo_lines(lines: list[dict[str, str]], day: date) -> list[dict[str, str]]:
    month = day.strftime("%B %Y")
    return [{**line, "description": line["description"].format(month=month)} for line in lines]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.utc)


def _rewind_invoice_numbers(session: Session) -> None:
    """After the demo's invoices, quotes and orders are gone, each year's
    sequence of invoice, credit note, quote and order numbers goes back to
    the highest number still in use, so the business's first real invoice
    is INV-<year>-0001, not the number after the demo's. Never below a
    number in use: issued invoices are never deleted, so no number a
    customer has seen is given again."""
    from portal_app.models.orders import Order
    from portal_app.models.quotes import Quote

    numbered = {"inv-": Invoice, "cn-": Invoice, "quo-": Quote, "ord-": Order}
    for counter in session.exec(select(Counter).where(or_(*(Counter.name.startswith(p) for p in numbered)))).all():
        model = next(m for p, m in numbered.items() if counter.name.startswith(p))
        prefix = counter.name.upper() + "-"  # "inv-2026" -> "INV-2026-"
        last = session.exec(select(model.number).where(model.number.startswith(prefix))
                            .order_by(func.length(model.number).desc(), model.number.desc()).limit(1)).first()
        counter.value = int(last.rsplit("-", 1)[1]) if last else 0
        session.add(counter)


def _demo_articles(session: Session, seeder: _Seeder) -> None:
    """The help centre's articles, published by the demo staff admin, only
    into an empty knowledge base (never over what staff wrote). Written as
    rows through the search index, without audit: nobody did anything."""
    from portal_app.services import knowledge

    if session.exec(select(Article.id).limit(1)).first() is not None:
        return
    if session.exec(select(ArticleCategory.id).limit(1)).first() is not None:
        return
    author = session.exec(select(User.id).where(User.email == DEMO_STAFF_EMAIL)).first()
    acme = organizations.get_by_slug(session, slugify("Acme Ltd"))
    categories: dict[str, int] = {}
    for position, name in enumerate(DEMO_ARTICLE_CATEGORIES, start=1):
        category = ArticleCategory(name=name, slug=slugify(name), position=position)
        session.add(category)
        session.flush()
        categories[name] = category.id
    now = utcnow()
    for n, (category, title, audience, body) in enumerate(DEMO_ARTICLES):
        if audience == "acme" and acme is None:
            continue
        when = now - timedelta(days=30 - n)
        article = Article(title=title, slug=slugify(title, max_length=knowledge.SLUG_MAX), body=body,
                          search_text=knowledge.plain_text(body), category_id=categories[category],
                          status="published", visibility="organisations" if audience == "acme" else audience,
                          author_id=author, created_at=when, updated_at=when, published_at=when)
        session.add(article)
        session.flush()
        if audience == "acme":
            session.add(ArticleOrganization(article_id=article.id, org_id=acme.id))
        knowledge.index_article(session, article)
    seeder.lines.append(f"created {len(DEMO_ARTICLES)} demo help-centre articles")
    session.flush()


def _demo_catalogue(session: Session, seeder: _Seeder) -> None:
    """A small catalogue, only into an empty one (never beside what staff
    added), and Acme's own price for its support plan. Rows, without audit:
    nobody did anything; their ids go into "demo.seeded" for `remove_demo`."""
    if session.exec(select(Product.id).limit(1)).first() is not None:
        return
    from portal_app.settings import get_settings

    currency = get_settings().currency
    skus: dict[str, int] = {}
    for name, sku, kind, interval, price, tax, unit, unit_price, pausable, stock, description in DEMO_PRODUCTS:
        product = Product(name=name, sku=sku, kind=kind, interval=interval, currency=currency, unit_price=price,
                          tax_rate=tax, usage_unit=unit, usage_unit_price=unit_price, pausable=pausable, stock=stock,
                          description=description)
        session.add(product)
        session.flush()
        skus[sku] = product.id
        seeder.product_ids.append(product.id)
    seeder.created.append(f"{len(DEMO_PRODUCTS)} products")
    for org_name, sku, price in DEMO_CUSTOMER_PRICES:
        org = organizations.get_by_slug(session, slugify(org_name))
        if org is not None and org.id in seeder.org_ids:
            session.add(CustomerPrice(org_id=org.id, product_id=skus[sku], unit_price=price))
    seeder.lines.append(f"created {len(DEMO_PRODUCTS)} demo products")
    session.flush()


def seed_if_empty(session: Session) -> list[str] | None:
    """Demo data for a new, empty database (the first start); None, and
    nothing written, for any database that has ever held anything. Two
    starts at once: the second waits for the first and then finds data."""
    write_lock(session)
    if not is_empty(session):
        return None
    return load_demo_data(session)


@dataclass(frozen=True)
class Removal:
    lines: list[str]
    # Stored files of the removed organisations, to delete once committed.
    file_keys: list[str]


def remove_demo(session: Session) -> Removal:
    """Delete the demo organisations and logins with everything hanging off
    them (memberships, invitations, sessions, tokens, invoices and payments,
    their organisations' audit events: the foreign keys cascade; the invoice
    numbers go back to what is still in use), and unsent mail to demo
    addresses. A row goes only if it has a demo slug or address and is
    demo data (`_Known`), so a real customer called "Acme Ltd" stays. People
    who are not demo logins keep their accounts, even if they joined a demo
    organisation. One audit event records the removal."""
    write_lock(session)  # what is read here decides what is deleted
    slugs, emails, known = demo_slugs(), demo_emails(), _Known.load(session)
    orgs = [o for o in session.exec(select(Organization).where(Organization.slug.in_(slugs)).order_by(Organization.id))
            if known.is_demo_org(session, o)]
    users = [u for u in session.exec(select(User).where(User.email.in_(emails)).order_by(User.id))
             if known.is_demo_user(u)]
    org_names, logins = [o.name for o in orgs], [u.email for u in users]
    org_ids, user_ids = [o.id for o in orgs], [u.id for u in users]
    # Every stored file of those organisations (logos from before files had rows too).
    file_keys = sorted({o.logo_key for o in orgs if o.logo_key} | set(
        session.exec(select(StoredFile.key).where(StoredFile.org_id.in_(org_ids))).all() if org_ids else ()))
    # Core DELETEs, so the database's ON DELETE rules do the cascading; the
    # session then forgets the deleted objects instead of flushing them.
    session.execute(delete(OutgoingMail).where(OutgoingMail.to_address.in_(emails), OutgoingMail.sent_at.is_(None)))
    if org_ids:
        session.execute(delete(Organization).where(Organization.id.in_(org_ids)))
    if user_ids:
        session.execute(delete(User).where(User.id.in_(user_ids)))
    # Demo products go too, unless a real organisation subscribes to one: then it is archived, never deleted.
    products = session.exec(select(Product).where(Product.id.in_(known.product_ids))).all() \
        if known.product_ids else []
    used = set(session.exec(select(Subscription.product_id).where(
        Subscription.product_id.in_([p.id for p in products]))).all()) if products else set()
    gone = [p.id for p in products if p.id not in used]
    if gone:
        session.execute(delete(Product).where(Product.id.in_(gone)))
    if used:
        session.execute(update(Product).where(Product.id.in_(used)).values(active=False))
    session.expunge_all()
    if org_ids:
        _rewind_invoice_numbers(session)
    audit.record(session, "demo.removed", actor_label=CLI_ACTOR, target_type="demo", target_label="demo data",
                 details={"organisations": org_names, "logins": logins})
    session.flush()
    lines = [f"removed demo organisation {name}" for name in org_names] + [f"removed demo login {e}" for e in logins]
    lines += [f"removed {len(gone)} demo products"] if gone else []
    lines += [f"archived {len(used)} demo products still subscribed to"] if used else []
    return Removal(lines or ["no demo data to remove"], file_keys)


def demo_logins(session: Session) -> list[str]:
    """The demo logins a first-time visitor can use right now: those that
    exist, are active and still have the published password."""
    roles = {email: f"owner of {org}" for org, _, email in DEMO_ORGANIZATIONS}
    roles |= {email: f"{role} of {org}" for org, _, email, role in DEMO_MEMBERS}
    roles[DEMO_STAFF_EMAIL] = "back-office admin"
    users = session.exec(select(User).where(User.email.in_(list(roles)), User.is_active == True)).all()  # noqa: E712
    usable = {u.email for u in users if passwords.verify_password(DEMO_PASSWORD, u.password_hash)}
    return [f"{email}  password: {DEMO_PASSWORD}  ({where})" for email, where in roles.items() if email in usable]


def has_admin(session: Session) -> bool:
    """Whether anyone can sign in to the back office as an admin."""
    return session.exec(select(User.id).where(User.staff_role == "admin", User.is_active == True)).first() is not None  # noqa: E712
