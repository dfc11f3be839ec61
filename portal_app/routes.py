"""Every page route in one place, so links and redirects never hand-build
paths (redirect targets are checked against this list)."""

HOME = "/"
