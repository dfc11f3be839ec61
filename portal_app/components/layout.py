"""The one layout shell: a skip link, a header with the portal's name, a
sidebar on wide screens and a menu on phones. Every page is registered through
`portal_page` so it gets the shell, a title and its on_load handlers the same
way.

The prerendered HTML knows nobody, and a full page load brings back the
previous state's facts before this load has checked the cookie; so until
`SessionState.session_resolved` the header's account area, the navigation and
private page bodies show a neutral placeholder, never "signed out" to someone
signed in (nor the reverse). The server HTML and the client's first render
are the same tree (no width- or time-dependent branches in Python), so React
hydrates without a mismatch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import reflex as rx

from portal_app import routes
from portal_app.components.notifications import bell
from portal_app.settings import get_settings
from portal_app.state.session import SessionState

Audience = Literal["visitor", "customer", "staff", "staff_admin", "signed_in"]


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str
    audience: Audience


# The nav is an explicit list; who sees an entry is its audience.
NAV: list[NavItem] = [
    NavItem("Sign in", routes.SIGN_IN, "log-in", "visitor"),
    NavItem("Create an account", routes.REGISTER, "user-plus", "visitor"),
    NavItem("Help centre", routes.HELP, "circle-help", "visitor"),
    NavItem("Dashboard", routes.DASHBOARD, "layout-dashboard", "customer"),
    NavItem("Support", routes.TICKETS, "life-buoy", "customer"),
    NavItem("Billing", routes.BILLING, "receipt", "customer"),
    NavItem("Quotes", routes.QUOTES, "signature", "customer"),
    NavItem("My services", routes.SERVICES, "repeat", "customer"),
    NavItem("Catalogue", routes.CATALOGUE, "package", "customer"),
    NavItem("Orders", routes.ORDERS, "shopping-cart", "customer"),
    NavItem("Documents", routes.DOCUMENTS, "folder", "customer"),
    NavItem("Help centre", routes.HELP, "circle-help", "customer"),
    NavItem("Organisation", routes.ORGANIZATION, "building-2", "customer"),
    NavItem("Back office", routes.STAFF, "briefcase", "staff"),
    NavItem("Support", routes.TICKETS, "life-buoy", "staff"),
    NavItem("Invoices", routes.STAFF_INVOICES, "receipt", "staff"),
    NavItem("Quotes", routes.STAFF_QUOTES, "signature", "staff"),
    NavItem("Subscriptions", routes.STAFF_SUBSCRIPTIONS, "repeat", "staff"),
    NavItem("Catalogue", routes.STAFF_CATALOGUE, "package", "staff"),
    NavItem("Orders", routes.STAFF_ORDERS, "shopping-cart", "staff"),
    NavItem("Documents", routes.STAFF_DOCUMENTS, "folder", "staff"),
    NavItem("Canned replies", routes.CANNED_REPLIES, "message-square-text", "staff"),
    NavItem("Support report", routes.SUPPORT_REPORT, "chart-column", "staff"),
    NavItem("Knowledge base", routes.STAFF_KNOWLEDGE, "book-open", "staff"),
    NavItem("Audit", routes.STAFF_AUDIT, "scroll-text", "staff_admin"),
    NavItem("Outbox", routes.OUTBOX, "mail", "staff_admin"),
    NavItem("Support forms", routes.TICKET_FORMS, "list-checks", "staff_admin"),
    NavItem("Notifications", routes.NOTIFICATIONS, "bell", "signed_in"),
    NavItem("Profile", routes.PROFILE, "user", "signed_in"),
    NavItem("Security", routes.SECURITY, "shield", "signed_in"),
]

MAIN_ID = "main-content"


@dataclass(frozen=True)
class PageSpec:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: Any = None
    private: bool = False


PAGES: list[PageSpec] = []


def _audience_var(audience: Audience) -> rx.Var:
    staff = SessionState.staff_role != ""
    return {
        "visitor": ~SessionState.signed_in,
        "customer": SessionState.signed_in & ~staff,
        "staff": staff,
        "staff_admin": SessionState.staff_role == "admin",
        "signed_in": SessionState.signed_in,
    }[audience]


def _is_current(item: NavItem) -> rx.Var:
    """The production server serves `/register` as `/register/`."""
    path = rx.State.router.url.path
    return (path == item.route) | (path == item.route + "/")


def _for_audience(item: NavItem, component: rx.Component) -> rx.Component:
    return rx.cond(_audience_var(item.audience), component)


def _sidebar_link(item: NavItem) -> rx.Component:
    current = _is_current(item)
    return rx.link(
        rx.hstack(rx.icon(item.icon, size=18, aria_hidden="true"), rx.text(item.label),
                  spacing="2", align="center"),
        href=item.route,
        underline="none",
        aria_current=rx.cond(current, "page", "false"),
        weight=rx.cond(current, "bold", "regular"),
        color_scheme=rx.cond(current, "accent", "gray"),
        high_contrast=True,
        style={"display": "block", "width": "100%", "padding": "0.4em 0.6em", "border-radius": "6px",
               "background": rx.cond(current, "var(--accent-a4)", "transparent")},
    )


def _nav_placeholder() -> rx.Component:
    return rx.vstack(*[rx.skeleton(rx.box(height="1.5em", width="9em")) for _ in range(4)],
                     spacing="2", aria_hidden="true")


def _sidebar() -> rx.Component:
    return rx.el.nav(
        rx.cond(
            SessionState.session_resolved,
            rx.vstack(*[_for_audience(item, _sidebar_link(item)) for item in NAV], spacing="1",
                      align="start", width="100%"),
            _nav_placeholder(),
        ),
        aria_label="Main",
        style={"width": "14em", "flex-shrink": "0", "padding": "1em",
               "border-right": "1px solid var(--gray-a5)", "min-height": "calc(100vh - 3.5em)"},
    )


def _menu_item(item: NavItem) -> rx.Component:
    """The menu item is itself the link: the whole row takes the click, and
    Enter on the focused item follows it."""
    return rx.menu.item(
        rx.link(rx.hstack(rx.icon(item.icon, size=16, aria_hidden="true"), item.label, spacing="2",
                          align="center"),
                href=item.route, underline="none", color="inherit",
                aria_current=rx.cond(_is_current(item), "page", "false")),
        as_child=True,
        style={"font-weight": rx.cond(_is_current(item), "700", "400")},
    )


def _phone_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open menu")),
        rx.menu.content(
            rx.cond(SessionState.session_resolved,
                    rx.fragment(*[_for_audience(item, _menu_item(item)) for item in NAV]),
                    rx.menu.item("Loading…", disabled=True)),
        ),
    )


def _org_switcher() -> rx.Component:
    """Shown to people in more than one organisation; shrinks on a phone."""
    return rx.cond(
        SessionState.orgs.length() > 1,
        rx.select.root(
            rx.select.trigger(aria_label="Organisation",
                              style={"max-width": "100%", "min-width": "0", "width": "100%"}),
            rx.select.content(rx.foreach(SessionState.orgs,
                                         lambda org: rx.select.item(org["name"], value=org["id"]))),
            value=SessionState.org_id,
            on_change=SessionState.switch_org,
            size="2",
        ),
    )


def _account_menu() -> rx.Component:
    """Who is signed in and the way out; or the way in; or, until the
    session is resolved, a placeholder of the same size."""
    signed_in = rx.hstack(
        bell(),
        # On a phone the switcher has a row of its own (`_phone_org_bar`).
        rx.box(_org_switcher(), min_width="0", max_width="12em", display=rx.breakpoints(initial="none", sm="block")),
        rx.text(SessionState.user_name, size="2", trim="both",
                display=rx.breakpoints(initial="none", sm="block"),  # no room on a phone
                style={"max-width": "10em", "overflow": "hidden", "text-overflow": "ellipsis",
                       "white-space": "nowrap"}),
        rx.button(rx.icon("log-out", size=16, aria_hidden="true"),
                  rx.text("Sign out", as_="span", display=rx.breakpoints(initial="none", xs="inline")),
                  aria_label="Sign out", variant="soft", size="2", on_click=SessionState.sign_out,
                  flex_shrink="0"),
        align="center", spacing="2", min_width="0",
    )
    signed_out = rx.hstack(
        rx.link("Sign in", href=routes.SIGN_IN, size="2", weight="medium", high_contrast=True,
                style={"white-space": "nowrap"}),
        rx.link("Register", href=routes.REGISTER, size="2", weight="medium", high_contrast=True,
                style={"white-space": "nowrap"},
                display=rx.breakpoints(initial="none", xs="inline")),
        align="center", spacing="3", flex_shrink="0",
    )
    return rx.box(
        rx.cond(
            SessionState.session_resolved,
            rx.cond(SessionState.signed_in, signed_in, signed_out),
            rx.skeleton(rx.box(width="6em", height="2em"), aria_hidden="true"),
        ),
        min_width="0",
    )


def _phone_org_bar() -> rx.Component:
    """The organisation switcher on a phone: full width under the header,
    where it cannot push the page sideways or squeeze the portal's name."""
    return rx.cond(
        SessionState.session_resolved & SessionState.signed_in & (SessionState.orgs.length() > 1),
        rx.box(_org_switcher(), display=rx.breakpoints(initial="block", sm="none"),
               padding="0.5em 0.5em 0", width="100%"),
    )


def _brand_logo() -> rx.Component:
    """The instance's own logo (PORTAL_LOGO), if one is configured: decorative,
    the portal's name next to it says the same."""
    if get_settings().logo_path is None:
        return rx.fragment()
    return rx.image(src="/api/branding/logo", alt="", height="2em", width="auto", flex_shrink="0")


def _skip_link() -> rx.Component:
    """Hidden until focused: the first Tab on every page offers to jump
    past the header and navigation."""
    # The router handles the #fragment without moving focus, so focus `main`
    # too: the next Tab then continues inside the content.
    return rx.el.a("Skip to content", href=f"#{MAIN_ID}", class_name="skip-link", on_click=rx.set_focus(MAIN_ID))


SHELL_CSS = """
.skip-link { position: absolute; left: 0.5em; top: -3em; z-index: 100; padding: 0.5em 1em;
  background: var(--color-background); color: var(--gray-12); border: 2px solid var(--accent-9);
  border-radius: 6px; }
.skip-link:focus { top: 0.5em; }
/* Toasts (sonner, rich colours): the stock light-theme text colours fall
   just short of 4.5:1 on their tinted backgrounds; darken them a step. */
html [data-sonner-toaster][data-sonner-theme='light'], html [data-sonner-toaster][data-theme='light'] {
  --error-text: hsl(360, 100%, 35%); --success-text: hsl(140, 100%, 22%);
  --info-text: hsl(210, 92%, 35%); --warning-text: hsl(31, 92%, 28%); }
"""


def _header() -> rx.Component:
    name = get_settings().portal_name
    return rx.el.header(
        rx.hstack(
            rx.box(_phone_menu(), display=rx.breakpoints(initial="block", md="none")),
            _brand_logo(),
            rx.link(rx.text(name, size=rx.breakpoints(initial="3", sm="5"), weight="bold", as_="span",
                            style={"white-space": "nowrap", "overflow": "hidden",
                                   "text-overflow": "ellipsis", "display": "block"}),
                    href=routes.HOME, underline="none", high_contrast=True, color_scheme="gray",
                    min_width="4em", flex_shrink="1", style={"overflow": "hidden"}),
            rx.spacer(),
            _account_menu(),
            align="center",
            spacing="2",
            height="3.5em",
            padding_x=rx.breakpoints(initial="0.5em", sm="1em"),
            width="100%",
        ),
        _phone_org_bar(),
        style={"border-bottom": "1px solid var(--gray-a5)"},
    )


def loading() -> rx.Component:
    """What a private page shows until the session is resolved."""
    return rx.vstack(
        rx.skeleton(rx.box(height="2.2em", width="min(20em, 100%)")),
        rx.skeleton(rx.box(height="6em", width="100%")),
        rx.skeleton(rx.box(height="6em", width="100%")),
        spacing="4", width="100%", aria_hidden="true",
    )


def shell(*children: rx.Component) -> rx.Component:
    """Wrap page content in the skip link, header, navigation and main
    landmark. `aria-busy` is true until the session is resolved and the
    page's own loading has run (tests wait on it too)."""
    return rx.box(
        rx.el.style(SHELL_CSS),
        _skip_link(),
        _header(),
        rx.hstack(
            rx.box(_sidebar(), display=rx.breakpoints(initial="none", md="block")),
            rx.el.main(*children, id=MAIN_ID, tab_index=-1,
                       aria_busy=rx.cond(SessionState.session_resolved & rx.State.is_hydrated, "false", "true"),
                       style={"padding": rx.breakpoints(initial="1em", sm="1.5em"), "width": "100%",
                              "max-width": "60em", "min-width": "0", "outline": "none"}),
            spacing="0",
            align="start",
            width="100%",
        ),
    )


def _with_session(on_load: Any, private: bool) -> list:
    first = SessionState.require_login if private else SessionState.load_session
    rest = [] if on_load is None else on_load if isinstance(on_load, list) else [on_load]
    return [first, *rest]


def portal_page(*, route: str, title: str, on_load: Any = None, private: bool = False) -> Callable:
    """Register a page function: it is wrapped in the shell and added to the
    app. A private page sends a visitor without a live session to sign-in,
    and shows its body only to a resolved, signed-in session; its own
    handlers still check the session themselves."""

    def decorator(fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def wrapped() -> rx.Component:
            body = fn()
            if private:
                body = rx.cond(SessionState.session_resolved & SessionState.signed_in, body, loading())
            return shell(body)

        wrapped.__name__ = fn.__name__
        PAGES.append(PageSpec(route=route, title=f"{title} · {get_settings().portal_name}",
                              component=wrapped, on_load=_with_session(on_load, private), private=private))
        return fn

    return decorator
