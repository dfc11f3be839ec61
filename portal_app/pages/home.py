"""`/`: for a visitor, the sign-in page and, once the help centre has
public articles, a way into it (search or browse) without signing in; for a
signed-in person, their dashboard (SignInState.load sends them there).
Until the session is resolved it shows the neutral placeholder, so a
signed-in person never sees a sign-in form flash by."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.knowledge import help_teaser
from portal_app.components.layout import loading, portal_page
from portal_app.pages.sign_in import sign_in
from portal_app.state.knowledge import HelpTeaserState
from portal_app.state.session import SessionState
from portal_app.state.sign_in import SignInState


@portal_page(route=routes.HOME, title="Sign in", on_load=[SignInState.load, HelpTeaserState.load])
def home() -> rx.Component:
    return rx.cond(SessionState.session_resolved & ~SessionState.signed_in,
                   rx.vstack(sign_in(), help_teaser(), spacing="5", width="100%"), loading())
