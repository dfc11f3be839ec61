"""The one layout shell: a header with the portal's name, a sidebar on wide
screens and a menu on phones. Every page is registered through `portal_page`
so it gets the shell, a title and its on_load handlers the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from portal_app import routes
from portal_app.settings import get_settings
from portal_app.state.session import SessionState


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str
    staff_only: bool = False


NAV: list[NavItem] = [
    NavItem("Home", routes.HOME, "house"),
    NavItem("Dashboard", routes.DASHBOARD, "layout-dashboard"),
    NavItem("Organisation", routes.ORGANIZATION, "building-2"),
    NavItem("Profile", routes.PROFILE, "user"),
    NavItem("Security", routes.SECURITY, "shield"),
    NavItem("Back office", routes.BACK_OFFICE, "briefcase", staff_only=True),
]


@dataclass(frozen=True)
class PageSpec:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: Any = None


PAGES: list[PageSpec] = []


def _for_staff(item: NavItem, component: rx.Component) -> rx.Component:
    return rx.cond(SessionState.staff_role != "", component) if item.staff_only else component


def _nav_link(item: NavItem) -> rx.Component:
    return _for_staff(item, _plain_nav_link(item))


def _plain_nav_link(item: NavItem) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(item.icon, size=18), rx.text(item.label), spacing="2", align="center"),
        href=item.route,
        underline="none",
        padding_y="0.4em",
    )


def _sidebar() -> rx.Component:
    return rx.el.nav(
        rx.vstack(*[_nav_link(item) for item in NAV], spacing="1", align="start"),
        aria_label="Main",
        style={"width": "14em", "padding": "1em", "border-right": "1px solid var(--gray-a5)",
               "min-height": "calc(100vh - 3.5em)"},
    )


def _phone_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("menu"), variant="ghost", aria_label="Open menu")),
        rx.menu.content(
            *[_for_staff(item, rx.menu.item(rx.link(item.label, href=item.route, underline="none")))
              for item in NAV]
        ),
    )


def _org_switcher() -> rx.Component:
    """Shown to people in more than one organisation."""
    return rx.cond(
        SessionState.orgs.length() > 1,
        rx.select.root(
            rx.select.trigger(aria_label="Organisation", max_width="12em"),
            rx.select.content(rx.foreach(SessionState.orgs,
                                         lambda org: rx.select.item(org["name"], value=org["id"]))),
            value=SessionState.org_id,
            on_change=SessionState.switch_org,
            size="2",
        ),
    )


def _account_menu() -> rx.Component:
    """Who is signed in and the way out; or the way in."""
    return rx.cond(
        SessionState.signed_in,
        rx.hstack(
            _org_switcher(),
            rx.text(SessionState.user_name, size="2", trim="both",
                    display=rx.breakpoints(initial="none", sm="block"),  # no room on a phone
                    style={"max-width": "10em", "overflow": "hidden", "text-overflow": "ellipsis",
                           "white-space": "nowrap"}),
            rx.button("Sign out", variant="soft", size="2", on_click=SessionState.sign_out),
            align="center", spacing="3",
        ),
        rx.hstack(
            rx.link("Sign in", href=routes.SIGN_IN, size="2", style={"white-space": "nowrap"}),
            rx.link(rx.button("Register", size="2", variant="soft", tab_index=-1), href=routes.REGISTER),
            align="center", spacing="3",
        ),
    )


def _brand_logo() -> rx.Component:
    """The instance's own logo (PORTAL_LOGO), if one is configured."""
    if get_settings().logo_path is None:
        return rx.fragment()
    return rx.image(src="/api/branding/logo", alt="", height="2em", width="auto")


def _header() -> rx.Component:
    name = get_settings().portal_name
    return rx.el.header(
        rx.hstack(
            rx.mobile_and_tablet(_phone_menu()),
            _brand_logo(),
            rx.link(rx.text(name, size=rx.breakpoints(initial="3", sm="5"), weight="bold",
                            style={"white-space": "nowrap", "overflow": "hidden",
                                   "text-overflow": "ellipsis"}),
                    href=routes.HOME, underline="none", color="inherit", min_width="0"),
            rx.spacer(),
            _account_menu(),
            align="center",
            spacing="3",
            height="3.5em",
            padding_x="1em",
            width="100%",
        ),
        style={"border-bottom": "1px solid var(--gray-a5)"},
    )


def shell(*children: rx.Component) -> rx.Component:
    """Wrap page content in the header, navigation and main landmark."""
    return rx.box(
        _header(),
        rx.hstack(
            rx.desktop_only(_sidebar()),
            rx.el.main(*children, style={"padding": "1.5em", "width": "100%", "max-width": "60em"}),
            spacing="0",
            align="start",
        ),
    )


def _with_session(on_load: Any, private: bool) -> list:
    first = SessionState.require_login if private else SessionState.load_session
    rest = [] if on_load is None else on_load if isinstance(on_load, list) else [on_load]
    return [first, *rest]


def portal_page(*, route: str, title: str, on_load: Any = None, private: bool = False) -> Callable:
    """Register a page function: it is wrapped in the shell and added to the
    app. A private page sends a visitor without a live session to sign-in;
    its own handlers still check the session themselves."""

    def decorator(fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def wrapped() -> rx.Component:
            return shell(fn())

        wrapped.__name__ = fn.__name__
        PAGES.append(PageSpec(route=route, title=f"{title} · {get_settings().portal_name}",
                              component=wrapped, on_load=_with_session(on_load, private)))
        return fn

    return decorator
