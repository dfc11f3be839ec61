"""What a handler reads from an event payload. Any client can send any
payload (a hostile one writes the websocket frames by hand), so a form is
only a dict and an id is only a string of digits: one definition each,
used by every page state."""

from __future__ import annotations

import re

# A database id: 1 to 2**63 - 1 (BIGINT, SQLite's INTEGER). A larger number
# would overflow the driver rather than simply match nothing.
ID_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also accepts "²" and "١"


def form_values(form: object) -> dict:
    """Any client can send any payload: only a dict is a form (its values are
    checked by the services, which refuse what is not a string)."""
    return form if isinstance(form, dict) else {}


def event_id(value: object) -> int | None:
    """A row id as every page sends it: a string of ASCII digits (the pages
    put `str(id)` in their rows). Anything else is None, which the services
    answer as "not found".

    Refused: numbers that are not strings (JSON `7`, `true`, `1.0`), signs,
    spaces, underscores (`int()` accepts all three), non-ASCII digits, zero,
    and numbers over `ID_MAX`."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None
