"""portal_app: a self-hosted customer portal.

Kept import-light on purpose: `rxconfig.py` imports `portal_app.settings`, and
the CLI (`python -m portal_app`) must not pay for Reflex when it only migrates.
"""
