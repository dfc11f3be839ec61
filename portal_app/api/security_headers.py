"""ASGI middleware adding the security headers Reflex does not set, on every
HTTP response (pages, API and static files alike).

Scripts: no 'unsafe-inline'. React Router's production build hydrates with a
few inline `<script>`s whose bodies change with every build, so at the first
request we hash the bodies of every inline script in the built pages
(`.web/build/client/**/*.html`) and allow exactly those. Reflex runs every
server-driven browser action (toasts, `rx.call_script`, the full navigation
that completes a sign-in or submits the sign-out form) through `eval` in its
state.js, so scripts keep 'unsafe-eval'; only strings our server sends are
evaluated, and any user data in them is JSON-encoded. Everything else is
locked to our own origin, and `<base>` and plugins are refused outright."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from portal_app.settings import get_settings

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def client_build_dir() -> Path:
    """Where `reflex export`/`reflex run --env prod` puts the built pages."""
    from reflex import constants
    from reflex.utils.prerequisites import get_web_dir

    return get_web_dir() / constants.Dirs.STATIC


def inline_script_hashes(build_dir: Path) -> list[str]:
    """'sha256-…' sources for the body of every inline script in the built
    pages, sorted so the header is the same on every instance of one build."""
    found: set[str] = set()
    for page in build_dir.rglob("*.html"):
        for attributes, body in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8", errors="replace")):
            if not body and "src=" in attributes:
                continue  # an external script: covered by 'self'
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_sources() -> dict[str, list[str]]:
    """What card payments add to the policy, only when Stripe is set up:
    Stripe.js from its configured origin (Stripe's own, or localstripe in
    tests), its frames (card fields, 3-D Secure), and its API."""
    settings = get_settings()
    if not settings.stripe_enabled:
        return {"script": [], "frame": [], "connect": []}
    js = _origin(settings.stripe_js_url)
    api = _origin(settings.stripe_api_base)
    frames = [js] if js != "https://js.stripe.com" else [js, "https://hooks.stripe.com"]
    return {"script": [js], "frame": frames, "connect": sorted({js, api})}


def content_security_policy(script_hashes: list[str]) -> str:
    stripe = stripe_sources()
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self' 'unsafe-eval'", *stripe["script"], *script_hashes]),
        "style-src 'self' 'unsafe-inline'",  # Radix and emotion set inline styles
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        " ".join(["connect-src 'self'", *stripe["connect"]]),
        *([" ".join(["frame-src", *stripe["frame"]])] if stripe["frame"] else []),
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(app, build_dir: Path | None = None):  # noqa: ANN001, ANN201
    """Wrap `app` so every HTTP response carries our security headers.
    `build_dir` is where the built pages are (default: Reflex's)."""
    static = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if get_settings().is_https:
        static.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    csp: list[bytes] = []  # computed once, at the first request that finds the built pages

    def headers() -> list[tuple[bytes, bytes]]:
        if not csp:
            hashes = inline_script_hashes(build_dir or client_build_dir())
            policy = content_security_policy(hashes).encode()
            if not hashes:  # no build yet (dev mode, tests of the API alone): try again next time
                return [(b"content-security-policy", policy), *static]
            csp.append(policy)
        return [(b"content-security-policy", csp[0]), *static]

    async def wrapped(scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message):  # noqa: ANN001
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in headers() if k not in names
                ]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
