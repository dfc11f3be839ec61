"""Dates, times and numbers as people read them, in the instance's one locale
(`PORTAL_LOCALE`, babel) and time zone (`PORTAL_TIMEZONE`, default Europe/London), so
that every page agrees. Times are stored in UTC; they are shown in the
configured zone and the zone is always named ("26 Nov 2026, 13:05 UTC"),
because a bare time on a log is a guess.

Plain Python (no Reflex): services use it for sentences, states for rows.
Every function takes an optional `locale`/`tz` so tests and callers can pick
one without touching the environment.
"""

from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from portal_app.settings import get_settings


@lru_cache(maxsize=16)
def _locale(name: str) -> Locale:
    return Locale.parse(name.replace("-", "_"))


@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo:
    return timezone.utc if name == "UTC" else ZoneInfo(name)


def current_locale(locale: str | None = None) -> Locale:
    """The babel Locale to use: the given name, else the instance's."""
    return _locale(locale or get_settings().locale)


def current_zone(tz: str | None = None) -> tzinfo:
    """The zone times are shown in (and audit date filters mean)."""
    return _zone(tz or get_settings().timezone)


def _aware(value: datetime) -> datetime:
    # Our columns return aware UTC values; a naive one can only mean UTC here.
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def format_datetime(value: datetime, *, seconds: bool = False, locale: str | None = None,
                    tz: str | None = None) -> str:
    """"26 Nov 2026, 13:05 UTC" (en_GB), "26.11.2026, 14:05 MEZ" (de_DE,
    Europe/Berlin), "Nov 26, 2026, 1:05 PM UTC" (en_US)."""
    loc, zone = current_locale(locale), current_zone(tz)
    shown = _aware(value).astimezone(zone)
    day = babel_dates.format_date(shown, "medium", locale=loc)
    time = babel_dates.format_time(shown, "medium" if seconds else "short", tzinfo=zone, locale=loc)
    zone_name = babel_dates.format_time(shown, "z", tzinfo=zone, locale=loc)
    return f"{loc.datetime_formats['medium'].format(time, day)} {zone_name}"


def format_due(value: datetime, *, now: datetime | None = None, locale: str | None = None,
               tz: str | None = None) -> str:
    """A time a promise is kept by, short enough for a sentence: "Tue 14:00
    GMT" within the coming week, "Tue 8 Dec 2026, 14:00 GMT" beyond it (en_GB;
    the weekday, date and hour cycle follow the locale)."""
    loc, zone = current_locale(locale), current_zone(tz)
    shown = _aware(value).astimezone(zone)
    today = _aware(now or datetime.now(timezone.utc)).astimezone(zone).date()
    time = babel_dates.format_time(shown, "short", tzinfo=zone, locale=loc)
    zone_name = babel_dates.format_time(shown, "z", tzinfo=zone, locale=loc)
    weekday = babel_dates.format_skeleton("EEE", shown, locale=loc)
    if 0 <= (shown.date() - today).days < 6:
        return f"{weekday} {time} {zone_name}"
    day = f"{weekday} {babel_dates.format_date(shown, 'medium', locale=loc)}"
    return f"{loc.datetime_formats['medium'].format(time, day)} {zone_name}"


def format_date(value: date | datetime, *, locale: str | None = None, tz: str | None = None) -> str:
    """"26 Nov 2026" (en_GB), "26.11.2026" (de_DE). A datetime is first moved
    to the instance's zone, so the day is the one the person lives in."""
    if isinstance(value, datetime):
        value = _aware(value).astimezone(current_zone(tz)).date()
    return babel_dates.format_date(value, "medium", locale=current_locale(locale))


def format_number(value: int | float | Decimal, *, locale: str | None = None) -> str:
    """"1,234,567" (en_GB), "1.234.567" (de_DE). Not for money: that needs its
    currency (babel's format_currency) and integer minor units."""
    return babel_numbers.format_decimal(value, locale=current_locale(locale))


def zone_name(*, locale: str | None = None, tz: str | None = None) -> str:
    """The zone's name as the formatted times show it ("UTC", "CET")."""
    zone = current_zone(tz)
    return babel_dates.format_time(datetime.now(zone), "z", tzinfo=zone, locale=current_locale(locale))


def page_position(page: int, pages: int, total: int, *, capped: bool = False, locale: str | None = None) -> str:
    """Where a paged list is, for the pager: "Page 2 of 31 · 1,523 in all";
    for a list whose count stopped at `total` (services/paging.py `CAP`),
    "Page 3 · more than 10,000 in all"."""
    n = lambda value: format_number(value, locale=locale)  # noqa: E731
    if capped:
        return f"Page {n(page)} · more than {n(total)} in all"
    return f"Page {n(page)} of {n(pages)} · {n(total)} in all"


def format_size(size: int, *, locale: str | None = None) -> str:
    """A file's size as people read it, in decimal units like the limits
    (`settings.MB`): "820 bytes", "14 kB", "3.2 MB"."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            amount = size / scale
            shown = format_number(round(amount, 1) if amount < 10 else round(amount), locale=locale)
            return f"{shown} {unit}"
    return f"{format_number(size, locale=locale)} byte{'' if size == 1 else 's'}"


def format_money(amount: int, currency: str, *, locale: str | None = None) -> str:
    """Integer minor units as people read money: 123456 GBP is "£1,234.56"
    (en_GB), "1.234,56 £" (de_DE); 1234 JPY is "¥1,234". Always with the
    currency's own number of digits."""
    value = Decimal(amount).scaleb(-babel_numbers.get_currency_precision(currency))
    return babel_numbers.format_currency(value, currency, locale=current_locale(locale))
