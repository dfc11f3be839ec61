"""Cards in the page: the organisation's saved cards on the billing page
(add one with Stripe.js, make one the default, remove one) and paying an
invoice with one on its page, through 3-D Secure when the bank asks.

The card's number never reaches our server: Stripe.js collects it in the
page and confirms a SetupIntent whose client secret the server made for
this organisation; the server then checks that SetupIntent with Stripe
before saving the card (`services/cards.py`). Paying sends only the invoice
(from the route) and the chosen card's id; the amount is the invoice's
balance on the server (`services/card_payments.py`). Scripts get every
value as a JSON literal, never pasted text."""

from __future__ import annotations

import json

import reflex as rx

from portal_app.services import card_payments, cards
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, signed_in

CARD_BOX = "card-element"  # where Stripe.js mounts its card fields


def _ready_script() -> str:
    """A promise of the page's one Stripe object (Stripe.js loaded once from
    the configured origin, which the CSP allows)."""
    settings = get_settings()
    return ("(window.portalStripe || (window.portalStripe = (async () => {"
            " if (!window.Stripe) { await new Promise((ok, fail) => { const s = document.createElement('script');"
            f" s.src = {json.dumps(settings.stripe_js_url)}; s.onload = ok; s.onerror = fail;"
            " document.head.appendChild(s); }); }"
            f" return window.Stripe({json.dumps(settings.stripe_publishable_key or '')}); }})()))")


def _mount_script() -> str:
    """Stripe's card fields in the box; fields without a label (the test
    server's plain inputs) are named after their placeholder."""
    return (f"(async () => {{ const stripe = await {_ready_script()};"
            f" const box = document.getElementById({json.dumps(CARD_BOX)}); if (!box) return;"
            " box.replaceChildren(); const card = stripe.elements().create('card'); card.mount(box);"
            " box.querySelectorAll('input').forEach(i => { if (!i.getAttribute('aria-label'))"
            " i.setAttribute('aria-label', 'Card ' + (i.placeholder || 'detail').replace('_', ' ')); });"
            " window.portalCard = card; })()")


def _confirm_setup_script(secret: str) -> str:
    return (f"(async () => {{ const stripe = await {_ready_script()};"
            f" const r = await stripe.confirmCardSetup({json.dumps(secret)},"
            " {payment_method: {card: window.portalCard}});"
            " return r.error ? {error: String(r.error.message || 'The card could not be saved.')}"
            " : {id: r.setupIntent.id}; })()")


def _authenticate_script(secret: str) -> str:
    return (f"(async () => {{ const stripe = await {_ready_script()};"
            f" const r = await stripe.confirmCardPayment({json.dumps(secret)});"
            " return r.error ? {error: String(r.error.message || 'Authentication failed.')} : {ok: true}; })()")


def _card_rows(found: list[cards.Card]) -> list[dict[str, str]]:
    return [{"id": c.id, "label": c.label, "expires": f"{c.exp_month:02d}/{c.exp_year % 100:02d}",
             "default": "yes" if c.is_default else ""} for c in found]


def _may_use_cards(principal: Principal | None) -> bool:
    current = principal.current if principal else None
    return bool(get_settings().stripe_enabled and current and current.role in cards.MANAGERS)


class CardsState(SessionState):
    """The organisation's saved cards (owners, admins, billing members)."""

    enabled: bool = False  # Stripe is set up and the person may manage cards
    cards: list[dict[str, str]] = []
    adding: bool = False  # the card fields are shown
    error: str = ""
    _setup_secret: str = ""

    async def _reload(self, principal: Principal) -> None:
        try:
            found = await self._read(cards.list_cards, principal, principal.current.org_id)
        except PortalError as err:
            self.error, self.cards = err.message, []
            return
        self.cards = _card_rows(found)

    @rx.event
    async def load(self):
        principal = await self._principal()
        self.enabled, self.adding, self.error, self._setup_secret = _may_use_cards(principal), False, "", ""
        if self.enabled:
            await self._reload(principal)

    @rx.event
    @busy("add_card")
    @signed_in(in_org=True)
    async def start_adding(self, principal: Principal):
        self.error = ""
        try:
            self._setup_secret = await self._act(cards.start_card_setup, principal, principal.current.org_id)
        except PortalError as err:
            self.error = err.message
            return None
        self.adding = True
        return rx.call_script(_mount_script())

    @rx.event
    def cancel_adding(self):
        self.adding, self._setup_secret, self.error = False, "", ""

    @rx.event
    @busy("save_card")
    @signed_in(in_org=True)
    async def save(self, principal: Principal):
        """Stripe.js confirms the setup in the page, then `saved` hears how it went."""
        if not self._setup_secret:
            return None
        return rx.call_script(_confirm_setup_script(self._setup_secret), callback=CardsState.saved)

    @rx.event
    @signed_in(in_org=True)
    async def saved(self, principal: Principal, result: dict):
        outcome = result if isinstance(result, dict) else {}
        if outcome.get("error") or not isinstance(outcome.get("id"), str):
            message = outcome.get("error")
            self.error = message[:300] if isinstance(message, str) else "The card could not be saved."
            return None
        try:
            card = await self._act(cards.save_card, principal, principal.current.org_id, outcome["id"])
        except PortalError as err:
            self.error = err.message
            return None
        self.adding, self._setup_secret, self.error = False, "", ""
        await self._reload(principal)
        return rx.toast.success(f"{card.label} saved.")

    @rx.event
    @signed_in(in_org=True)
    async def make_default(self, principal: Principal, card_id: str):
        try:
            card = await self._act(cards.set_default, principal, principal.current.org_id, card_id)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return rx.toast.success(f"{card.label} is now the default card.")

    @rx.event
    @signed_in(in_org=True)
    async def remove(self, principal: Principal, card_id: str):
        try:
            await self._act(cards.remove_card, principal, principal.current.org_id, card_id)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return rx.toast.success("Card removed.")


class CardPaymentState(SessionState):
    """Paying the invoice shown with a saved card."""

    enabled: bool = False
    cards: list[dict[str, str]] = []
    status: str = ""  # the last attempt's: succeeded / processing / requires_action / failed
    message: str = ""
    _attempt_id: int = 0
    _client_secret: str = ""

    def _invoice_id(self) -> int | None:
        return event_id(self.router.page.params.get("invoice_id", ""))

    @rx.event
    async def load(self):
        principal = await self._principal()
        self.status, self.message, self.cards, self._attempt_id, self._client_secret = "", "", [], 0, ""
        self.enabled = _may_use_cards(principal) and not principal.is_staff
        if self.enabled:
            try:
                self.cards = _card_rows(await self._read(cards.list_cards, principal, principal.current.org_id))
            except PortalError:
                self.enabled = False

    def _show(self, outcome: card_payments.Outcome):
        self.status, self.message, self._attempt_id = outcome.status, outcome.message, outcome.attempt_id
        if outcome.status == "requires_action" and outcome.client_secret:
            self._client_secret = outcome.client_secret
            return rx.call_script(_authenticate_script(outcome.client_secret), callback=CardPaymentState.authenticated)
        if outcome.status == "succeeded":
            return rx.toast.success(outcome.message or "Paid: thank you.")
        return None

    @rx.event
    @busy("pay_by_card")
    @signed_in(in_org=True)
    async def pay(self, principal: Principal, form: dict):
        chosen = form_values(form).get("card", "")
        self.status, self.message = "", ""
        try:
            outcome = await self._act(card_payments.pay_invoice, principal, self._invoice_id(), chosen or None)
        except PortalError as err:
            self.status, self.message = "failed", err.message
            return None
        return self._show(outcome)

    @rx.event
    @busy("pay_by_card")
    @signed_in(in_org=True)
    async def authenticated(self, principal: Principal, result: dict):
        """3-D Secure finished in the page (either way): ask Stripe what happened."""
        if not self._attempt_id:
            return None
        try:
            outcome = await self._act(card_payments.confirm_after_action, principal, self._attempt_id)
        except PortalError as err:
            self.status, self.message = "failed", err.message
            return None
        self._client_secret = ""
        return self._show(outcome)

