"""Dates, times and numbers in the instance's locale and zone (babel), and the
settings that choose them: an unknown locale or zone stops the portal with a
clear message instead of quietly showing English dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from portal_app.services.formatting import format_date, format_datetime, format_number, page_position
from portal_app.settings import get_settings, load_settings

AFTERNOON = datetime(2026, 11, 26, 13, 5, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize(("locale", "tz", "short", "with_seconds"), [
    ("en_GB", "UTC", "26 Nov 2026, 13:05 UTC", "26 Nov 2026, 13:05:07 UTC"),
    ("en_US", "UTC", "Nov 26, 2026, 1:05\u202fPM UTC", "Nov 26, 2026, 1:05:07\u202fPM UTC"),
    ("de_DE", "UTC", "26.11.2026, 13:05 UTC", "26.11.2026, 13:05:07 UTC"),
    ("de_DE", "Europe/Berlin", "26.11.2026, 14:05 MEZ", "26.11.2026, 14:05:07 MEZ"),
    ("en_GB", "Europe/London", "26 Nov 2026, 13:05 GMT", "26 Nov 2026, 13:05:07 GMT"),
])
def test_date_times_follow_the_locale_and_name_their_zone(locale, tz, short, with_seconds):
    # babel may use a narrow no-break space before AM/PM (CLDR); compare with spaces made plain.
    def plain(text: str) -> str:
        return text.replace("\u202f", " ").replace("\xa0", " ")

    assert plain(format_datetime(AFTERNOON, locale=locale, tz=tz)) == plain(short)
    assert plain(format_datetime(AFTERNOON, seconds=True, locale=locale, tz=tz)) == plain(with_seconds)


@pytest.mark.parametrize(("locale", "expected"), [
    ("en_GB", "26 Nov 2026"), ("en_US", "Nov 26, 2026"), ("de_DE", "26.11.2026"), ("fr_FR", "26 nov. 2026")])
def test_dates_follow_the_locale(locale, expected):
    assert format_date(date(2026, 11, 26), locale=locale) == expected
    assert format_date(AFTERNOON, locale=locale) == expected


def test_a_date_time_is_dated_in_the_instance_zone():
    late = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc)
    assert format_date(late, locale="en_GB", tz="UTC") == "26 Nov 2026"
    assert format_date(late, locale="en_GB", tz="Europe/Berlin") == "27 Nov 2026"
    naive = late.replace(tzinfo=None)  # only ever UTC in this code base
    assert format_date(naive, locale="en_GB", tz="Europe/Berlin") == "27 Nov 2026"
    assert format_datetime(datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=2))), locale="en_GB",
                           tz="UTC") == "1 Jul 2026, 10:00 UTC"


@pytest.mark.parametrize(("locale", "expected"), [
    ("en_GB", ["0", "999", "1,234", "1,234,567", "1,234.5"]),
    ("en_US", ["0", "999", "1,234", "1,234,567", "1,234.5"]),
    ("de_DE", ["0", "999", "1.234", "1.234.567", "1.234,5"]),
])
def test_numbers_follow_the_locale(locale, expected):
    assert [format_number(n, locale=locale) for n in (0, 999, 1234, 1234567, 1234.5)] == expected


def test_the_defaults_are_en_gb_and_london(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_LOCALE", raising=False)
    monkeypatch.delenv("PORTAL_TIMEZONE", raising=False)
    s = load_settings()
    assert (s.locale, s.timezone) == ("en_GB", "Europe/London")


def test_the_instance_setting_is_used_when_none_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_LOCALE", "de-DE")
    monkeypatch.setenv("PORTAL_TIMEZONE", "Europe/Berlin")
    get_settings.cache_clear()
    try:
        assert get_settings().locale == "de_DE"
        assert format_datetime(AFTERNOON) == "26.11.2026, 14:05 MEZ"
        assert format_number(1234567) == "1.234.567"
    finally:
        get_settings.cache_clear()


def test_a_posix_style_locale_name_is_understood(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_LOCALE", "en_GB.UTF-8")  # what LANG often holds
    assert load_settings().locale == "en_GB"


@pytest.mark.parametrize("bad", ["xx_YY", "en_XX", "english", "../../etc/passwd"])
def test_an_unknown_locale_is_a_clear_error_at_startup(monkeypatch, tmp_path, bad):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_LOCALE", bad)
    with pytest.raises(ValueError, match=r"PORTAL_LOCALE=.* is not a locale babel knows; use a name like en_GB"):
        load_settings()


@pytest.mark.parametrize("bad", ["Mars/Olympus", "CEST+2", "../../etc/passwd"])
def test_an_unknown_time_zone_is_a_clear_error_at_startup(monkeypatch, tmp_path, bad):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_TIMEZONE", bad)
    with pytest.raises(ValueError, match=r"PORTAL_TIMEZONE=.* is not a time zone"):
        load_settings()


def test_the_pager_position_follows_the_locale():
    assert page_position(2, 31, 1523, locale="en_GB") == "Page 2 of 31 · 1,523 in all"
    assert page_position(2, 31, 1523, locale="de_DE") == "Page 2 of 31 · 1.523 in all"
    # A count that stopped at its cap (services/paging.py) gives no number of pages.
    assert page_position(3, 4, 10_000, capped=True, locale="en_GB") == "Page 3 · more than 10,000 in all"
    assert page_position(3, 4, 10_000, capped=True, locale="de_DE") == "Page 3 · more than 10.000 in all"
