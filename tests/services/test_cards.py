"""Saved cards against localstripe with the real SDK: saving (and a card
declined when saved), the list, the default, removing, another
organisation's cards, roles, and a portal without Stripe keys."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.integrations import stripe_gateway
from portal_app.models import AuditEvent, Organization
from portal_app.services import cards
from portal_app.services.cards import MANAGERS
from portal_app.services.errors import CardDeclined, ErrorCode, Forbidden, Invalid, NotFound, PaymentsNotSetUp
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from tests.factories import ours_and_theirs, staff_admin
from tests.permissions import Permission, current_org, join, permission_tests
from tests.stripe_cards import DECLINED_AT_ATTACH, confirm_setup, save, typed_card


def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    people["staff"] = staff_admin(session)
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session, stripe_settings) -> dict[str, Principal]:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _actions(session: Session, org_id: int) -> list[str]:
    return list(session.exec(select(AuditEvent.action).where(AuditEvent.org_id == org_id,
                                                             AuditEvent.action.startswith("card."))).all())


def test_a_billing_member_saves_a_card_and_it_becomes_the_default(session, org) -> None:
    ours = _ours(org)
    card = save(session, org["billing"], ours)
    session.commit()
    assert (card.last4, card.is_default, card.label) == ("4242", True, "Visa ending 4242")
    customer = session.get(Organization, ours).stripe_customer_id
    assert customer and customer.startswith("cus_")
    assert stripe_gateway.retrieve_payment_method(card.id).customer == customer
    assert [c.id for c in cards.list_cards(session, org["owner"], ours)] == [card.id]
    assert _actions(session, ours) == ["card.saved"]


def test_the_customer_is_made_once(session, org) -> None:
    ours = _ours(org)
    save(session, org["owner"], ours)
    first = session.get(Organization, ours).stripe_customer_id
    save(session, org["billing"], ours)
    assert session.get(Organization, ours).stripe_customer_id == first
    assert len(cards.list_cards(session, org["owner"], ours)) == 2


def test_a_card_declined_when_saved_is_not_kept(session, org) -> None:
    ours = _ours(org)
    secret = cards.start_card_setup(session, org["owner"], ours)
    with pytest.raises(CardDeclined, match="Your card was declined."):
        confirm_setup(secret, typed_card(DECLINED_AT_ATTACH))
    with pytest.raises(Invalid, match="not confirmed"):
        cards.save_card(session, org["owner"], ours, secret.split("_secret_")[0])
    assert cards.list_cards(session, org["owner"], ours) == []
    assert _actions(session, ours) == []


def test_attach_translates_the_decline(session, org) -> None:
    ours = _ours(org)
    customer = cards.customer_id(session, ours, create=True)
    with pytest.raises(CardDeclined) as err:
        stripe_gateway.attach_payment_method(typed_card(DECLINED_AT_ATTACH), customer)
    assert err.value.message == "Your card was declined." and err.value.code == ErrorCode.CARD_DECLINED
    assert "sk_test" not in err.value.message


def test_an_unconfirmed_setup_is_refused(session, org) -> None:
    ours = _ours(org)
    secret = cards.start_card_setup(session, org["owner"], ours)
    with pytest.raises(Invalid, match="not confirmed"):
        cards.save_card(session, org["owner"], ours, secret.split("_secret_")[0])


def test_default_and_removal(session, org) -> None:
    ours = _ours(org)
    first = save(session, org["owner"], ours)
    second = save(session, org["owner"], ours)
    assert not second.is_default
    cards.set_default(session, org["billing"], ours, second.id)
    listed = cards.list_cards(session, org["owner"], ours)
    assert [(c.id, c.is_default) for c in listed] == [(second.id, True), (first.id, False)]
    cards.remove_card(session, org["owner"], ours, second.id)
    listed = cards.list_cards(session, org["owner"], ours)
    assert [(c.id, c.is_default) for c in listed] == [(first.id, True)]
    assert stripe_gateway.retrieve_payment_method(second.id).customer is None
    assert _actions(session, ours) == ["card.saved", "card.saved", "card.default_changed", "card.removed"]


def test_another_organisations_card_and_setup_are_not_found(session, org) -> None:
    ours, theirs = _ours(org), org["theirs"].current.org_id
    their_card = save(session, org["theirs"], theirs)
    their_secret = cards.start_card_setup(session, org["theirs"], theirs)
    save(session, org["owner"], ours)
    for act in (cards.set_default, cards.remove_card):
        with pytest.raises(NotFound):
            act(session, org["owner"], ours, their_card.id)
        with pytest.raises(NotFound):
            act(session, org["owner"], ours, "pm_card_visa")  # a card of nobody's
        for bogus in (True, 1.0, None, "x" * 300, "seti_123"):
            with pytest.raises(NotFound):
                act(session, org["owner"], ours, bogus)
    with pytest.raises(NotFound):
        cards.save_card(session, org["owner"], ours, their_secret.split("_secret_")[0])
    with pytest.raises(NotFound):  # their organisation's id: not a member
        cards.list_cards(session, org["owner"], theirs)
    assert stripe_gateway.retrieve_payment_method(their_card.id).customer == \
        session.get(Organization, theirs).stripe_customer_id


@pytest.mark.parametrize("who", ["member", "staff"])
def test_members_and_staff_cannot_manage_cards(session, org, who) -> None:
    ours = _ours(org)
    card = save(session, org["owner"], ours)
    session.commit()
    expected = Forbidden if who == "member" else NotFound
    for act in (lambda: cards.start_card_setup(session, org[who], ours),
                lambda: cards.list_cards(session, org[who], ours),
                lambda: cards.set_default(session, org[who], ours, card.id),
                lambda: cards.remove_card(session, org[who], ours, card.id)):
        with pytest.raises(expected) as err:
            act()
        if expected is Forbidden:
            assert err.value.code == ErrorCode.ROLE_REQUIRED
    assert len(cards.list_cards(session, org["owner"], ours)) == 1


def test_without_stripe_keys_cards_are_not_set_up(session, org, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_STRIPE_SECRET_KEY")
    get_settings.cache_clear()
    try:
        assert not get_settings().stripe_enabled
        with pytest.raises(PaymentsNotSetUp, match="Card payments are not set up") as err:
            cards.start_card_setup(session, org["owner"], _ours(org))
        assert err.value.code == ErrorCode.PAYMENTS_NOT_SET_UP
    finally:
        monkeypatch.setenv("PORTAL_STRIPE_SECRET_KEY", "sk_test_portal")
        get_settings.cache_clear()


def test_the_secret_key_stays_out_of_repr(stripe_settings) -> None:
    assert "sk_test_portal" not in repr(stripe_settings) and "whsec_portal" not in repr(stripe_settings)
    assert stripe_settings.stripe_enabled


# ---------------------------------------------------------------- the three cases, NetBox style

def _saved_card(session: Session, owner: Principal) -> str:
    return save(session, owner, owner.current.org_id).id


def _listed(session: Session, actor: Principal, org_id: int, result: object) -> None:
    assert result == []


def _customer_made(session: Session, actor: Principal, org_id: int, result: object) -> None:
    assert result.startswith("seti_") and session.get(Organization, org_id).stripe_customer_id


def _made_default(session: Session, actor: Principal, card_id: str, result: object) -> None:
    assert result.id == card_id and result.is_default


def _removed(session: Session, actor: Principal, card_id: str, result: object) -> None:
    assert stripe_gateway.retrieve_payment_method(card_id).customer is None


def _on_card(action):  # noqa: ANN001, ANN202 — (session, principal, card id) in the principal's organisation
    return lambda session, principal, card_id: action(session, principal, current_org(principal), card_id)


test_card_permissions = pytest.mark.usefixtures("stripe_settings")(permission_tests(
    Permission("list", cards.list_cards, MANAGERS, check=_listed),
    Permission("start setup", cards.start_card_setup, MANAGERS, check=_customer_made),
    # Card ids are Stripe's strings: the int-shaped wrong ids do not apply (odd ones are tried above).
    Permission("set default", _on_card(cards.set_default), MANAGERS, target_row=_saved_card, check=_made_default,
               by_id=False),
    Permission("remove", _on_card(cards.remove_card), MANAGERS, target_row=_saved_card, check=_removed,
               by_id=False),
))
