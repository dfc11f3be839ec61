"""Every page path in one place, so links, redirects and tests agree, and so
redirect targets can be checked against an allow-list of our own paths."""

import re

HOME = "/"
DASHBOARD = "/dashboard"
SIGN_IN = "/sign-in"
SIGN_IN_LINK = "/sign-in/link"
SIGN_IN_CODE = "/sign-in/code"
REGISTER = "/register"
VERIFY_EMAIL = "/verify-email"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"
SECURITY = "/account/security"
PROFILE = "/account/profile"
CONFIRM_EMAIL_CHANGE = "/account/confirm-email"
ORGANIZATION = "/organisation"
ACCEPT_INVITATION = "/invitations/accept"
ORGANIZATION_AUDIT = "/organisation/audit"
STAFF = "/staff"
STAFF_AUDIT = "/staff/audit"
OUTBOX = "/staff/outbox"
STAFF_SLA = "/staff/sla"
CANNED_REPLIES = "/staff/canned-replies"
SUPPORT_REPORT = "/staff/support-report"  # requests, response times and satisfaction ratings (staff agents)
TICKET_FORMS = "/staff/support-forms"  # support categories and their intake forms (staff admins)
HELP = "/help"  # the public help centre (`?q=` searches, `?category=` browses one)
HELP_ARTICLE = "/help/[slug]"  # a page route; link to one with `help_path`
STAFF_KNOWLEDGE = "/staff/knowledge"  # the knowledge base: articles, categories, the report (staff editors)
STAFF_ARTICLE = "/staff/knowledge/article"  # write one (`?id=` edits one)
NOTIFICATIONS = "/notifications"
# Opened from the link in a notification mail: says what stops, with a button.
UNSUBSCRIBE = "/notifications/unsubscribe"
TICKETS = "/tickets"
NEW_TICKET = "/tickets/new"
TICKET = "/tickets/[ticket_number]"  # a page route; link to one with `ticket_path`
BILLING = "/billing"  # the organisation's invoices, balance and payments
INVOICE = "/billing/invoices/[invoice_id]"  # a page route; link to one with `invoice_path`
STATEMENT = "/billing/statement"  # the statement of account over a period
STAFF_INVOICES = "/staff/invoices"  # every organisation's invoices (staff)
STAFF_INVOICE_DRAFT = "/staff/invoices/draft"  # write one (`?id=` edits a draft, `?org=` starts one)
CATALOGUE = "/catalogue"  # the organisation's products and prices
STAFF_CATALOGUE = "/staff/catalogue"  # products (staff)
STAFF_CATALOGUE_PRICES = "/staff/catalogue/prices"  # one organisation's discount and own prices (`?org=`)
SERVICES = "/services"  # an organisation's subscriptions ("My services")
STAFF_SUBSCRIPTIONS = "/staff/subscriptions"  # every organisation's subscriptions (staff)
ORDERS = "/orders"  # the organisation's orders
ORDER_CART = "/orders/cart"  # the person's cart: place an order
ORDER = "/orders/[order_id]"  # a page route; link to one with `order_path`
STAFF_ORDERS = "/staff/orders"  # every organisation's orders (staff)
QUOTES = "/quotes"  # the organisation's quotes
QUOTE = "/quotes/[quote_id]"  # a page route; link to one with `quote_path`
STAFF_QUOTES = "/staff/quotes"  # every organisation's quotes (staff)
DOCUMENTS = "/documents"  # the organisation's folders (`?folder=` opens one)
DOCUMENT = "/documents/[document_id]"  # a page route; link to one with `document_path`
STAFF_DOCUMENTS = "/staff/documents"  # one organisation's folders, and sharing into several (staff)
STAFF_QUOTE_EDITOR = "/staff/quotes/edit"  # write one (`?id=` edits a draft or revises a sent one, `?org=` starts one)

AUTH_COMPLETE = "/auth/complete"
AUTH_LOGOUT = "/auth/logout"
# The List-Unsubscribe address (RFC 8058): a POST stops the mail at once, a
# GET (a person following it) leads to the UNSUBSCRIBE page.
UNSUBSCRIBE_API = "/api/notifications/unsubscribe"
INVOICE_PDF_API = "/api/invoices/{invoice_id}/pdf"  # link to one with `invoice_pdf_path`
QUOTE_PDF_API = "/api/quotes/{quote_id}/pdf"  # link to one with `quote_pdf_path`
STATEMENT_API = "/api/statement"  # ?org=&since=&until=&format=pdf|csv
# Where Stripe posts its events (configured in Stripe's dashboard): signed, no session, no Origin.
STRIPE_WEBHOOK_API = "/api/stripe/webhook"

# Where a sign-in may send the person afterwards (`?next=`).
SAFE_NEXT = frozenset({HOME, DASHBOARD, SECURITY, PROFILE, ORGANIZATION, ORGANIZATION_AUDIT, STAFF, OUTBOX,
                       STAFF_AUDIT, STAFF_SLA, NOTIFICATIONS, TICKETS, NEW_TICKET, CANNED_REPLIES, TICKET_FORMS,
                       SUPPORT_REPORT, HELP, STAFF_KNOWLEDGE, STAFF_ARTICLE, BILLING, STATEMENT, STAFF_INVOICES,
                       STAFF_INVOICE_DRAFT, CATALOGUE, STAFF_CATALOGUE, STAFF_CATALOGUE_PRICES, SERVICES,
                       STAFF_SUBSCRIPTIONS, ORDERS, ORDER_CART, STAFF_ORDERS, QUOTES, STAFF_QUOTES,
                       STAFF_QUOTE_EDITOR, DOCUMENTS, STAFF_DOCUMENTS})
_INVITATION_NEXT = re.compile(re.escape(ACCEPT_INVITATION) + r"\?token=[A-Za-z0-9_\-]{1,100}")
# Pages with a number in their path, as links to them look.
_NUMBERED = (re.compile(r"/tickets/[1-9][0-9]{0,8}"), re.compile(r"/billing/invoices/[1-9][0-9]{0,17}"),
             re.compile(r"/orders/[1-9][0-9]{0,17}"), re.compile(r"/quotes/[1-9][0-9]{0,17}"),
             re.compile(r"/documents/[1-9][0-9]{0,17}"),
             re.compile(r"/help/[a-z0-9]+(?:-[a-z0-9]+){0,40}"))


def ticket_path(number: int) -> str:
    """The page of ticket T-`number`."""
    return f"/tickets/{int(number)}"


def catalogue_prices_path(org_id: int) -> str:
    """One organisation's discount and own prices (staff)."""
    return f"{STAFF_CATALOGUE_PRICES}?org={int(org_id)}"


def invoice_path(invoice_id: int) -> str:
    """The page of one invoice or credit note (by id: a draft has no number)."""
    return f"/billing/invoices/{int(invoice_id)}"


def order_path(order_id: int) -> str:
    """The page of one order (by id)."""
    return f"/orders/{int(order_id)}"


def invoice_pdf_path(invoice_id: int) -> str:
    """Its PDF, downloaded through the authorised route."""
    return INVOICE_PDF_API.format(invoice_id=int(invoice_id))


def draft_path(invoice_id: int) -> str:
    """The staff's editor of one draft."""
    return f"{STAFF_INVOICE_DRAFT}?id={int(invoice_id)}"


def document_path(document_id: int) -> str:
    """The page of one document (by id)."""
    return f"/documents/{int(document_id)}"


def quote_path(quote_id: int) -> str:
    """The page of one quote (by id: a draft has no number)."""
    return f"/quotes/{int(quote_id)}"


def quote_pdf_path(quote_id: int) -> str:
    return QUOTE_PDF_API.format(quote_id=int(quote_id))


def quote_editor_path(quote_id: int) -> str:
    """The staff's editor of one draft (or the revision of a sent quote)."""
    return f"{STAFF_QUOTE_EDITOR}?id={int(quote_id)}"


def help_path(slug: str) -> str:
    """The help centre's page of one article."""
    return f"/help/{slug}"


def article_editor_path(article_id: int) -> str:
    return f"{STAFF_ARTICLE}?id={int(article_id)}"


def is_numbered(path: str) -> bool:
    """A link to one numbered page of ours (`ticket_path`)."""
    return any(pattern.fullmatch(path) for pattern in _NUMBERED)


def safe_next(value: object, default: str = DASHBOARD) -> str:
    """Only our own pages (and an invitation link); never an absolute URL,
    `//host` or `javascript:`."""
    if not isinstance(value, str):
        return default
    if value in SAFE_NEXT or _INVITATION_NEXT.fullmatch(value) or is_numbered(value):
        return value
    return default
