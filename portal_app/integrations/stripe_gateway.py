"""Stripe: the one place the SDK is configured and called.

One `stripe.StripeClient` per (secret key, API base), built from settings
(`PORTAL_STRIPE_SECRET_KEY`, and `PORTAL_STRIPE_API_BASE` only in tests,
where it points at localstripe). Nothing else in the portal imports
`stripe`, so the SDK's module-level globals are never set and two test
servers (or a key change) cannot leak into each other.

Every call translates Stripe's errors into the portal's own
(`services/errors.py`) with a message a person can read: a declined card
is `CardDeclined` ("Your card was declined."), Stripe being unreachable or
refusing our key is `PaymentsUnavailable`, an id Stripe does not know is
`NotFound`. Keys never appear in a message or a log line (and the log
redaction filter removes any that would).

Returned objects are Stripe's (`StripeObject`, attribute access); the
services read the few fields they need.

Inbound webhooks are verified here too (`verify_event`, the SDK's
`Webhook.construct_event` with a 300 s tolerance against
`PORTAL_STRIPE_WEBHOOK_SECRET`): a missing, malformed or wrong signature,
an old timestamp or a body that is not an event is `BadSignature`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NoReturn, TypeVar

import stripe

from portal_app.services.errors import (
    BadSignature, CardDeclined, NotFound, PaymentsNotSetUp, PaymentsUnavailable, WebhookNotSetUp,
)
from portal_app.settings import Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
CARD = "card"
WEBHOOK_TOLERANCE = 300  # seconds: an event signed longer ago than this is refused (a replay)


@lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    # One network retry: the SDK sends the same idempotency key again.
    return stripe.StripeClient(secret_key, base_addresses={"api": api_base}, max_network_retries=1)


def client(settings: Settings | None = None) -> stripe.StripeClient:
    """The configured client, or `PaymentsNotSetUp` when the portal has no Stripe keys."""
    settings = settings or get_settings()
    if not settings.stripe_enabled:
        raise PaymentsNotSetUp("Card payments are not set up on this portal: pay by bank transfer instead.")
    return _client(settings.stripe_secret_key, settings.stripe_api_base)


def _call(what: str, fn: Callable[[], T]) -> T:
    """Run one SDK call, turning Stripe's errors into ours."""
    try:
        return fn()
    except stripe.StripeError as err:
        _translate(what, err)


def _translate(what: str, err: stripe.StripeError) -> NoReturn:
    """Stripe's error as the portal's, logged without the key or the request."""
    if isinstance(err, stripe.CardError):
        raise CardDeclined(_card_message(err)) from None
    if isinstance(err, stripe.InvalidRequestError) and err.http_status == 404:
        raise NotFound("Card or payment not found.") from None
    if isinstance(err, stripe.InvalidRequestError):
        log.warning("Stripe refused %s: %s (%s)", what, err.code or "invalid request", err.http_status)
        raise PaymentsUnavailable("The card processor refused the request; nothing was charged. "
                                  "Try again, or pay by bank transfer.") from None
    if isinstance(err, stripe.AuthenticationError):
        log.error("Stripe refused the portal's API key during %s: check PORTAL_STRIPE_SECRET_KEY", what)
        raise PaymentsUnavailable("Card payments are not working at the moment: pay by bank transfer, "
                                  "or try again later.") from None
    if isinstance(err, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        log.warning("Stripe unavailable during %s: %s", what, type(err).__name__)
        raise PaymentsUnavailable("The card processor could not be reached. Try again in a minute; "
                                  "if the payment went through, it will show here.") from None
    log.warning("Stripe error during %s: %s (%s)", what, type(err).__name__, err.http_status)
    raise PaymentsUnavailable("The card processor could not do that. Try again, or pay by bank "
                              "transfer.") from None


def _card_message(err: stripe.CardError) -> str:
    """The bank's answer in words: Stripe's user_message is written for the
    card holder; otherwise the usual decline sentence."""
    message = getattr(err, "user_message", None) or ""
    if err.code == "expired_card":
        return "Your card has expired."
    if err.code == "incorrect_cvc":
        return "Your card's security code is incorrect."
    if err.code == "insufficient_funds":
        return "Your card has insufficient funds."
    return message if message.endswith(".") and len(message) < 200 else "Your card was declined."


def decline_message(intent: Any) -> str:
    """Why a PaymentIntent did not go through, from its last_payment_error."""
    error = getattr(intent, "last_payment_error", None)
    if not error:
        return "The payment did not go through."
    if getattr(error, "code", None) == "payment_intent_authentication_failure":
        return "Your bank did not confirm the payment (authentication failed)."
    message = getattr(error, "message", None) or ""
    return message if message and len(message) < 200 else "Your card was declined."


# ---------------------------------------------------------------- customers

def create_customer(*, name: str, email: str, org_id: int) -> str:
    """A new Stripe customer for an organisation; its id."""
    params: dict[str, Any] = {"name": name[:200], "metadata": {"org_id": str(org_id)}}
    if email:
        params["email"] = email
    return _call("creating a customer", lambda: client().v1.customers.create(params=params)).id


def default_payment_method(customer_id: str) -> str | None:
    customer = _call("reading a customer", lambda: client().v1.customers.retrieve(customer_id))
    settings = getattr(customer, "invoice_settings", None)
    return getattr(settings, "default_payment_method", None) or None


def set_default_payment_method(customer_id: str, payment_method_id: str | None) -> None:
    params = {"invoice_settings": {"default_payment_method": payment_method_id or ""}}
    _call("setting the default card", lambda: client().v1.customers.update(customer_id, params=params))


# ---------------------------------------------------------------- saving cards

def create_setup_intent(customer_id: str, *, org_id: int) -> Any:
    """A SetupIntent for the page to confirm with Stripe.js (confirmCardSetup)."""
    params = {"customer": customer_id, "payment_method_types": [CARD], "usage": "off_session",
              "metadata": {"org_id": str(org_id)}}
    return _call("starting to save a card", lambda: client().v1.setup_intents.create(params=params))


def retrieve_setup_intent(setup_intent_id: str) -> Any:
    return _call("reading a card setup", lambda: client().v1.setup_intents.retrieve(setup_intent_id))


def retrieve_payment_method(payment_method_id: str) -> Any:
    return _call("reading a card", lambda: client().v1.payment_methods.retrieve(payment_method_id))


def list_payment_methods(customer_id: str) -> list[Any]:
    listed = _call("listing cards", lambda: client().v1.payment_methods.list(
        params={"customer": customer_id, "type": CARD, "limit": 100}))
    return list(listed.data)


def attach_payment_method(payment_method_id: str, customer_id: str) -> Any:
    return _call("saving a card", lambda: client().v1.payment_methods.attach(
        payment_method_id, params={"customer": customer_id}))


def detach_payment_method(payment_method_id: str) -> Any:
    return _call("removing a card", lambda: client().v1.payment_methods.detach(payment_method_id))


# ---------------------------------------------------------------- charging

class Declined(Exception):
    """A charge the bank refused: its message, and the PaymentIntent if
    Stripe said which (real Stripe does; localstripe does not)."""

    def __init__(self, message: str, payment_intent_id: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.payment_intent_id = payment_intent_id


def charge(*, customer_id: str, payment_method_id: str, amount: int, currency: str, idempotency_key: str,
           metadata: dict[str, str]) -> Any:
    """Create and confirm a PaymentIntent with a saved card; the intent (its
    status: succeeded, processing, requires_action), or `Declined`."""
    params = {"amount": amount, "currency": currency.lower(), "customer": customer_id,
              "payment_method": payment_method_id, "payment_method_types": [CARD], "confirm": True,
              "metadata": metadata}
    try:
        return client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.CardError as err:
        intent = getattr(err.error, "payment_intent", None) if err.error else None
        raise Declined(_card_message(err), getattr(intent, "id", None) if intent else None) from None
    except stripe.StripeError as err:
        _translate("charging a card", err)


def retrieve_payment_intent(payment_intent_id: str) -> Any:
    return _call("reading a payment", lambda: client().v1.payment_intents.retrieve(payment_intent_id))


def cancel_payment_intent(payment_intent_id: str) -> Any:
    """Cancel a PaymentIntent that has not been charged (one waiting for 3-D Secure)."""
    return _call("cancelling a payment", lambda: client().v1.payment_intents.cancel(payment_intent_id))


# ---------------------------------------------------------------- webhooks

def verify_event(payload: bytes, signature: str | None) -> Any:
    """The Stripe event in a webhook's raw body, once its `Stripe-Signature`
    header is checked against the webhook secret (HMAC-SHA256 over
    "<timestamp>.<body>", signed at most `WEBHOOK_TOLERANCE` seconds ago).
    Anything else is `BadSignature`; a portal without the secret is
    `WebhookNotSetUp`. Neither the secret nor the header is logged."""
    secret = get_settings().stripe_webhook_secret
    if not secret:
        raise WebhookNotSetUp("Stripe webhooks are not set up on this portal.")
    try:
        return stripe.Webhook.construct_event(payload, signature or "", secret, tolerance=WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as err:
        reason = "too old" if "tolerance" in str(err) else "missing" if not signature else "not valid"
        raise BadSignature(f"The Stripe-Signature header is {reason}.") from None
    except (ValueError, TypeError, KeyError):  # not JSON, not UTF-8, not an event
        raise BadSignature("The body is not a Stripe event.") from None
