"""The signed-in person, as every page state sees them.

Reflex state is a cache, never proof of login: every handler that reads or
changes anything awaits `_principal()`, which resolves the HttpOnly session
cookie (carried by the websocket handshake, kept out of the browser's state by
Reflex) against the sessions table, in one statement off the event loop.
Public vars hold only what the person may see; the token itself never lands
in a var."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import json
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import TypeVar
from urllib.parse import urlencode

import reflex as rx
from reflex.middleware import Middleware

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import live, notifications, sessions, tokens
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from portal_app.state import live as live_pages
from portal_app.state.forms import event_id

T = TypeVar("T")


def navigate(url: str) -> rx.event.EventSpec:
    """A full page load (not client routing), so the next websocket carries
    the new cookie and a fresh Reflex token."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def complete_sign_in(ticket: str, next_path: object = None) -> rx.event.EventSpec:
    """Hand the login ticket to /auth/complete: its first half in the URL, its
    binding half in a 60-second cookie only this browser has (see
    `accounts._ticket`), then a full page load so the session cookie is set."""
    first, _, binding = ticket.partition(tokens.TICKET_SEPARATOR)
    url = f"{routes.AUTH_COMPLETE}?{urlencode({'ticket': first, 'next': routes.safe_next(next_path)})}"
    secure = "; Secure" if get_settings().is_https else ""
    cookie = f"{sessions.TICKET_BINDING_COOKIE}={binding}; Path={routes.AUTH_COMPLETE}; Max-Age=60; SameSite=Strict{secure}"
    return rx.call_script(f"document.cookie = {json.dumps(cookie)}; window.location.assign({json.dumps(url)})")


def _in_transaction(fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    with session_scope() as session:
        return fn(session, *args, **kwargs)


async def in_transaction(fn: Callable[..., T], *args, **kwargs) -> T:
    """The one way state reaches the database: `fn(session, *args, **kwargs)`
    in one transaction (`db.session_scope`) on a worker thread. Handlers run
    on the event loop that serves every connected person; a query there,
    however short, makes all of them wait for it. Page states use it as
    `self._read` (a read) or `self._act` (an action)."""
    return await asyncio.to_thread(_in_transaction, fn, args, kwargs)


async def resolve_token(token: str | None) -> Principal | None:
    """The person behind a session cookie's token, looked up off the event
    loop in one statement (`sessions.resolve`); no lookup without a token."""
    return await in_transaction(sessions.resolve, token) if token else None


class SessionState(rx.State):
    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    email_verified: bool = False
    org_name: str = ""
    org_role: str = ""
    org_id: str = ""
    orgs: list[dict[str, str]] = []  # every organisation of the person, for the switcher
    staff_role: str = ""
    unread: int = 0  # the bell's count: read at each page load, and again on its live signal
    busy: str = ""  # the form action running now (see `busy`), so its button shows it
    # The login session whose data this tab's states hold (0: none). Reflex
    # state belongs to a client token, not to a login: when the session that
    # resolves from this request's cookie is another one, the cache is emptied.
    _owner_session: int = 0
    # The websocket connection whose page load last resolved the session. A
    # full page load brings a new connection but the old state's facts, so
    # until this load's handler has run the shell shows neither "signed in"
    # nor "signed out" (see `session_resolved`).
    _resolved_for: str = ""

    def _session_state(self) -> SessionState:
        state = self
        while type(state) is not SessionState:
            state = state.parent_state
        return state

    def _claim(self, principal: Principal | None) -> None:
        """Drop everything this tab's states hold when it was loaded for
        another login session (or none): a leaked client token, a signed-out
        or expired session, a different person on the same tab."""
        owner = (principal.session_id or 0) if principal else 0
        holder = self._session_state()
        if holder._owner_session != owner:
            holder.reset()  # this state and every page state under it
            holder._owner_session = owner

    @rx.var(cache=False)
    def session_resolved(self) -> bool:
        """True once `load_session`/`require_login` ran on this connection."""
        return bool(self._resolved_for) and self._resolved_for == self.router.session.session_id

    def _cookie_token(self) -> str | None:
        try:
            cookie = SimpleCookie(self.router.headers.cookie or "")
        except CookieError:
            return None
        morsel = cookie.get(sessions.cookie_name())
        return morsel.value if morsel else None

    def _query(self, name: str) -> str:
        return self.router.url.query_parameters.get(name, "")

    def _client_ip(self) -> str:
        return self.router.session.client_ip or ""

    async def _principal(self) -> Principal | None:
        """The one way a handler learns who is acting; None means nobody.
        Off the event loop (`resolve_token`), so that other people's events
        keep flowing meanwhile."""
        return self._adopt(await resolve_token(self._cookie_token()))

    def _adopt(self, principal: Principal | None) -> Principal | None:
        """This tab now belongs to `principal`'s session (see `_claim`); the
        principal gets this request's address for the audit log."""
        self._claim(principal)
        return dataclasses.replace(principal, ip=self._client_ip()) if principal else None

    def _show(self, principal: Principal | None) -> None:
        """Set the shared "who is signed in" vars (not `reset()`: called from a
        page's substate, that would wipe the page's own vars)."""
        current = principal.current if principal else None
        self.signed_in = principal is not None
        self.user_name = principal.name if principal else ""
        self.user_email = principal.email if principal else ""
        self.email_verified = principal.email_verified if principal else False
        self.org_name, self.org_role = (current.org_name, current.role) if current else ("", "")
        self.org_id = str(current.org_id) if current else ""
        self.orgs = [{"id": str(m.org_id), "name": m.org_name} for m in principal.memberships] if principal else []
        self.staff_role = (principal.staff_role or "") if principal else ""
        if principal is None:
            self.unread = 0

    async def _read(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """What a page shows: a service read (`fn(session, ...)`) in one
        transaction off the event loop (`in_transaction`)."""
        return await in_transaction(fn, *args, **kwargs)

    async def _act(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a service call in one transaction on a worker thread (argon2
        would otherwise stall every other person's events). Mail it queued
        goes out as a job once the transaction commits (`services.mail`)."""
        return await in_transaction(fn, *args, **kwargs)

    async def _count_unread(self, principal: Principal | None) -> None:
        """The bell's number, read whenever a page loads (off the loop)."""
        self.unread = await self._read(notifications.unread_count, principal) if principal else 0

    async def _watch(self, *keys: str) -> None:
        """This page shows `keys`: when one changes, `_live` runs on this
        state (see `state/live.py`). Call it from the page's load."""
        await live_pages.watch(self, keys)

    async def _live(self, keys: list[str]) -> None:
        """Something this state shows changed (its `_watch` keys): read it
        again for the person signed in now. The shell's: the bell."""
        await self._count_unread(await self._principal())

    async def _shown(self, principal: Principal | None) -> None:
        """What every page load does first: show who is signed in, count the
        bell, and watch the bell's key instead of what the last page watched."""
        self._show(principal)
        await self._count_unread(principal)
        self._resolved_for = self.router.session.session_id
        bell = [live.person_key(principal.user_id, "notifications")] if principal else []
        await live_pages.watch(self, bell, replace=True)

    @rx.event
    async def load_session(self) -> None:
        """For public pages: show who is signed in, if anyone."""
        await self._shown(await self._principal())

    @rx.event
    async def require_login(self):
        """For private pages: without a live session, go to sign-in and back."""
        principal = await self._principal()
        await self._shown(principal)
        path = self.router.url.path.rstrip("/") or "/"
        if principal is None:
            return rx.redirect(f"{routes.SIGN_IN}?{urlencode({'next': routes.safe_next(path)})}")
        if principal.needs_mfa_setup and path != routes.SECURITY:
            # An organisation requires MFA: lead the person to set it up first.
            return rx.redirect(routes.SECURITY)
        return None

    @rx.event
    async def switch_org(self, org_id: str):
        """Work in another of one's organisations; the page reloads for it."""
        principal = await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        try:
            await self._act(sessions.switch_organization, principal, event_id(org_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        self._show(await self._principal())
        return navigate(routes.safe_next(self.router.url.path.rstrip("/")))

    @rx.event
    async def sign_out(self):
        """End the session on the server, forget this tab's Reflex state, and
        let the logout route clear the HttpOnly cookie: it takes only a POST
        from our own origin, so the page submits a small form to it."""
        token = self._cookie_token()
        if token:
            await in_transaction(sessions.end, token, ip=self._client_ip())
        self._session_state().reset()
        return rx.call_script(
            "window.sessionStorage.clear(); const f = document.createElement('form'); f.method = 'post';"
            f" f.action = {json.dumps(routes.AUTH_LOGOUT)}; document.body.appendChild(f); f.submit()")


def busy(action: str) -> Callable:
    """Mark a form's handler as running while it runs: its button (see
    `components.forms.submit_button`) shows a spinner and is disabled, so a
    second click has nothing to press. The first update reaches the page
    before the work starts; the flag is cleared however the work ends."""

    def decorator(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        async def run(self, *args, **kwargs):  # noqa: ANN001, ANN202
            self.busy = action
            yield
            try:
                result = fn(self, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
            finally:
                self.busy = ""
            yield result

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN202
            # A payload that does not fit (extra or missing fields from a
            # hostile client) is refused here, before anything runs, exactly
            # as Reflex refuses it for an undecorated handler.
            signature.bind(self, *args, **kwargs)
            return run(self, *args, **kwargs)

        wrapper._busy = action  # see `signed_in`: it must sit below `@busy`
        return wrapper

    return decorator


SIGN_IN_AGAIN = "Please sign in again."


def signed_in(*, in_org: bool = False) -> Callable:
    """Resolve the acting person once, before the handler runs, and pass them
    as its first argument after `self`: `async def save(self, principal, form)`.
    Without a live session (or, with `in_org`, without a current organisation:
    staff belong to none) the handler does not run and the page says "Please
    sign in again." — the one way every action handler asks for it.

    Reflex sees the handler without `principal`: the wrapper's signature and
    annotations leave it out, so a client cannot send one, and a payload that
    does not fit is refused before the session is even looked up. Put
    `@busy(...)` above this decorator (its spinner covers the whole call)."""

    def decorator(fn: Callable) -> Callable:
        if hasattr(fn, "_busy"):
            raise TypeError(f"{fn.__qualname__}: put @busy above @signed_in, not below")
        signature = inspect.signature(fn)
        self_param, principal_param, *payload = signature.parameters.values()
        public = signature.replace(parameters=[self_param, *payload])

        @functools.wraps(fn)
        async def wrapper(self, *args, **kwargs):  # noqa: ANN001, ANN202
            public.bind(self, *args, **kwargs)  # refuse a misfit payload before anything runs
            principal = await self._principal()
            if principal is None or (in_org and principal.current is None):
                return rx.toast.error(SIGN_IN_AGAIN)
            result = fn(self, principal, *args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        wrapper.__signature__ = public
        wrapper.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != principal_param.name}
        return wrapper

    return decorator


def field_errors(err: PortalError) -> tuple[str, dict[str, str]]:
    """The one mapping from a domain error to a form: a message next to the
    named field, or a general one above the form."""
    if err.field:
        return "", {err.field: err.message}
    return err.message, {}


class SessionGuard(Middleware):
    """Before a tab's state is sent in full (the hydrate at every page load
    and reconnect), empty it unless it was loaded for the login session of
    this very connection's cookie. A client token alone (it sits in
    sessionStorage and in the socket URL) must not open someone's data."""

    _HYDRATE = frozenset({f"{rx.State.get_full_name()}.hydrate", f"{rx.State.get_full_name()}.hydrate_and_load"})

    async def preprocess(self, app, state, event):  # noqa: ANN001 — Reflex's signature
        if event.name in self._HYDRATE:
            holder = await state.get_state(SessionState)
            holder._claim(await resolve_token(holder._cookie_token()))
        return None
