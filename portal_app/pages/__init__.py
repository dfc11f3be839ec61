"""Pages. Importing this package registers every page on `layout.PAGES`."""

from portal_app.pages import (  # noqa: F401
    audit_log, back_office, dashboard, home, not_found, organization, password_reset, profile, register, security,
    sign_in,
)
