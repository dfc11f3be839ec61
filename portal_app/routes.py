"""Every page path in one place, so links, redirects and tests agree, and so
redirect targets can be checked against an allow-list of our own paths."""

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

AUTH_COMPLETE = "/auth/complete"
AUTH_LOGOUT = "/auth/logout"

# Where a sign-in may send the person afterwards (`?next=`).
SAFE_NEXT = frozenset({HOME, DASHBOARD, SECURITY})


def safe_next(value: object, default: str = DASHBOARD) -> str:
    """Only our own pages; never an absolute URL, `//host` or `javascript:`."""
    return value if isinstance(value, str) and value in SAFE_NEXT else default
