"""Input cleaning shared by every service: strings are trimmed, bounded and
refused with a message that names the field."""

from __future__ import annotations

import re
import unicodedata

from portal_app.services.errors import Invalid

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """A trimmed single-line string, or `Invalid` saying what is wrong."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text) or "\n" in text or "\r" in text:
        raise Invalid(f"{label} must be a single line of text.", field=field)
    if required and not text:
        raise Invalid(f"{label} is required.", field=field)
    if len(text) > max_length:
        raise Invalid(f"{label} must be at most {max_length} characters.", field=field)
    return text


_MULTILINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_multiline(value: object, *, field: str, label: str, max_length: int, max_lines: int = 10) -> str:
    """Trimmed text that may span a few lines (an address)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if _MULTILINE_CONTROL.search(text) or "\r" in text:
        raise Invalid(f"{label} contains characters that are not allowed.", field=field)
    if len(text) > max_length:
        raise Invalid(f"{label} must be at most {max_length} characters.", field=field)
    if text.count("\n") >= max_lines:
        raise Invalid(f"{label} must be at most {max_lines} lines.", field=field)
    return "\n".join(line.strip() for line in text.split("\n"))


def clean_long_text(value: object, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Text of several lines (Markdown, a comment), or `Invalid` saying what
    is wrong: NFC, line ends as "\n", NUL characters dropped, trimmed."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not text:
        raise Invalid(f"{label} is required.", field=field)
    if len(text) > max_length:
        raise Invalid(f"{label} must be at most {max_length:,} characters.", field=field)
    return text

def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character "\\") matching `text` anywhere, lower-cased,
    with the user's own % and _ taken literally."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def slugify(text: str, *, max_length: int = 60) -> str:
    """A URL-safe ASCII slug ("Acme Ltd." -> "acme-ltd")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "org"
