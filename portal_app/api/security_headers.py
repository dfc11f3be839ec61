"""ASGI middleware adding the security headers Reflex does not set, on every
HTTP response (pages, API and static files alike)."""

from __future__ import annotations

from portal_app.settings import get_settings

# React Router's production build hydrates with an inline script, so scripts
# need 'unsafe-inline'; and Reflex runs every server-driven browser action
# (toasts, `rx.call_script`, the full navigation that completes a sign-in)
# through `eval` in its state.js, so they need 'unsafe-eval'. Only strings our
# server sends are evaluated, and any user data in them is JSON-encoded.
# Everything else is locked to our own origin: the connections, forms, base
# URL, objects and framing that an injected script would need.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def security_headers(app):  # noqa: ANN001, ANN201
    """Wrap `app` so every HTTP response carries our security headers."""
    extra = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if get_settings().is_https:
        extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def wrapped(scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message):  # noqa: ANN001
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in names
                ]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
