"""One walk over every page of the shell (`layout.PAGES`, so a new page is
covered without touching this file), as a visitor, a customer and staff, at
desktop (1280 px) and phone (375 px) widths. On each page:

- nothing scrolls sideways (`scrollWidth > clientWidth` is a phone bug);
- axe-core finds no critical or serious accessibility violation;
- and, through the `page` fixture, no script or console error.

One navigation per page and persona; the width changes in place, so the walk
stays quick."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app import pages, routes  # noqa: F401  (pages registers every page on PAGES)
from portal_app.components.layout import PAGES
from portal_app.models import Document, Invoice, Order, Product, User
from portal_app.models.quotes import Quote
from portal_app.services import (
    documents, files, invoices, members, order_lists, orders, payments, quotes, subscriptions, tickets,
)
from portal_app.services.principal import principal_for_user
from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests import factories
from tests.browser.accounts_helpers import portal_session, sign_in, unique_email
from tests.browser.axe import AXE_SECONDS, axe_violations

WIDTHS = (1280, 375)
NOT_FOUND_PATH = "/no-such-page"
SCREENSHOTS = os.environ.get("WALK_SCREENSHOTS")  # a directory, to look at every page by eye


def _paths(private: bool | None, *, ticket: int | None = None, invoice: int | None = None,
           order: int | None = None, quote: int | None = None, document: int | None = None) -> list[str]:
    """Every registered page (the 404 page by an unknown path; a numbered
    page by the number of one the person may see)."""
    chosen = [spec for spec in PAGES if private is None or spec.private == private]
    numbered = {"404": NOT_FOUND_PATH, routes.TICKET: routes.ticket_path(ticket) if ticket else None,
                routes.INVOICE: routes.invoice_path(invoice) if invoice else None,
                routes.ORDER: routes.order_path(order) if order else None,
                routes.QUOTE: routes.quote_path(quote) if quote else None,
                routes.DOCUMENT: routes.document_path(document) if document else None,
                routes.HELP_ARTICLE: routes.help_path("how-to-pay-an-invoice")}  # a demo article
    return [numbered.get(spec.route, spec.route) for spec in chosen if numbered.get(spec.route, spec.route)]


def _wait_until_settled(page: Page) -> None:
    """The shell stops being busy once the session is resolved and the
    page's own on_load handlers have run."""
    expect(page.locator("main[aria-busy='false']")).to_have_count(1)
    _next_frame(page)


def _next_frame(page: Page) -> None:
    """Let React paint what the last delta or resize changed."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _check_page(page: Page, url: str, path: str, problems: list[str], who: str) -> None:
    page.goto(url)
    _wait_until_settled(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        _next_frame(page)
        if SCREENSHOTS:
            name = re.sub(r"\W+", "-", f"{who}{path}-{width}")
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))
        where = f"{who} {path} (now {page.url.split('/', 3)[-1] or '/'}) at {width}px"
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if overflow[0] > overflow[1]:
            problems.append(f"{where}: scrolls sideways ({overflow[0]} > {overflow[1]})")
        problems.extend(f"{where}: {line}" for line in axe_violations(page))


def _walk(page: Page, portal, paths: list[str], who: str) -> None:
    problems: list[str] = []
    started, AXE_SECONDS[0] = time.monotonic(), 0.0
    for path in paths:
        _check_page(page, portal.url + path, path, problems, who)
    print(f"{who}: {len(paths)} pages in {time.monotonic() - started:.1f}s (axe {AXE_SECONDS[0]:.1f}s)")
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _unknown_path_is_a_404(page_errors):
    """The walk opens an unknown path on purpose; its 404 status is right."""
    page_errors.allow(re.escape(NOT_FOUND_PATH) + r": Failed to load resource: .* 404 \(Not Found\)")


def test_every_public_page_as_a_visitor(portal, page):
    _walk(page, portal, _paths(private=False), "visitor")


LONG_MARKDOWN = ("A request with everything that could push a phone page sideways:\n\n"
                 "| Column one | Column two | Column three | Column four |\n|---|---|---|---|\n"
                 "| a rather long cell | another long cell | and another | and one more |\n\n"
                 "```\n" + "x" * 200 + "\n```\n\n" + "https://example.com/" + "y" * 150)


def _customer_with_long_names(portal) -> tuple[str, int, int, int, int]:
    """A customer in two organisations (so the switcher shows) with long
    names, owning one with a pending invitation to a long address, a
    support request full of wide Markdown and an invoice with a long
    unbroken line: what pushed a phone page sideways before. Returns the
    address, the request's number, the invoice's id and a sent quote's id."""
    walker, host = unique_email("walker"), unique_email("host")
    with portal_session(portal) as session:
        factories.register(session, walker, company="Walkers and Long Names International Ltd",
                           name="Walker Customer With A Long Name")
        factories.register(session, host, company="Hosting Company With A Very Long Name", name="Host Owner")
        _, host_principal = factories.sign_in(session, host)
        members.invite(session, host_principal, host_principal.current.org_id, email=walker, role="member")
        link = factories.token_from(factories.last_mail(session, walker).body, "/invitations/accept")
        _, walker_principal = factories.sign_in(session, walker)
        members.accept_as(session, walker_principal, link)
        members.invite(session, walker_principal, walker_principal.current.org_id, role="member",
                       email=unique_email("a-rather-long-invitation-address-for-the-phone"))
        broken = tickets.categories(session)[1].id  # "Something is not working", with its questions
        where = tickets.category_form(session, broken)[0]
        ticket = tickets.do_raise(session, walker_principal, walker_principal.current.org_id, category=broken,
                                  body=LONG_MARKDOWN, subject="A subject long enough to wrap on a phone: " + "word " * 25,
                                  answers={where.name: where.options[0]})
        staff = principal_for_user(session, session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).one(),
                                   None)
        draft = invoices.do_create_draft(session, staff, walker_principal.current.org_id, lines=[
            {"description": "A line long enough to wrap on a phone: " + "z" * 120, "quantity": "1234.5",
             "unit_price": "98765.43", "tax_rate": "17.5", "discount": "12.5"}], memo="word " * 60)
        invoices.do_issue(session, staff, draft.id)
        payments.do_record_payment(session, staff, draft.id, amount="1", method="bank_transfer",
                                   reference="R" * 100)
        product = Product(name="A subscription with a name long enough to wrap on a phone, and then some more words",
                          sku=f"WALK-{walker_principal.current.org_id}", kind="recurring", interval="month",
                          currency="GBP", unit_price=123456, usage_unit="GB", usage_unit_price=75, pausable=True)
        session.add(product)
        session.flush()
        service = subscriptions.do_start(session, staff, walker_principal.current.org_id, product.id, 12)
        subscriptions.do_record_usage(session, staff, service.id, subscriptions.today(), "1234.5")
        router = Product(name="A router with a name long enough to wrap on a phone, and then some more words",
                         sku=f"WALK-R-{walker_principal.current.org_id}", currency="GBP", unit_price=98765, stock=50)
        session.add(router)
        session.flush()
        orders.add_to_cart(session, walker_principal, walker_principal.current.org_id, router.id, 12)
        order = orders.do_place(session, walker_principal, walker_principal.current.org_id,
                                po_reference=("PO " + "ref " * 30)[:100],
                                delivery_address="A street " + "w" * 120 + "\nTown",
                                expected_total=order_lists.cart_view(session, walker_principal,
                                                                     walker_principal.current.org_id).total_minor)
        orders.do_confirm(session, staff, order.id)
        orders.do_ship(session, staff, order.id, carrier=("Carrier " * 15)[:100],
                       tracking_number=("T1 " * 40)[:100],
                       tracking_url="https://track.example/" + "t" * 200)
        orders.add_to_cart(session, walker_principal, walker_principal.current.org_id, router.id, 3)
        quote = quotes.do_create_draft(session, staff, walker_principal.current.org_id, title="A title " * 20,
                                       terms="Terms long enough to wrap on a phone: " + "q" * 150, lines=[
            {"description": "A quoted line long enough to wrap on a phone: " + "y" * 120, "quantity": "1234.5",
             "unit_price": "98765.43", "tax_rate": "17.5", "discount": "12.5"}],
                                       valid_until=(quotes.today() + timedelta(days=5)).isoformat())
        quotes.do_send(session, staff, quote.id)
        folder = documents.create_folder(session, walker_principal, walker_principal.current.org_id,
                                         name="A folder with a name long enough to wrap on a phone " + "f" * 40)
        stored = files.store(session, walker_principal, walker_principal.current.org_id, kind=documents.KIND,
                             filename="A document name long enough to wrap on a phone " + "d" * 120 + ".txt",
                             chunks=[b"Some text\n" + b"long line " * 300])
        (document,) = documents.add_files(session, walker_principal, folder.id, [stored.id], note="n" * 200)
        session.commit()
    return walker, ticket.number, draft.id, order.id, quote.id, document.id


def test_every_page_as_a_customer(portal, page):
    walker, ticket, invoice, order, quote, document = _customer_with_long_names(portal)
    sign_in(page, portal.url, walker)
    _walk(page, portal, _paths(private=None, ticket=ticket, invoice=invoice, order=order, quote=quote,
                               document=document),
          "customer")


def test_every_private_page_as_staff(portal, page):
    """Public pages look the same to any signed-in person: the customer's
    walk covers them."""
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    with portal_session(portal) as session:
        invoice = session.exec(select(Invoice.id).where(Invoice.status != "draft").order_by(Invoice.id)).first()
        order = session.exec(select(Order.id).order_by(Order.id)).first()
        quote = session.exec(select(Quote.id).where(Quote.status != "draft").order_by(Quote.id)).first()
        document = session.exec(select(Document.id).order_by(Document.id)).first()
    _walk(page, portal, [*_paths(private=True, ticket=tickets.FIRST_NUMBER, invoice=invoice, order=order,
                                 quote=quote, document=document),
                         NOT_FOUND_PATH],
          "staff")
