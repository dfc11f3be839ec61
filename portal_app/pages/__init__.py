"""Pages. Importing this package registers every page on `layout.PAGES`."""

from portal_app.pages import dashboard, home, password_reset, register, security, sign_in  # noqa: F401
