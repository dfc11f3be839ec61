"""Pages. Importing this package registers every page on `layout.PAGES`."""

from portal_app.pages import (  # noqa: F401
    audit, canned_replies, catalogue, csat, dashboard, documents, home, invoices, knowledge, members, not_found,
    notifications,
    orders, organization, password_reset, profile, quotes, register, security, sign_in, sla, staff, subscriptions, ticket_forms,
    tickets,
)
