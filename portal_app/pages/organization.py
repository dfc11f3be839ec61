"""The organisation page: its profile and logo, its members and, for those
who manage them, invitations. Each section is its domain's component."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.members import invitations_card, members_card
from portal_app.components.org_profile import profile_card
from portal_app.state.members import MembersState
from portal_app.state.org_profile import OrgProfileState


@portal_page(route=routes.ORGANIZATION, title="Organisation", on_load=[MembersState.load, OrgProfileState.load],
             private=True)
def organization() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading(MembersState.org_name, size="7", as_="h1"), rx.spacer(),
                  rx.cond(MembersState.can_manage, rx.link("Audit log", href=routes.ORGANIZATION_AUDIT)),
                  width="100%", align="center", wrap="wrap"),
        profile_card(),
        members_card(),
        rx.cond(MembersState.can_manage, invitations_card()),
        spacing="4", width="100%",
    )
