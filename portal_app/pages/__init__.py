"""Pages. Importing this package registers every page on `layout.PAGES`."""

from portal_app.pages import home  # noqa: F401
