"""Keep secrets out of every log line. Reflex logs a failing event with its
router data, which includes the websocket's Cookie header, so any client
could otherwise write its (or, via a shared proxy log, someone's) session
token into the server log by sending a bad event. The record factory is
process-wide, so this covers Reflex, granian and our own loggers alike."""

from __future__ import annotations

import logging
import re

from portal_app.services.sessions import COOKIE_BASE_NAME

_PATTERNS = [
    re.compile(rf"({re.escape(COOKIE_BASE_NAME)}=)[^;'\"\s,}}]+"),
    re.compile(r"""(['"]cookie['"]\s*:\s*['"])[^'"]*"""),
    re.compile(r"(token=)[A-Za-z0-9_\-]{20,}"),
    # Stripe secrets: API keys, restricted keys, webhook signing secrets, and
    # the client secrets of intents (they let a browser confirm a payment).
    re.compile(r"\b((?:sk|rk)_(?:live|test)_|whsec_)[A-Za-z0-9]+"),
    re.compile(r"\b((?:pi|seti)_[A-Za-z0-9]+_secret_)[A-Za-z0-9]+"),
]
_installed = False


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


def install() -> None:
    """Wrap the log record factory once; records are redacted as they are made."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
