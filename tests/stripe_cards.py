"""Standing in for Stripe.js in service tests: the card a person types is
made into a PaymentMethod on localstripe with the SDK (real Stripe forbids
raw numbers from a server; the test server does not), and the page's
`confirmCardSetup` / 3-D Secure step are the same requests Stripe.js sends."""

from __future__ import annotations

import httpx
from sqlmodel import Session

from portal_app.integrations import stripe_gateway
from portal_app.services import cards
from portal_app.services.principal import Principal
from portal_app.settings import get_settings

OK = "4242424242424242"
DECLINED_AT_ATTACH = "4000000000000002"
DECLINED_AT_CHARGE = "4000000000000341"
THREE_D_SECURE = "4000002760003184"


def typed_card(number: str) -> str:
    """A PaymentMethod for the card as typed into Elements; its id."""
    return stripe_gateway.client().v1.payment_methods.create(params={
        "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}).id


def confirm_setup(client_secret: str, payment_method_id: str):  # noqa: ANN201
    """What `stripe.confirmCardSetup` does in the page: confirm the
    SetupIntent with the typed card (publishable key and client secret
    only). Raises `CardDeclined` the way the page would show it."""
    setup_intent_id = client_secret.split("_secret_")[0]
    intents = stripe_gateway.client().v1.setup_intents
    intent = stripe_gateway._call("confirming a card setup", lambda: intents.confirm(
        setup_intent_id, params={"payment_method": payment_method_id, "client_secret": client_secret}))
    if intent.status == "requires_action":  # 3-D Secure: the stand-in's "confirm" button confirms again
        intent = intents.confirm(setup_intent_id, params={"client_secret": client_secret})
    return intent


def save(session: Session, principal: Principal, org_id: int, number: str = OK) -> cards.Card:
    """A card saved the whole way: setup, confirmed in the "page", saved."""
    secret = cards.start_card_setup(session, principal, org_id)
    confirm_setup(secret, typed_card(number))
    return cards.save_card(session, principal, org_id, secret.split("_secret_")[0])


def authenticate(client_secret: str, *, success: bool) -> None:
    """The 3-D Secure page's "Complete authentication" / "Fail authentication"
    buttons, as localstripe's Stripe.js stand-in sends them."""
    settings = get_settings()
    intent_id = client_secret.split("_secret_")[0]
    response = httpx.post(f"{settings.stripe_api_base}/v1/payment_intents/{intent_id}/_authenticate",
                          data={"key": settings.stripe_publishable_key, "client_secret": client_secret,
                                "success": "true" if success else "false"}, timeout=10)
    response.raise_for_status()


def payment_intents() -> list:
    """Every PaymentIntent on the test server (it is flushed per test)."""
    return list(stripe_gateway.client().v1.payment_intents.list(params={"limit": 100}).data)
