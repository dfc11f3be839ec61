"""Invoices and credit notes: who sees them, drafting, issuing, voiding,
crediting, and the status that follows from what was paid.

Staff with the billing or admin role write them; every staff member may
read them (an agent answering "what is this charge?" needs to). On the
customer's side owners, admins and billing members see their
organisation's invoices, plain members only where the organisation allows
it (`invoices_open_to_members`); nobody on that side ever sees a draft.

The status follows from the figures (`settle`): paid once the balance is
nil, overdue once the due date has passed with something still owed,
partially paid once something came in, otherwise open. A void invoice is
settled for good. Payments are recorded in `services/payments.py`; lists,
the balance summary and the statement are in `invoice_lists.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import false, or_
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import Invoice, InvoiceLine, Membership, Organization
from portal_app.models.catalogue import Subscription
from portal_app.models.base import utcnow
from portal_app.services import audit, live, money, notifications
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import current_zone, format_date, format_money
from portal_app.services.numbering import next_number
from portal_app.services.organizations import access_organization
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_long_text, clean_text
from portal_app.settings import get_settings

STATUSES = ("draft", "open", "partially_paid", "overdue", "paid", "void")
UNPAID = ("open", "partially_paid", "overdue")  # issued and still owed
STATUS_WORDS = {"draft": "Draft", "open": "Open", "partially_paid": "Partially paid", "overdue": "Overdue",
                "paid": "Paid", "void": "Void", "issued": "Issued"}
READERS = ("owner", "admin", "billing")  # of an organisation's invoices (members only where it allows)
MANAGERS = ("admin", "billing")  # staff who write invoices and record payments
NOT_FOUND = "Invoice not found."
LINES_MAX = 100
DESCRIPTION_MAX = 500
MEMO_MAX = 2000
REASON_MAX = 500
LINE_FIELDS = ("description", "quantity", "unit_price", "tax_rate", "discount")


def today() -> date:
    """Today where the business is (PORTAL_TIMEZONE): the day an invoice is
    issued on and the day its due date is compared with."""
    return datetime.now(current_zone()).date()


def org_currency(org: Organization) -> str:
    """The currency of the organisation's invoices."""
    return org.currency or get_settings().currency


def label(invoice: Invoice) -> str:
    """"INV-2026-0042", or what a draft is called until it has a number."""
    if invoice.number:
        return invoice.number
    return "Draft credit note" if invoice.kind == "credit_note" else "Draft invoice"


def balance(invoice: Invoice) -> int:
    """What is still owed on it (never below nil)."""
    return max(0, invoice.total - invoice.paid - invoice.credited) if invoice.kind == "invoice" else 0


# ---------------------------------------------------------------- who sees what

def reader_orgs(principal: Principal) -> tuple[list[int], list[int]]:
    """(organisations whose invoices the person reads by role, organisations
    where they are a plain member: theirs only where it allows members)."""
    by_role = [m.org_id for m in principal.memberships if m.role in READERS]
    members = [m.org_id for m in principal.memberships if m.role not in READERS]
    return by_role, members


def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Invoice
    """Every invoice and credit note `principal` may see (the one filter every reader uses)."""
    principal.require_mfa_ready()
    stmt = select(Invoice)
    if principal.is_staff:
        return stmt
    by_role, members = reader_orgs(principal)
    if not by_role and not members:
        return stmt.where(false())
    open_orgs = select(Organization.id).where(Organization.id.in_(members), Organization.invoices_open_to_members)
    return stmt.where(Invoice.status != "draft", or_(Invoice.org_id.in_(by_role), Invoice.org_id.in_(open_orgs)))


def as_id(value: object) -> int | None:
    """An id as an int (states read a client's text with `event_id`): anything else is None."""
    if type(value) is int:  # noqa: E721 — True is an int too
        return value if 0 < value < 2**63 else None
    return None


def access_invoice(session: Session, principal: Principal, invoice_id: object) -> Invoice:
    """The invoice (or credit note) with that id, if `principal` may see it."""
    wanted = as_id(invoice_id)
    invoice = session.exec(visible_to(principal).where(Invoice.id == wanted)).first() if wanted else None
    if invoice is None:
        raise NotFound(NOT_FOUND)
    return invoice


def lock(session: Session, invoice: Invoice) -> Invoice:
    """Hold the invoice's row until the action commits and read its figures
    afresh: two people moving money on one invoice at once (a staff payment
    and a card payment, two refunds) take turns, so the second sees what the
    first did and no balance is paid twice. On SQLite the database's write
    lock already makes writers take turns."""
    session.refresh(invoice, with_for_update=True)
    return invoice


def check_manage(principal: Principal) -> None:
    """Writing invoices and recording payments: staff billing and admins."""
    principal.require_staff(*MANAGERS)


def check_read_org(session: Session, principal: Principal, org_id: object) -> None:
    """A customer reading their organisation's invoices: owners, admins and
    billing members; plain members where the organisation allows it."""
    role = require_role(principal, org_id, *ROLES, to="see invoices")
    if role not in READERS and not members_may_read(session, org_id):
        require_role(principal, org_id, *READERS, to="see invoices")


def members_may_read(session: Session, org_id: int) -> bool:
    """Whether the organisation lets plain members see its invoices."""
    return bool(session.exec(select(Organization.invoices_open_to_members).where(Organization.id == org_id)).first())


def check_share(principal: Principal, org_id: object) -> None:
    """Letting plain members see the invoices: owners and admins."""
    require_role(principal, org_id, "owner", "admin", to="choose who sees invoices", acting=True)


def set_open_to_members(session: Session, principal: Principal, org_id: object, *, value: object) -> None:
    """Owners and admins let every member see the invoices (or only owners,
    admins and billing members)."""
    check_share(principal, org_id)
    if not isinstance(value, bool):
        raise Invalid("Choose yes or no.", field="invoices_open_to_members")
    org = session.get(Organization, org_id)
    if org.invoices_open_to_members == value:
        return
    org.invoices_open_to_members = value
    session.add(org)
    audit.record(session, "org.invoices_shared", actor=principal, org_id=org_id, target_type="organization",
                 target_id=org_id, target_label=org.name, details={"members": value})
    live.changed(session, live.org_key(org_id, "invoices"))


# ---------------------------------------------------------------- drafting

@dataclass(frozen=True)
class LineIn:
    """One line as checked, with its rounded amounts."""

    description: str
    quantity: int
    unit_price: int
    tax_rate: int
    discount: int

    @property
    def amounts(self) -> tuple[int, int]:
        return money.line_amounts(self.quantity, self.unit_price, self.tax_rate, self.discount)


def _blank(row: dict) -> bool:
    """A row with neither a description nor a price is an empty row of the
    form (its quantity may still say 1): dropped, not an error."""
    return all(not str(row.get(name, "") or "").strip() for name in ("description", "unit_price"))


def clean_lines(lines: object, currency: str) -> list[LineIn]:
    """The lines as typed (a list of {"description", "quantity",
    "unit_price", "tax_rate", "discount"}), checked; wholly blank rows are
    dropped. Errors name the row's field as the form numbers its rows
    ("line-2-unit_price"), empty rows counted."""
    if not isinstance(lines, list | tuple) or not all(isinstance(row, dict) for row in lines):
        raise Invalid("The lines could not be read: reload the page and try again.", field="lines")
    rows = [(i, row) for i, row in enumerate(lines, start=1) if not _blank(row)]
    if not rows:
        raise Invalid("Add at least one line.", field="lines")
    if len(rows) > LINES_MAX or len(lines) > 2 * LINES_MAX:
        raise Invalid(f"An invoice can have at most {LINES_MAX} lines.", field="lines")
    return [_clean_line(row, i, currency) for i, row in rows]


def _clean_line(row: dict, i: int, currency: str) -> LineIn:
    field = lambda name: f"line-{i}-{name}"  # noqa: E731
    quantity = row.get("quantity")
    return LineIn(
        description=clean_text(row.get("description"), field=field("description"), label=f"Line {i}: description",
                               max_length=DESCRIPTION_MAX),
        quantity=money.parse_quantity("1" if quantity in (None, "") else quantity, field=field("quantity"),
                                      label=f"Line {i}: quantity"),
        unit_price=money.parse_amount(row.get("unit_price"), currency, field=field("unit_price"),
                                      label=f"Line {i}: unit price", allow_zero=True),
        tax_rate=money.parse_rate(row.get("tax_rate", ""), field=field("tax_rate"), label=f"Line {i}: tax rate"),
        discount=money.parse_rate(row.get("discount", ""), field=field("discount"), label=f"Line {i}: discount"),
    )


def _due_date(value: object) -> date | None:
    """A due date as a date input sends it ("2026-12-31"), or None for the default."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 10:
        raise Invalid("Enter the due date as a date.", field="due_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter the due date as a date.", field="due_date") from None


def _write_lines(session: Session, invoice: Invoice, lines: list[LineIn]) -> None:
    """Replace the invoice's lines and total them (each line rounded on its own)."""
    for old in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all():
        session.delete(old)
    subtotal = tax = 0
    for position, line in enumerate(lines):
        net, line_tax = line.amounts
        session.add(InvoiceLine(invoice_id=invoice.id, position=position, description=line.description,
                                quantity=line.quantity, unit_price=line.unit_price, tax_rate=line.tax_rate,
                                discount=line.discount, net=net, tax=line_tax))
        subtotal, tax = subtotal + net, tax + line_tax
    invoice.subtotal, invoice.tax, invoice.total = subtotal, tax, subtotal + tax


def set_currency(session: Session, principal: Principal, org: Organization, currency: object) -> str:
    """Change the currency an organisation is invoiced in (staff billing and
    admins), while nothing is owed in the old one (its balance and
    statement count one currency) and no service of it still renews at a
    price in the old one."""
    check_manage(principal)
    code = money.check_currency(currency)
    old = org_currency(org)
    if code == old:
        return code
    owed = session.exec(select(Invoice.id).where(Invoice.org_id == org.id, Invoice.kind == "invoice",
                                                 Invoice.status.in_(UNPAID))).first()
    if owed is not None:
        raise Invalid(f"{org.name} still owes invoices in {old}: settle or credit them before changing "
                      "its currency.", field="currency")
    running = session.exec(select(Subscription.id).where(Subscription.org_id == org.id,
                                                         Subscription.status != "cancelled")).first()
    if running is not None:  # its renewals are invoiced in the price agreed, in the old currency
        raise Invalid(f"{org.name} has services billed in {old}: end them before changing its currency.",
                      field="currency")
    org.currency = code
    session.add(org)
    audit.record(session, "org.currency_changed", actor=principal, org_id=org.id, target_type="organization",
                 target_id=org.id, target_label=org.name, details={"from": old, "to": code})
    live.changed(session, live.org_key(org.id, "invoices"))
    return code


def do_create_draft(session: Session, principal: Principal, org_id: object, *, lines: object, memo: object = "",
                    due_date: object = None, currency: object = "") -> Invoice:
    """A draft invoice for organisation `org_id`, in its currency (or in
    `currency`, which becomes the organisation's: see `set_currency`).
    Customers do not see it until it is issued."""
    check_manage(principal)
    org = access_organization(session, principal, org_id, back_office=True)
    currency = set_currency(session, principal, org, currency) if currency not in ("", None) else org_currency(org)
    clean = clean_lines(lines, currency)
    clean_memo = clean_long_text(memo, field="memo", label="Note", max_length=MEMO_MAX, required=False)
    invoice = Invoice(org_id=org.id, currency=currency, memo=clean_memo, due_date=_due_date(due_date),
                      created_by_id=principal.user_id)
    session.add(invoice)
    session.flush()
    _write_lines(session, invoice, clean)
    audit.record(session, "invoice.created", actor=principal, org_id=org.id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice),
                 details={"total": format_money(invoice.total, currency)})
    changed(session, invoice, customers=False)
    session.flush()
    return invoice


def _draft(session: Session, principal: Principal, invoice_id: object) -> Invoice:
    check_manage(principal)
    invoice = access_invoice(session, principal, invoice_id)
    if invoice.status != "draft":
        raise Invalid(f"{label(invoice)} has been issued: it can no longer be changed. "
                      "Issue a credit note or void it instead.")
    return invoice


def do_update_draft(session: Session, principal: Principal, invoice_id: object, *, lines: object,
                    memo: object = "", due_date: object = None) -> Invoice:
    """Change a draft's lines, note and due date."""
    invoice = _draft(session, principal, invoice_id)
    clean = clean_lines(lines, invoice.currency)
    invoice.memo = clean_long_text(memo, field="memo", label="Note", max_length=MEMO_MAX, required=False)
    invoice.due_date = _due_date(due_date)
    _write_lines(session, invoice, clean)
    session.add(invoice)
    audit.record(session, "invoice.updated", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice),
                 details={"total": format_money(invoice.total, invoice.currency)})
    changed(session, invoice, customers=False)
    return invoice


def do_delete_draft(session: Session, principal: Principal, invoice_id: object) -> None:
    """A draft that was never issued can go; an issued invoice is voided instead."""
    invoice = _draft(session, principal, invoice_id)
    audit.record(session, "invoice.deleted", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice),
                 details={"total": format_money(invoice.total, invoice.currency)})
    changed(session, invoice, customers=False)
    session.delete(invoice)


# ---------------------------------------------------------------- issuing, voiding, crediting

def _number(session: Session, kind: str, day: date) -> str:
    """The next number of its kind and year: INV-2026-0042, CN-2026-0003.
    Gap-free and never given twice, however many issue at once."""
    prefix = "CN" if kind == "credit_note" else "INV"
    return f"{prefix}-{day.year}-{next_number(session, f'{prefix.lower()}-{day.year}'):04d}"


def do_issue(session: Session, principal: Principal, invoice_id: object) -> Invoice:
    """Give a draft its number and send it: its organisation's billing
    people are told, and it shows in their lists."""
    invoice = _draft(session, principal, invoice_id)
    day = today()
    due = invoice.due_date or day + timedelta(days=get_settings().invoice_due_days)
    if due < day:
        raise Invalid("The due date has passed: choose a later one or leave it empty.", field="due_date")
    invoice.number, invoice.issue_date, invoice.due_date = _number(session, invoice.kind, day), day, due
    invoice.issued_at, invoice.status = utcnow(), "open"
    settle(invoice, day)
    session.add(invoice)
    audit.record(session, "invoice.issued", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice),
                 details={"total": format_money(invoice.total, invoice.currency)})
    tell(session, invoice, "invoice_issued", amount=format_money(invoice.total, invoice.currency))
    changed(session, invoice)
    session.flush()
    return invoice


def do_void(session: Session, principal: Principal, invoice_id: object, *, reason: object) -> Invoice:
    """Cancel an issued invoice that nothing was paid or credited on (its
    number stays used: the sequence has no gaps)."""
    check_manage(principal)
    invoice = lock(session, access_invoice(session, principal, invoice_id))
    why = clean_text(reason, field="reason", label="Reason", max_length=REASON_MAX)
    if invoice.kind != "invoice" or invoice.status not in UNPAID:
        raise Invalid(f"{label(invoice)} cannot be voided: only an issued, unpaid invoice can.")
    if invoice.paid or invoice.credited:
        raise Invalid(f"{label(invoice)} has payments or credits against it: refund or credit it instead.")
    invoice.status, invoice.voided_at, invoice.void_reason = "void", utcnow(), why
    session.add(invoice)
    audit.record(session, "invoice.voided", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice), details={"reason": why})
    tell(session, invoice, "invoice_voided", reason=why)
    changed(session, invoice)
    return invoice


def do_credit(session: Session, principal: Principal, invoice_id: object, *, amount: object,
              reason: object) -> Invoice:
    """Issue a credit note against an unpaid invoice for up to its balance:
    `amount` is what comes off (tax included), split into net and tax in the
    invoice's own proportion. Returns the credit note."""
    check_manage(principal)
    invoice = lock(session, access_invoice(session, principal, invoice_id))
    if invoice.kind != "invoice" or invoice.status not in UNPAID:
        raise Invalid(f"{label(invoice)} cannot be credited: only an issued, unpaid invoice can.")
    credit = money.parse_amount(amount, invoice.currency)
    why = clean_text(reason, field="reason", label="Reason", max_length=REASON_MAX)
    if credit > balance(invoice):
        raise Invalid(f"The credit cannot be more than the balance due, "
                      f"{format_money(balance(invoice), invoice.currency)}.", field="amount")
    tax = money.divide_half_up(credit * invoice.tax, invoice.total) if invoice.total else 0
    day = today()
    note = Invoice(org_id=invoice.org_id, kind="credit_note", status="issued", currency=invoice.currency,
                   credit_for_id=invoice.id, number=_number(session, "credit_note", day), issue_date=day,
                   subtotal=credit - tax, tax=tax, total=credit, memo=why, created_by_id=principal.user_id,
                   issued_at=utcnow())
    session.add(note)
    session.flush()
    session.add(InvoiceLine(invoice_id=note.id, description=f"Credit for {label(invoice)}: {why}"[:DESCRIPTION_MAX],
                            quantity=money.QUANTITY_SCALE, unit_price=credit - tax, net=credit - tax, tax=tax,
                            tax_rate=0))
    invoice.credited += credit
    settle(invoice, day)
    session.add(invoice)
    audit.record(session, "invoice.credited", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=label(invoice),
                 details={"credit_note": note.number, "amount": format_money(credit, invoice.currency),
                          "reason": why})
    tell(session, invoice, "invoice_credited", amount=format_money(credit, invoice.currency))
    changed(session, invoice)
    return note


def settle(invoice: Invoice, day: date) -> None:
    """Set an issued invoice's status from its figures on `day`."""
    if invoice.kind != "invoice" or invoice.status in ("draft", "void"):
        return
    if balance(invoice) == 0:
        invoice.status = "paid"
    elif invoice.due_date is not None and invoice.due_date < day:
        invoice.status = "overdue"
    elif invoice.paid or invoice.credited:
        invoice.status = "partially_paid"
    else:
        invoice.status = "open"


# ---------------------------------------------------------------- who hears of it

def billing_people(session: Session, org_id: int) -> list[int]:
    """Who hears of an organisation's invoices: its owners, admins and
    billing members, and every member where it lets members see them."""
    stmt = select(Membership.user_id).where(Membership.org_id == org_id)
    if not members_may_read(session, org_id):
        stmt = stmt.where(Membership.role.in_(READERS))
    return sorted(set(session.exec(stmt).all()))


def target(invoice: Invoice) -> notifications.Target:
    return notifications.Target(routes.invoice_path(invoice.id), invoice.org_id)


def tell(session: Session, invoice: Invoice, event: str, **facts: object) -> None:
    """Notify the organisation's billing people of `event` on the invoice."""
    notifications.notify(session, billing_people(session, invoice.org_id), notifications.EVENTS[event],
                         target(invoice), facts={"invoice": label(invoice), **facts})


def changed(session: Session, invoice: Invoice, *, customers: bool = True) -> None:
    """Open pages showing the invoice reload once the action commits: its own
    page, the staff's list and (unless it is a draft nobody outside sees)
    the organisation's list and dashboard. Only ids travel."""
    keys = [live.staff_key("invoices"), live.invoice_key(invoice.id)]
    if customers:
        keys.append(live.org_key(invoice.org_id, "invoices"))
    live.changed(session, *keys)




# ---------------------------------------------------------------- reading one

@dataclass(frozen=True)
class LineView:
    description: str
    quantity: str
    unit_price: str
    tax_rate: str
    discount: str
    net: str


@dataclass(frozen=True)
class PaymentView:
    kind: str
    when: str
    method: str
    reference: str
    amount: str


@dataclass(frozen=True)
class InvoiceView:
    """One invoice or credit note as its page and PDF show it: every figure
    already formatted, every text plain (shown as text, never markup)."""

    id: int
    org_id: int
    org_name: str
    kind: str
    label: str
    status: str
    status_word: str
    currency: str
    issued: str
    due: str
    memo: str
    void_reason: str
    lines: list[LineView]
    subtotal: str
    tax: str
    total: str
    paid: str
    credited: str
    balance: str
    balance_minor: int
    paid_minor: int
    payments: list[PaymentView]
    related: list[tuple[int, str, str]]  # (id, label, total): its credit notes, or the invoice a note credits
    bank_details: str  # how to pay by transfer ("" when nothing is owed or none are set)
    may_manage: bool  # staff billing or admin: the staff's actions show


def invoice_view(session: Session, principal: Principal, invoice_id: object) -> InvoiceView:
    """Everything the invoice's page shows, for whoever may see it."""
    from portal_app.services.payments import METHODS, payments_of  # payments builds on this module

    invoice = access_invoice(session, principal, invoice_id)
    org = session.get(Organization, invoice.org_id)
    money_of = lambda amount: format_money(amount, invoice.currency)  # noqa: E731
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                         .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    related_stmt = (select(Invoice).where(Invoice.credit_for_id == invoice.id) if invoice.kind == "invoice"
                    else select(Invoice).where(Invoice.id == invoice.credit_for_id))
    related = session.exec(related_stmt.where(Invoice.id.in_(visible_to(principal).with_only_columns(Invoice.id)))
                           .order_by(Invoice.id)).all()
    due = balance(invoice)
    instructions = get_settings().bank_details if due and invoice.status in UNPAID else ""
    return InvoiceView(
        id=invoice.id, org_id=invoice.org_id, org_name=org.name if org else "", kind=invoice.kind,
        label=label(invoice), status=invoice.status,
        status_word="Credit note" if invoice.kind == "credit_note" and invoice.status == "issued"
        else STATUS_WORDS[invoice.status],
        currency=invoice.currency,
        issued=format_date(invoice.issue_date) if invoice.issue_date else "",
        due=format_date(invoice.due_date) if invoice.due_date else "", memo=invoice.memo,
        void_reason=invoice.void_reason,
        lines=[LineView(line.description, money.typed_quantity(line.quantity), money_of(line.unit_price),
                        f"{money.typed_rate(line.tax_rate)} %", f"{money.typed_rate(line.discount)} %"
                        if line.discount else "", money_of(line.net)) for line in lines],
        subtotal=money_of(invoice.subtotal), tax=money_of(invoice.tax), total=money_of(invoice.total),
        paid=money_of(invoice.paid), credited=money_of(invoice.credited), balance=money_of(due), balance_minor=due,
        paid_minor=invoice.paid,
        payments=[PaymentView("Refund" if p.kind == "refund" else "Payment", format_date(p.received_on),
                              METHODS.get(p.method, p.method), p.reference, money_of(p.amount))
                  for p in payments_of(session, invoice)],
        related=[(r.id, label(r), format_money(r.total, r.currency)) for r in related],
        bank_details=instructions,
        may_manage=principal.staff_role in MANAGERS,
    )


@dataclass(frozen=True)
class DraftView:
    """A draft as the staff's editor fills its form: values as typed."""

    id: int
    org_id: int
    org_name: str
    currency: str
    memo: str
    due_date: str
    lines: list[dict[str, str]]


def draft_view(session: Session, principal: Principal, invoice_id: object) -> DraftView:
    invoice = _draft(session, principal, invoice_id)
    org = session.get(Organization, invoice.org_id)
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                         .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    return DraftView(
        id=invoice.id, org_id=invoice.org_id, org_name=org.name, currency=invoice.currency, memo=invoice.memo,
        due_date=invoice.due_date.isoformat() if invoice.due_date else "",
        lines=[{"description": line.description, "quantity": money.typed_quantity(line.quantity),
                "unit_price": money.typed(line.unit_price, invoice.currency),
                "tax_rate": money.typed_rate(line.tax_rate), "discount": money.typed_rate(line.discount)}
               for line in lines])
