"""Saved cards: an organisation's payment methods at Stripe.

A card is saved in two steps. `start_card_setup` gives the page a
SetupIntent's client secret (making the organisation's Stripe customer the
first time); the page confirms it with Stripe Elements (`confirmCardSetup`,
so the card number never reaches the portal); `save_card` then checks with
Stripe that the SetupIntent is this organisation's customer's and
succeeded, and attaches its card to that customer.

The cards themselves live at Stripe (its customer's payment methods are the
list, its `invoice_settings.default_payment_method` the default): the
portal keeps only the customer id (`Organization.stripe_customer_id`). A
card id from a browser is checked against the organisation's customer on
every use: another organisation's card is "not found", like every other row.

Owners, admins and billing members manage the cards (the people who pay
invoices); plain members never, even where they may read invoices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from portal_app.integrations import stripe_gateway as gateway
from portal_app.models import Organization
from portal_app.services import audit, live
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.principal import Principal, require_role

MANAGERS = ("owner", "admin", "billing")
NOT_FOUND = "Card not found."
ID_MAX = 255


@dataclass(frozen=True)
class Card:
    """A saved card as the page shows it (nothing secret: brand, last four digits, expiry)."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool

    @property
    def label(self) -> str:
        """"Visa ending 4242"."""
        return f"{self.brand.title()} ending {self.last4}"


def check_manage(principal: Principal, org_id: object, *, acting: bool = True) -> None:
    """Saving, choosing and removing cards (and paying with them): owners, admins and billing members."""
    require_role(principal, org_id, *MANAGERS, to="manage saved cards", acting=acting)


def _stripe_id(value: object, prefix: str) -> str:
    """An id a browser sent, if it looks like one of Stripe's of that kind; else not found."""
    if not isinstance(value, str) or not value.startswith(prefix) or len(value) > ID_MAX or not value.isascii():
        raise NotFound(NOT_FOUND)
    return value


def customer_id(session: Session, org_id: int, *, create: bool = False) -> str | None:
    """The organisation's Stripe customer, made (once, even when two requests
    race: a conditional UPDATE keeps the first) when `create` is set."""
    org = session.get(Organization, org_id)
    if org.stripe_customer_id or not create:
        gateway.client()  # no keys: say so before anything else
        return org.stripe_customer_id
    made = gateway.create_customer(name=org.legal_name or org.name, email=org.billing_email, org_id=org.id)
    result = session.exec(update(Organization).where(Organization.id == org.id,
                                                     Organization.stripe_customer_id.is_(None))
                          .values(stripe_customer_id=made))
    session.refresh(org)
    if result.rowcount == 0:  # another request made one first: theirs is the customer (ours stays unused)
        return org.stripe_customer_id
    return made


def card_of(method: Any, default_id: str | None) -> Card:
    card = method.card
    return Card(id=method.id, brand=str(getattr(card, "brand", None) or "card"),
                last4=str(getattr(card, "last4", None) or ""), exp_month=int(getattr(card, "exp_month", None) or 0),
                exp_year=int(getattr(card, "exp_year", None) or 0),
                is_default=method.id == default_id)


def own_card(session: Session, org_id: int, payment_method_id: object) -> Any:
    """The payment method with that id, if it is a card of this organisation's customer."""
    wanted = _stripe_id(payment_method_id, "pm_")
    customer = customer_id(session, org_id)
    if customer is None:
        raise NotFound(NOT_FOUND)
    method = gateway.retrieve_payment_method(wanted)
    if getattr(method, "customer", None) != customer or getattr(method, "type", "") != "card":
        raise NotFound(NOT_FOUND)
    return method


def start_card_setup(session: Session, principal: Principal, org_id: object) -> str:
    """A SetupIntent's client secret for the page's card form (Stripe Elements)."""
    check_manage(principal, org_id)
    customer = customer_id(session, org_id, create=True)
    return gateway.create_setup_intent(customer, org_id=org_id).client_secret


def save_card(session: Session, principal: Principal, org_id: object, setup_intent_id: object) -> Card:
    """Keep the card the page just confirmed: the SetupIntent must be this
    organisation's customer's and have succeeded. The first card saved
    becomes the default."""
    check_manage(principal, org_id)
    wanted = _stripe_id(setup_intent_id, "seti_")
    customer = customer_id(session, org_id)
    if customer is None:
        raise NotFound(NOT_FOUND)
    intent = gateway.retrieve_setup_intent(wanted)
    if getattr(intent, "customer", None) != customer:
        raise NotFound(NOT_FOUND)
    if intent.status != "succeeded" or not intent.payment_method:
        raise Invalid("The card was not confirmed by your bank, so it was not saved. Try again, or use another card.")
    method_id = intent.payment_method if isinstance(intent.payment_method, str) else intent.payment_method.id
    method = gateway.attach_payment_method(method_id, customer)
    default = gateway.default_payment_method(customer)
    if default is None:
        gateway.set_default_payment_method(customer, method.id)
        default = method.id
    card = card_of(method, default)
    audit.record(session, "card.saved", actor=principal, org_id=org_id, target_type="card", target_id=card.id,
                 target_label=card.label)
    live.changed(session, live.org_key(org_id, "cards"))
    return card


def list_cards(session: Session, principal: Principal, org_id: object) -> list[Card]:
    """The organisation's saved cards, the default first."""
    check_manage(principal, org_id, acting=False)
    customer = customer_id(session, org_id)
    if customer is None:
        return []
    default = gateway.default_payment_method(customer)
    cards = [card_of(method, default) for method in gateway.list_payment_methods(customer)]
    return sorted(cards, key=lambda card: (not card.is_default, card.id))


def set_default(session: Session, principal: Principal, org_id: object, payment_method_id: object) -> Card:
    """The card "pay now" uses when none is chosen."""
    check_manage(principal, org_id)
    method = own_card(session, org_id, payment_method_id)
    gateway.set_default_payment_method(method.customer, method.id)
    card = card_of(method, method.id)
    audit.record(session, "card.default_changed", actor=principal, org_id=org_id, target_type="card",
                 target_id=card.id, target_label=card.label)
    live.changed(session, live.org_key(org_id, "cards"))
    return card


def remove_card(session: Session, principal: Principal, org_id: object, payment_method_id: object) -> None:
    """Forget a card (Stripe detaches it). When it was the default, the next
    saved card (if any) becomes the default."""
    check_manage(principal, org_id)
    method = own_card(session, org_id, payment_method_id)
    customer = method.customer
    was_default = gateway.default_payment_method(customer) == method.id
    gateway.detach_payment_method(method.id)
    if was_default:
        rest = gateway.list_payment_methods(customer)
        gateway.set_default_payment_method(customer, rest[0].id if rest else None)
    audit.record(session, "card.removed", actor=principal, org_id=org_id, target_type="card",
                 target_id=method.id, target_label=card_of(method, None).label)
    live.changed(session, live.org_key(org_id, "cards"))
