"""What a handler reads from an event payload. Any client can send any
payload (a hostile one writes the websocket frames by hand), so a form is
only a dict and an id is only a plain positive number: one definition each,
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
    """A row id as a page sends it (a string of ASCII digits, or an int);
    anything else is None, which the services answer as "not found".

    Refused: bools (`True` is an int in Python), floats, signs, spaces,
    underscores (`int()` accepts all three), non-ASCII digits, zero, and
    numbers over `ID_MAX`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ID_MAX else None
