"""`/`: for a visitor, the help centre once it has public articles (HomeState
sends them there), else the sign-in page; for a signed-in person, their
dashboard (SignInState.load sends them there). Until that is decided it
shows the neutral placeholder, so nobody sees a sign-in form flash by."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import loading, portal_page
from portal_app.pages.sign_in import sign_in
from portal_app.state.knowledge import HomeState
from portal_app.state.session import SessionState
from portal_app.state.sign_in import SignInState


@portal_page(route=routes.HOME, title="Sign in", on_load=[SignInState.load, HomeState.load])
def home() -> rx.Component:
    return rx.cond(SessionState.session_resolved & ~SessionState.signed_in & HomeState.show_sign_in,
                   sign_in(), loading())
