"""The domain layer: plain Python, no Reflex or FastAPI imports (a test checks).

Every action authorises its caller and raises `errors.PortalError` subclasses
that the UI and API map to messages and status codes in one place each.
"""
