"""Quotes: staff draft and send them, the customer reads the terms and
accepts, declines or asks for changes; staff revise (a new version, the
old ones kept). Accepting starts the recurring lines' subscriptions at the
quoted price, makes ONE first invoice and an order of the one-off lines
(`_fulfil`).

Who: staff billing and admins write quotes; every staff member reads them.
On the customer's side owners, admins and billing members (the invoices'
READERS) see their organisation's sent quotes (never a draft) and answer
them; plain members do not see them.

Statuses: draft, sent, changes_requested, accepted, declined. "Expired" is
not stored: a sent quote whose current version's `valid_until` is before
today is expired (shown so, and it cannot be accepted). A version the
customer read that is no longer current is "superseded": accepting it is
refused so that nobody signs what they did not read.

Acceptance: the typed full name, the time (UTC), the client's address (from
the connection, never from the payload), the version and the SHA-256 of
that version's canonical content (`content_hash`) are recorded, with an
optional drawn signature (a small PNG, checked strictly). The claim is a
conditional UPDATE (sent → accepted where the version is still the one
read), so two accepts at once make one invoice and one set of
subscriptions: the second is told it was already accepted."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import struct
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import false, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import Organization, User
from portal_app.models.base import utcnow
from portal_app.models.catalogue import Product
from portal_app.models.quotes import Quote, QuoteLine, QuoteVersion
from portal_app.services import audit, catalogue, invoices, live, money, notifications, orders, subscriptions
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import format_date, format_money
from portal_app.services.invoices import as_id, today
from portal_app.services.numbering import next_number
from portal_app.services.organizations import access_organization
from portal_app.services.principal import Principal, require_role
from portal_app.services.validation import clean_long_text, clean_text

STATUSES = ("draft", "sent", "changes_requested", "accepted", "declined")
STATUS_WORDS = {"draft": "Draft", "sent": "Awaiting your answer", "changes_requested": "Changes requested",
                "accepted": "Accepted", "declined": "Declined", "expired": "Expired"}
STAFF_STATUS_WORDS = {**STATUS_WORDS, "sent": "Sent"}
READERS = invoices.READERS  # customers who see and answer their organisation's quotes
MANAGERS = invoices.MANAGERS  # staff who write them
NOT_FOUND = "Quote not found."
DECLINE_REASONS = {"too_expensive": "Too expensive", "not_needed": "No longer needed",
                   "other_supplier": "Chose another supplier", "timing": "Not the right time", "other": "Other"}
TITLE_MAX = 200
TERMS_MAX = 20_000
NAME_MAX = 200
COMMENT_MAX = 1000
VALID_DAYS_MAX = 3 * 366
SIGNATURE_MAX = 100 * 1024  # bytes of the decoded PNG
SIGNATURE_WIDTH_MAX, SIGNATURE_HEIGHT_MAX = 2000, 1000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LINE_FIELDS = ("product_id", *invoices.LINE_FIELDS)

# Who writes what accepting a quote makes (the first invoice, the subscriptions): not the customer who
# accepted, nor a person at all. No user id, no session.
SYSTEM = Principal(user_id=None, email="Quotes", name="Quotes",  # type: ignore[arg-type]
                   email_verified=True, session_id=None, staff_role="billing")


def label(quote: Quote) -> str:
    """"QUO-2026-0001", or "Draft quote" until it is sent."""
    return quote.number or "Draft quote"


def shown_status(quote: Quote, version: QuoteVersion | None, day: date | None = None) -> str:
    """The status as people see it: a sent quote past its validity is "expired"."""
    if quote.status in ("sent", "changes_requested") and version is not None and \
            version.valid_until < (day or today()):
        return "expired"
    return quote.status


# ---------------------------------------------------------------- who sees what

def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Quote
    """Every quote `principal` may see: staff all; owners, admins and billing
    members their organisation's, drafts never."""
    principal.require_mfa_ready()
    stmt = select(Quote)
    if principal.is_staff:
        return stmt
    by_role = [m.org_id for m in principal.memberships if m.role in READERS]
    if not by_role:
        return stmt.where(false())
    return stmt.where(Quote.status != "draft", Quote.org_id.in_(by_role))


def access_quote(session: Session, principal: Principal, quote_id: object) -> Quote:
    """The quote with that id, if `principal` may see it (else NotFound)."""
    wanted = as_id(quote_id)
    quote = session.exec(visible_to(principal).where(Quote.id == wanted)).first() if wanted else None
    if quote is None:
        raise NotFound(NOT_FOUND)
    return quote


def check_manage(principal: Principal) -> None:
    """Writing quotes: staff billing and admins."""
    principal.require_staff(*MANAGERS)


def _answerable(session: Session, principal: Principal, quote_id: object) -> Quote:
    """A quote its organisation's owners, admins and billing members answer
    (staff answer nothing: this is the customer's path)."""
    if principal.is_staff:
        raise NotFound(NOT_FOUND)
    quote = access_quote(session, principal, quote_id)
    require_role(principal, quote.org_id, *READERS, to="answer quotes", acting=True)
    return quote


def current_version(session: Session, quote: Quote) -> QuoteVersion:
    return session.exec(select(QuoteVersion).where(QuoteVersion.quote_id == quote.id,
                                                   QuoteVersion.number == quote.version)).one()


def lines_of(session: Session, version: QuoteVersion) -> list[QuoteLine]:
    return list(session.exec(select(QuoteLine).where(QuoteLine.version_id == version.id)
                             .order_by(QuoteLine.position, QuoteLine.id)).all())


# ---------------------------------------------------------------- the content and its hash

def content_hash(version: QuoteVersion, lines: list[QuoteLine]) -> str:
    """SHA-256 of a canonical JSON (sorted keys, no spaces) of what the
    customer is asked to accept: lines, terms, validity, totals, currency."""
    content = {
        "currency": version.currency, "terms": version.terms, "valid_until": version.valid_until.isoformat(),
        "subtotal": version.subtotal, "tax": version.tax, "total": version.total,
        "lines": [{"product_id": line.product_id, "description": line.description, "quantity": line.quantity,
                   "unit_price": line.unit_price, "tax_rate": line.tax_rate, "discount": line.discount,
                   "net": line.net, "tax": line.tax} for line in lines],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------- drafting

@dataclass(frozen=True)
class QuoteLineIn:
    line: invoices.LineIn
    product: Product | None


def _product_of(session: Session, row: dict, i: int, currency: str) -> Product | None:
    value = row.get("product_id")
    if value in (None, ""):
        return None
    wanted = as_id(value) if not isinstance(value, str) else (int(value) if value.isdigit() and
                                                               len(value) < 19 else None)
    product = session.get(Product, wanted) if wanted else None
    if product is None or not product.active:
        raise Invalid("Choose an active product of the catalogue.", field=f"line-{i}-product_id")
    if product.currency != currency:
        raise Invalid(f"{product.name} is priced in {product.currency}, the quote in {currency}.",
                      field=f"line-{i}-product_id")
    return product


def clean_lines(session: Session, org_id: int, lines: object, currency: str) -> list[QuoteLineIn]:
    """The lines as typed, as `invoices.clean_lines` checks them, each with
    an optional catalogue product ("product_id"): a product line takes the
    product's name and the organisation's price when those are left empty;
    a recurring product's quantity is a whole number of units."""
    if not isinstance(lines, list | tuple) or not all(isinstance(row, dict) for row in lines):
        raise Invalid("The lines could not be read: reload the page and try again.", field="lines")
    filled = []
    products: dict[int, Product | None] = {}
    for i, row in enumerate(lines, start=1):
        product = _product_of(session, row, i, currency) if len(lines) <= 2 * invoices.LINES_MAX else None
        products[i] = product
        if product is not None:
            row = dict(row)
            if not str(row.get("description", "") or "").strip():
                row["description"] = product.name
            if not str(row.get("unit_price", "") or "").strip():
                row["unit_price"] = money.typed(catalogue.price_for(session, org_id, product), currency)
            if not str(row.get("tax_rate", "") or "").strip():
                row["tax_rate"] = money.typed_rate(product.tax_rate)
        filled.append(row)
    clean = invoices.clean_lines(filled, currency)
    kept = [i for i, row in enumerate(filled, start=1) if not invoices._blank(row)]  # noqa: SLF001 — its rule
    result = []
    for i, line in zip(kept, clean, strict=True):
        product = products[i]
        if product is not None and product.kind == "recurring" and (
                line.quantity % money.QUANTITY_SCALE or line.quantity > subscriptions.QUANTITY_MAX * 1000):
            raise Invalid(f"Line {i}: a subscription's quantity is a whole number of units.",
                          field=f"line-{i}-quantity")
        result.append(QuoteLineIn(line, product))
    return result


def _valid_until(value: object) -> date:
    if not isinstance(value, str) or len(value) > 10:
        raise Invalid("Enter the date the quote is valid until.", field="valid_until")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter the date the quote is valid until.", field="valid_until") from None
    if day < today():
        raise Invalid("The quote must be valid until today or later.", field="valid_until")
    if day > today() + timedelta(days=VALID_DAYS_MAX):
        raise Invalid("A quote can be valid for at most three years.", field="valid_until")
    return day


def _clean_form(session: Session, org_id: int, currency: str, *, title: object, lines: object, terms: object,
                valid_until: object) -> tuple[str, list[QuoteLineIn], str, date]:
    clean_title = clean_text(title, field="title", label="Title", max_length=TITLE_MAX)
    clean_terms = clean_long_text(terms, field="terms", label="Terms", max_length=TERMS_MAX)
    until = _valid_until(valid_until)
    return clean_title, clean_lines(session, org_id, lines, currency), clean_terms, until


def _write_version(session: Session, quote: Quote, version: QuoteVersion, lines: list[QuoteLineIn]) -> None:
    """Replace the version's lines, total them, and hash the whole."""
    for old in session.exec(select(QuoteLine).where(QuoteLine.version_id == version.id)).all():
        session.delete(old)
    session.flush()
    subtotal = tax = 0
    rows = []
    for position, item in enumerate(lines):
        line = item.line
        net, line_tax = line.amounts
        row = QuoteLine(version_id=version.id, position=position, product_id=item.product.id if item.product else None,
                        description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                        tax_rate=line.tax_rate, discount=line.discount, net=net, tax=line_tax)
        session.add(row)
        rows.append(row)
        subtotal, tax = subtotal + net, tax + line_tax
    version.subtotal, version.tax, version.total = subtotal, tax, subtotal + tax
    version.content_hash = content_hash(version, rows)
    session.add(version)
    quote.updated_at = utcnow()
    session.add(quote)


def do_create_draft(session: Session, principal: Principal, org_id: object, *, title: object, lines: object,
                    terms: object, valid_until: object) -> Quote:
    """A draft quote for organisation `org_id`, in its invoicing currency."""
    check_manage(principal)
    org = access_organization(session, principal, org_id, back_office=True)
    currency = invoices.org_currency(org)
    clean_title, clean, clean_terms, until = _clean_form(session, org.id, currency, title=title, lines=lines,
                                                         terms=terms, valid_until=valid_until)
    quote = Quote(org_id=org.id, title=clean_title, currency=currency, created_by_id=principal.user_id)
    session.add(quote)
    session.flush()
    version = QuoteVersion(quote_id=quote.id, number=1, terms=clean_terms, valid_until=until, currency=currency)
    session.add(version)
    session.flush()
    _write_version(session, quote, version, clean)
    _audit(session, "quote.created", principal, quote, total=format_money(version.total, currency))
    changed(session, quote, customers=False)
    session.flush()
    return quote


def staff_quote(session: Session, principal: Principal, quote_id: object, *statuses: str) -> Quote:
    """A quote staff billing and admins may work on, in one of `statuses`."""
    check_manage(principal)
    quote = access_quote(session, principal, quote_id)
    if quote.status not in statuses:
        raise Invalid(f"{label(quote)} is {STAFF_STATUS_WORDS[quote.status].lower()}: it can no longer be changed.")
    return quote


def do_update_draft(session: Session, principal: Principal, quote_id: object, *, title: object, lines: object,
                    terms: object, valid_until: object) -> Quote:
    """Change a draft (nobody outside has seen it: no new version)."""
    quote = staff_quote(session, principal, quote_id, "draft")
    clean_title, clean, clean_terms, until = _clean_form(session, quote.org_id, quote.currency, title=title,
                                                         lines=lines, terms=terms, valid_until=valid_until)
    version = current_version(session, quote)
    quote.title, version.terms, version.valid_until = clean_title, clean_terms, until
    _write_version(session, quote, version, clean)
    _audit(session, "quote.updated", principal, quote, total=format_money(version.total, quote.currency))
    changed(session, quote, customers=False)
    return quote


def do_delete_draft(session: Session, principal: Principal, quote_id: object) -> None:
    """A draft nobody outside has seen can go (its versions and lines with
    it); a sent quote stays, answered or not, for the record."""
    quote = staff_quote(session, principal, quote_id, "draft")
    version = current_version(session, quote)
    _audit(session, "quote.deleted", principal, quote, total=format_money(version.total, quote.currency))
    changed(session, quote, customers=False)
    session.delete(quote)  # its versions and their lines go by the foreign keys' ON DELETE CASCADE
    session.flush()


def do_send(session: Session, principal: Principal, quote_id: object) -> Quote:
    """Give a draft its number and send it to its organisation's billing people."""
    quote = staff_quote(session, principal, quote_id, "draft")
    version = current_version(session, quote)
    if version.valid_until < today():
        raise Invalid("The validity date has passed: choose a later one.", field="valid_until")
    day = today()
    quote.number = f"QUO-{day.year}-{next_number(session, f'quo-{day.year}'):04d}"
    quote.status, quote.sent_at, version.sent_at = "sent", utcnow(), utcnow()
    session.add_all([quote, version])
    _audit(session, "quote.sent", principal, quote, total=format_money(version.total, quote.currency))
    _tell_customers(session, quote, version, "sent")
    changed(session, quote)
    session.flush()
    return quote


def do_revise(session: Session, principal: Principal, quote_id: object, *, title: object, lines: object,
              terms: object, valid_until: object) -> Quote:
    """A new version of a sent quote (after the customer asked for changes,
    or while it waits for an answer): the old versions stay; the quote is
    sent again, and only the new version can be accepted."""
    quote = staff_quote(session, principal, quote_id, "sent", "changes_requested")
    clean_title, clean, clean_terms, until = _clean_form(session, quote.org_id, quote.currency, title=title,
                                                         lines=lines, terms=terms, valid_until=valid_until)
    quote = lock(session, quote)
    if quote.status not in ("sent", "changes_requested"):
        raise Invalid(f"{label(quote)} has been answered meanwhile: it can no longer be revised.")
    version = QuoteVersion(quote_id=quote.id, number=quote.version + 1, terms=clean_terms, valid_until=until,
                           currency=quote.currency, sent_at=utcnow())
    session.add(version)
    session.flush()
    quote.title, quote.version, quote.status, quote.sent_at = clean_title, version.number, "sent", utcnow()
    _write_version(session, quote, version, clean)
    _audit(session, "quote.revised", principal, quote, version=version.number,
           total=format_money(version.total, quote.currency))
    _tell_customers(session, quote, version, "revised")
    changed(session, quote)
    session.flush()
    return quote


def lock(session: Session, quote: Quote) -> Quote:
    """Hold the quote's row until the action commits and read it afresh."""
    session.refresh(quote, with_for_update=True)
    return quote


# ---------------------------------------------------------------- the customer's answers

def check_signature(value: object) -> bytes | None:
    """A drawn signature as the page sends it (a PNG data URL), decoded and
    checked: a real PNG (by its bytes, and as the image library reads it) of
    at most 100 KB and sane size. "" or None: no signature."""
    if value in (None, ""):
        return None
    bad = Invalid("The signature could not be read: clear it and draw it again.", field="signature")
    prefix = "data:image/png;base64,"
    if not isinstance(value, str) or not value.startswith(prefix) or len(value) > SIGNATURE_MAX * 4 // 3 + 100:
        raise bad
    try:
        data = base64.b64decode(value[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(data) > SIGNATURE_MAX:
        raise Invalid("The signature is too large: clear it and draw it again.", field="signature")
    if not data.startswith(PNG_MAGIC) or len(data) < 33 or data[12:16] != b"IHDR":
        raise bad
    width, height = struct.unpack(">II", data[16:24])
    if not (1 <= width <= SIGNATURE_WIDTH_MAX and 1 <= height <= SIGNATURE_HEIGHT_MAX):
        raise bad
    from PIL import Image  # fpdf2's own dependency

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise bad
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 — any decoding failure is a bad signature
        raise bad from None
    return data


def _version_number(value: object) -> int:
    if isinstance(value, str) and value.isdigit() and len(value) < 7:
        return int(value)
    if type(value) is int and 0 < value < 10**6:  # noqa: E721
        return value
    raise Invalid("Reload the page: the quote could not be read.", field="version")


def _open_for_answer(session: Session, quote: Quote, *, accepting: bool) -> QuoteVersion:
    if quote.status == "accepted":
        raise Invalid(f"{label(quote)} has already been accepted.")
    if quote.status == "declined":
        raise Invalid(f"{label(quote)} has been declined: it can no longer be answered.")
    if quote.status == "changes_requested":
        raise Invalid(f"You asked for changes to {label(quote)}: wait for the revised version.")
    version = current_version(session, quote)
    if accepting and version.valid_until < today():
        raise Invalid(f"{label(quote)} has expired (it was valid until {format_date(version.valid_until)}): "
                      "ask us for a new one.")
    return version


def do_accept(session: Session, principal: Principal, quote_id: object, *, version: object, full_name: object,
              agree: object, signature: object = None, ip: str | None = None) -> Quote:
    """Accept version `version` (the one the customer read) of a sent quote:
    record who, when, from where and the content's hash, then fulfil it.
    `ip` is the connection's address (the caller reads it; never the payload)."""
    quote = _answerable(session, principal, quote_id)
    seen = _version_number(version)
    current = _open_for_answer(session, quote, accepting=False)
    if seen != quote.version:
        raise Invalid(f"{label(quote)} has been superseded by version {quote.version}: read the new version "
                      "before you accept it.", field="version")
    if current.valid_until < today():
        raise Invalid(f"{label(quote)} has expired (it was valid until {format_date(current.valid_until)}): "
                      "ask us for a new one.")
    name = clean_text(full_name, field="full_name", label="Full name", max_length=NAME_MAX)
    if agree is not True:
        raise Invalid("Tick the box to confirm that you have read and accept the terms.", field="agree")
    drawn = check_signature(signature)
    if quote.currency != invoices.org_currency(session.get(Organization, quote.org_id)):
        raise Invalid(f"{label(quote)} is in {quote.currency}, which you are no longer invoiced in: "
                      "ask us for a new quote.")
    now = utcnow()
    address = (principal.ip if ip is None else ip or "")[:64]
    claimed = session.execute(
        update(Quote).where(Quote.id == quote.id, Quote.status == "sent", Quote.version == seen)
        .values(status="accepted", accepted_name=name, accepted_at=now, accepted_ip=address,
                accepted_hash=current.content_hash, accepted_version=seen, accepted_by_id=principal.user_id,
                signature_png=drawn, answered_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Invalid(f"{label(quote)} has already been answered: reload the page.")
    session.refresh(quote)
    invoice = _fulfil(session, quote, current)
    quote.invoice_id = invoice.id
    session.add(quote)
    _audit(session, "quote.accepted", principal, quote, name=name, version=seen, hash=current.content_hash,
           total=format_money(current.total, quote.currency))
    _tell_staff(session, quote, "accepted", f"accepted by {name}")
    changed(session, quote)
    session.flush()
    return quote


def _fulfil(session: Session, quote: Quote, version: QuoteVersion) -> invoices.Invoice:
    """What accepting makes, in the accepting transaction: each recurring
    catalogue line starts a subscription at the quoted price (less the
    line's discount); ONE first invoice carries every line (the one-off
    lines, and the first period of the recurring ones at the quoted figures,
    so its total is the quote's), made and issued by SYSTEM; and the one-off
    lines become one confirmed order, linked to that invoice, which staff
    ship and deliver (stock is taken: short stock refuses the acceptance,
    and nothing of it is kept). Returns the invoice."""
    org = session.get(Organization, quote.org_id)
    lines = lines_of(session, version)
    invoice_lines = []
    one_off: list[QuoteLine] = []
    for line in lines:
        product = session.get(Product, line.product_id) if line.product_id else None
        description = line.description
        if product is not None and product.kind == "recurring" and product.interval in ("month", "year"):
            price = catalogue.discounted(line.unit_price, line.discount)
            sub = subscriptions.start(session, SYSTEM, org, product, line.quantity // money.QUANTITY_SCALE,
                                      price, invoice=False, quote_id=quote.id)
            description = f"{line.description} — {subscriptions.period_words(sub)}"
        else:
            one_off.append(line)
        invoice_lines.append({"description": description[:invoices.DESCRIPTION_MAX],
                              "quantity": money.typed_quantity(line.quantity),
                              "unit_price": money.typed(line.unit_price, quote.currency),
                              "tax_rate": money.typed_rate(line.tax_rate),
                              "discount": money.typed_rate(line.discount)})
    draft = invoices.do_create_draft(session, SYSTEM, quote.org_id, lines=invoice_lines,
                                     memo=f"Quote {label(quote)}, version {version.number}, accepted.")
    invoice = invoices.do_issue(session, SYSTEM, draft.id)
    if one_off:  # what is delivered once becomes a confirmed order the customer follows to delivery
        orders.create_from_quote(session, quote.org_id, [
            {"product_id": line.product_id, "description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price, "tax_rate": line.tax_rate, "discount": line.discount}
            for line in one_off], quote_id=quote.id, invoice_id=invoice.id, actor=None)
    return invoice


def do_decline(session: Session, principal: Principal, quote_id: object, *, reason: object,
               comment: object = "") -> Quote:
    """Decline a sent quote, with a reason from DECLINE_REASONS and an optional comment."""
    quote = _answerable(session, principal, quote_id)
    _open_for_answer(session, quote, accepting=False)
    if not isinstance(reason, str) or reason not in DECLINE_REASONS:
        raise Invalid("Choose a reason.", field="reason")
    words = clean_long_text(comment, field="comment", label="Comment", max_length=COMMENT_MAX, required=False)
    quote = lock(session, quote)
    _open_for_answer(session, quote, accepting=False)
    quote.status, quote.decline_reason, quote.decline_comment = "declined", reason, words
    quote.answered_at = quote.updated_at = utcnow()
    session.add(quote)
    _audit(session, "quote.declined", principal, quote, reason=DECLINE_REASONS[reason], comment=words)
    _tell_staff(session, quote, "declined", f"declined ({DECLINE_REASONS[reason]})")
    changed(session, quote)
    return quote


def do_request_changes(session: Session, principal: Principal, quote_id: object, *, comment: object) -> Quote:
    """Ask for changes to the current version (a comment is required); staff revise."""
    quote = _answerable(session, principal, quote_id)
    _open_for_answer(session, quote, accepting=False)
    words = clean_long_text(comment, field="changes", label="What should change", max_length=COMMENT_MAX)
    quote = lock(session, quote)
    version = _open_for_answer(session, quote, accepting=False)
    version.change_request = words
    quote.status, quote.updated_at = "changes_requested", utcnow()
    session.add_all([quote, version])
    _audit(session, "quote.changes_requested", principal, quote, comment=words)
    _tell_staff(session, quote, "changes", "changes asked for")
    changed(session, quote)
    return quote


# ---------------------------------------------------------------- who hears of it

def _audit(session: Session, action: str, principal: Principal, quote: Quote, **details: object) -> None:
    audit.record(session, action, actor=principal, org_id=quote.org_id, target_type="quote", target_id=quote.id,
                 target_label=label(quote), details=details)


def target(quote: Quote) -> notifications.Target:
    return notifications.Target(routes.quote_path(quote.id), quote.org_id)


def _tell_customers(session: Session, quote: Quote, version: QuoteVersion, what: str) -> None:
    people = session.exec(select(invoices.Membership.user_id).where(
        invoices.Membership.org_id == quote.org_id, invoices.Membership.role.in_(READERS))).all()
    notifications.notify(session, sorted(set(people)), notifications.EVENTS["quote_sent"], target(quote),
                         facts={"quote": label(quote), "what": what, "title": quote.title,
                                "total": format_money(version.total, quote.currency),
                                "until": format_date(version.valid_until)})


def _tell_staff(session: Session, quote: Quote, _kind: str, answer: str) -> None:
    staff = session.exec(select(User.id).where(User.staff_role.in_(MANAGERS), User.is_active)).all()
    org = session.get(Organization, quote.org_id)
    notifications.notify(session, list(staff), notifications.EVENTS["quote_answered"],
                         notifications.Target(routes.quote_path(quote.id)),
                         facts={"quote": label(quote), "org": org.name if org else "", "answer": answer,
                                "title": quote.title})


def changed(session: Session, quote: Quote, *, customers: bool = True) -> None:
    keys = [live.staff_key("quotes")]
    if customers:
        keys.append(live.org_key(quote.org_id, "quotes"))
    live.changed(session, *keys)
