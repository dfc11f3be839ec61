"""Paying an invoice by card, with a card saved at Stripe (services/cards.py).

`pay_invoice` charges the invoice's balance due, in its currency, read on
the server: whatever a page sends, only the invoice id and the choice of a
saved card come from it.

**Charging once.** Before Stripe is called, a `PaymentAttempt` row with the
invoice's next attempt number is inserted and flushed: the pair (invoice,
attempt) is unique, so of two requests racing to pay one invoice (a double
click, two tabs, a retried request) the second fails on that row (on
PostgreSQL it waits for the first to finish, then fails) and never reaches
Stripe. An attempt still open (pending, requires_action, processing) also
refuses a new one with a message saying why. Stripe gets an idempotency key
made of the instance, the invoice and the attempt number, so a request
retried after an unknown outcome (the portal lost the connection and rolled
back) asks Stripe the same question again and gets the same PaymentIntent,
not a second charge. (localstripe ignores idempotency keys: the tests prove
our own guard.)

**Recording the money: when Stripe says "succeeded", now.** A PaymentIntent
that comes back `succeeded` from the API (our secret key, over TLS) is as
sure as the webhook that will follow, so the payment is recorded at once
through `payments._apply` (method "card", reference = the PaymentIntent id)
in the payer's transaction, and the customer sees the invoice paid. A
`processing` intent is left for the webhook; a `requires_action` one (3-D
Secure) returns its client secret for the page to finish with Stripe.js,
then `confirm_after_action` re-reads the intent from Stripe. Whoever gets
there first records it (`record_success`, which the webhook slice calls
too): the attempt moves to succeeded with a conditional UPDATE, so a second
caller does nothing, and `Payment.stripe_payment_intent_id` is unique, so a
charge can never be recorded twice even by two transactions at once.

A declined card leaves the attempt "failed" with the bank's message and
nothing on the invoice; that is an answer (`Outcome`), not an error, so
the failed attempt and its audit event are kept."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.integrations import stripe_gateway as gateway
from portal_app.models import Invoice, Payment, PaymentAttempt
from portal_app.models.base import utcnow
from portal_app.services import audit, cards, invoices, payments
from portal_app.services.errors import Invalid, NotFound, PaymentInProgress
from portal_app.services.formatting import format_money
from portal_app.services.principal import Principal
from portal_app.settings import get_settings

OPEN = ("pending", "requires_action", "processing")  # an attempt still under way
IN_PROGRESS = {
    "pending": "A payment for this invoice is already being made. Wait a moment, then reload the page.",
    "requires_action": "A payment for this invoice is waiting for your bank's confirmation: finish it first.",
    "processing": "A payment for this invoice is being processed: it will show here once the bank confirms it.",
}
MESSAGE_MAX = 500
ALREADY = "Recorded already."  # settle_intent: an event about an attempt that has its answer
MISMATCH = "The payment did not match the invoice; nothing was recorded. Contact us."


@dataclass(frozen=True)
class Outcome:
    """What became of an attempt: `status` is the attempt's (succeeded,
    processing, requires_action, failed); `client_secret` only for
    requires_action (the page hands it to Stripe.js), `message` what to say."""

    attempt_id: int
    status: str
    message: str
    client_secret: str | None = None
    refused: str = ""  # why Stripe's answer was not applied (a mismatch), for the webhook's record


def idempotency_key(invoice: Invoice, attempt: int) -> str:
    """The same for the same invoice and attempt on this instance (so a
    retried request is the same request to Stripe), different across
    instances sharing a Stripe account and across rebuilt databases."""
    instance = hmac.new(get_settings().secret_key.encode(), b"stripe-idempotency", hashlib.sha256).hexdigest()[:16]
    return f"portal-{instance}-invoice-{invoice.id}-{int(invoice.created_at.timestamp())}-attempt-{attempt}"


def _payable(session: Session, principal: Principal, invoice_id: object) -> Invoice:
    """The invoice, if the person may pay it (owners, admins, billing members of its organisation)."""
    invoice = invoices.access_invoice(session, principal, invoice_id)
    try:
        cards.check_manage(principal, invoice.org_id)
    except NotFound:  # staff read every invoice, but only its organisation pays it
        raise NotFound(invoices.NOT_FOUND) from None
    return invoices.lock(session, invoice)  # a staff payment at the same moment waits, then sees this one


def pay_invoice(session: Session, principal: Principal, invoice_id: object,
                payment_method_id: object = None) -> Outcome:
    """Charge the invoice's balance due to a saved card (the default when none is chosen)."""
    invoice = _payable(session, principal, invoice_id)
    gateway.client()  # no Stripe keys: a clear "not set up" before anything else
    if invoice.kind != "invoice" or invoice.status not in invoices.UNPAID:
        if invoice.status == "paid":
            raise Invalid(f"{invoices.label(invoice)} is paid in full already.")
        raise Invalid(f"{invoices.label(invoice)} cannot be paid.")
    amount = invoices.balance(invoice)
    if amount <= 0:
        raise Invalid(f"{invoices.label(invoice)} has nothing left to pay.")
    latest = session.exec(select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice.id)
                          .order_by(PaymentAttempt.attempt.desc())).first()
    if latest is not None and latest.status in OPEN:
        _refresh_open(session, principal, invoice, latest)  # it may have finished since
        if latest.status == "succeeded":  # an answer, not an error: what it recorded must commit
            return Outcome(latest.id, "succeeded", "Your earlier payment went through: nothing more was charged.")
        if latest.status in OPEN:
            raise PaymentInProgress(IN_PROGRESS[latest.status])
    if payment_method_id in (None, ""):
        customer = cards.customer_id(session, invoice.org_id)
        default = gateway.default_payment_method(customer) if customer else None
        if default is None:
            raise Invalid("Save a card first, or choose one.", field="payment_method")
        method = cards.own_card(session, invoice.org_id, default)
    else:
        method = cards.own_card(session, invoice.org_id, payment_method_id)

    number = (latest.attempt if latest else 0) + 1
    attempt = PaymentAttempt(invoice_id=invoice.id, org_id=invoice.org_id, attempt=number, amount=amount,
                             currency=invoice.currency, payment_method_id=method.id,
                             idempotency_key=idempotency_key(invoice, number), created_by_id=principal.user_id)
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        raise PaymentInProgress(IN_PROGRESS["pending"]) from None
    shown = format_money(amount, invoice.currency)
    audit.record(session, "payment.card_started", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=invoices.label(invoice),
                 details={"amount": shown, "card": cards.card_of(method, None).label, "attempt": number})
    try:
        intent = gateway.charge(customer_id=method.customer, payment_method_id=method.id, amount=amount,
                                currency=invoice.currency, idempotency_key=attempt.idempotency_key,
                                metadata={"invoice_id": str(invoice.id), "org_id": str(invoice.org_id),
                                          "attempt": str(number)})
    except gateway.Declined as declined:
        attempt.stripe_payment_intent_id = declined.payment_intent_id
        return _failed(session, principal, invoice, attempt, declined.message)
    attempt.stripe_payment_intent_id = intent.id
    return _settle(session, principal, invoice, attempt, intent)


def _settle(session: Session, principal: Principal | None, invoice: Invoice, attempt: PaymentAttempt,
            intent: Any) -> Outcome:
    """Move the attempt to what the PaymentIntent says."""
    if int(intent.amount) != attempt.amount or str(intent.currency).upper() != attempt.currency:
        # Never record money that is not what we asked for.
        return replace(_failed(session, principal, invoice, attempt, MISMATCH), refused="amount or currency mismatch")
    status = intent.status
    if status == "succeeded":
        record_success(session, principal, attempt, intent.id)
        return Outcome(attempt.id, "succeeded", f"Paid {format_money(attempt.amount, attempt.currency)}. Thank you.")
    if status in ("processing", "requires_capture"):
        _move(session, attempt, "processing")
        return Outcome(attempt.id, "processing", "Your payment is being processed: the invoice will show it "
                                                 "as paid once the bank confirms.")
    if status == "requires_action":
        _move(session, attempt, "requires_action")
        return Outcome(attempt.id, "requires_action", "Your bank asks you to confirm this payment.",
                       client_secret=intent.client_secret)
    return _failed(session, principal, invoice, attempt, gateway.decline_message(intent))


def _move(session: Session, attempt: PaymentAttempt, status: str, message: str = "") -> None:
    attempt.status, attempt.updated_at = status, utcnow()
    attempt.error_message = message[:MESSAGE_MAX]
    session.add(attempt)
    session.flush()


def _failed(session: Session, principal: Principal | None, invoice: Invoice, attempt: PaymentAttempt,
            message: str) -> Outcome:
    _move(session, attempt, "failed", message)
    audit.record(session, "payment.card_failed", actor=principal, org_id=invoice.org_id, target_type="invoice",
                 target_id=invoice.id, target_label=invoices.label(invoice),
                 details={"amount": format_money(attempt.amount, attempt.currency), "reason": message})
    invoices.changed(session, invoice)
    return Outcome(attempt.id, "failed", message)


def record_success(session: Session, principal: Principal | None, attempt: PaymentAttempt,
                   payment_intent_id: str) -> Payment | None:
    """Record a succeeded PaymentIntent on its invoice, once: the attempt
    moves to succeeded only if it was not already (a conditional UPDATE),
    and the payment's PaymentIntent id is unique. Returns the payment, or
    None when it had been recorded already. For the webhook slice too."""
    moved = session.exec(update(PaymentAttempt).where(PaymentAttempt.id == attempt.id,
                                                      PaymentAttempt.status != "succeeded")
                         .values(status="succeeded", stripe_payment_intent_id=payment_intent_id,
                                 error_message="", updated_at=utcnow()))
    session.refresh(attempt)
    if moved.rowcount == 0 or session.exec(select(func.count()).select_from(Payment).where(
            Payment.stripe_payment_intent_id == payment_intent_id)).one():
        return None
    invoice = session.get(Invoice, attempt.invoice_id)
    payment = payments._apply(session, principal, invoice, "payment", attempt.amount, method="card",
                              reference=payment_intent_id[:payments.REFERENCE_MAX], received_on=invoices.today(),
                              stripe_payment_intent_id=payment_intent_id)
    return payment


def _refresh_open(session: Session, principal: Principal, invoice: Invoice, attempt: PaymentAttempt) -> None:
    """An attempt left waiting (3-D Secure not finished, a payment still
    processing): ask Stripe where it is now and settle it if it has moved."""
    if attempt.status in ("requires_action", "processing") and attempt.stripe_payment_intent_id:
        intent = gateway.retrieve_payment_intent(attempt.stripe_payment_intent_id)
        if intent.status not in ("requires_action", "processing"):
            _settle(session, principal, invoice, attempt, intent)


def cancel_attempt(session: Session, principal: Principal, attempt_id: object) -> Outcome:
    """Give up a payment waiting for 3-D Secure (the person closed the bank's
    window): Stripe cancels the PaymentIntent, so it can never be charged,
    and the invoice can be paid afresh."""
    attempt, invoice = access_attempt(session, principal, attempt_id)
    cards.check_manage(principal, invoice.org_id)
    _refresh_open(session, principal, invoice, attempt)
    if attempt.status != "requires_action":
        return Outcome(attempt.id, attempt.status, attempt.error_message or _said(attempt))
    gateway.cancel_payment_intent(attempt.stripe_payment_intent_id)
    return _failed(session, principal, invoice, attempt, "You cancelled this payment; nothing was charged.")


def settle_intent(session: Session, intent: Any) -> Outcome | None:
    """For the webhook (payment_intent.succeeded / .payment_failed /
    .processing): settle the attempt this PaymentIntent belongs to, as the
    system, once; None when it is none of ours. The attempt is found by the
    intent's id, else by its metadata (invoice_id, org_id, attempt) when the
    portal never learnt the id (a decline that did not name it). An amount
    or currency that is not the attempt's is refused: the attempt fails and
    nothing is recorded; so is one whose metadata names another invoice or
    organisation than the attempt's (`Outcome.refused` says which). An
    attempt that failed already stays failed: a late payment_failed event
    does not fail it (and audit it) twice."""
    attempt = session.exec(select(PaymentAttempt).where(
        PaymentAttempt.stripe_payment_intent_id == intent.id)).first()
    if attempt is None:
        meta = getattr(intent, "metadata", None)
        wanted = [str(getattr(meta, key, "") or "") for key in ("invoice_id", "org_id", "attempt")] if meta else []
        if len(wanted) == 3 and all(part.isdigit() for part in wanted):
            attempt = session.exec(select(PaymentAttempt).where(
                PaymentAttempt.invoice_id == int(wanted[0]), PaymentAttempt.org_id == int(wanted[1]),
                PaymentAttempt.attempt == int(wanted[2]), PaymentAttempt.stripe_payment_intent_id.is_(None))).first()
    if attempt is None:
        return None
    if attempt.status == "succeeded":
        return Outcome(attempt.id, "succeeded", ALREADY)
    if attempt.status == "failed" and intent.status != "succeeded":
        return Outcome(attempt.id, "failed", ALREADY)
    invoice = session.get(Invoice, attempt.invoice_id)
    meta = getattr(intent, "metadata", None)
    named = {key: str(getattr(meta, key, "") or "") for key in ("invoice_id", "org_id")} if meta else {}
    if (named.get("invoice_id", "") not in ("", str(attempt.invoice_id))
            or named.get("org_id", "") not in ("", str(attempt.org_id))):
        attempt.stripe_payment_intent_id = attempt.stripe_payment_intent_id or intent.id
        return replace(_failed(session, None, invoice, attempt, MISMATCH), refused="invoice mismatch")
    attempt.stripe_payment_intent_id = intent.id
    return _settle(session, None, invoice, attempt, intent)


def access_attempt(session: Session, principal: Principal, attempt_id: object) -> tuple[PaymentAttempt, Invoice]:
    """An attempt at paying an invoice the person may pay; else not found."""
    wanted = invoices.as_id(attempt_id)
    attempt = session.get(PaymentAttempt, wanted) if wanted else None
    if attempt is None:
        raise NotFound("Payment not found.")
    try:
        invoice = _payable(session, principal, attempt.invoice_id)
    except NotFound:
        raise NotFound("Payment not found.") from None
    return attempt, invoice


def confirm_after_action(session: Session, principal: Principal, attempt_id: object) -> Outcome:
    """After the page has finished 3-D Secure with Stripe.js: read the
    PaymentIntent again from Stripe (never the page's word) and settle."""
    attempt, invoice = access_attempt(session, principal, attempt_id)
    if attempt.status not in ("requires_action", "processing") or not attempt.stripe_payment_intent_id:
        return Outcome(attempt.id, attempt.status, attempt.error_message or _said(attempt))
    intent = gateway.retrieve_payment_intent(attempt.stripe_payment_intent_id)
    if intent.status == "requires_action":
        return Outcome(attempt.id, "requires_action", "Your bank still asks you to confirm this payment.",
                       client_secret=intent.client_secret)
    return _settle(session, principal, invoice, attempt, intent)


def _said(attempt: PaymentAttempt) -> str:
    return {"succeeded": "This payment went through.", "failed": "This payment did not go through.",
            "pending": IN_PROGRESS["pending"]}.get(attempt.status, "")


def attempts_of(session: Session, principal: Principal, invoice_id: object) -> list[PaymentAttempt]:
    """An invoice's card payment attempts, newest first (for its page)."""
    invoice = invoices.access_invoice(session, principal, invoice_id)
    return list(session.exec(select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice.id)
                             .order_by(PaymentAttempt.attempt.desc())).all())
