"""Ids and forms from event payloads: one parser each, refusing whatever a
hostile client might send that Python's own `int()` would accept."""

from __future__ import annotations

import pytest

from portal_app.state.forms import ID_MAX, event_id, form_values


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), ("42", 42), ("007", 7), ("1" + "0" * 18, 10**18), (str(ID_MAX), ID_MAX),
])
def test_plain_ids_are_read(value, expected):
    assert event_id(value) == expected


HOSTILE = [
    1, 7, ID_MAX, True, False, 1.0, 2.5,  # the pages send strings; a JSON number is not theirs float("nan"), float("inf"),  # bools are ints; floats are not ids
    "+1", "-1", " 1", "1 ", "\t1", "1\n", "1_0", "1,0", "1.0", "1e3", "0x10", "0b1", "0o7",  # int() takes several
    "", " ", "0", "00", 0, -1, "-0",  # not a row
    "9" * 40, "9" * 20, str(ID_MAX + 1), ID_MAX + 1, 10**40, -(10**40),  # would overflow the driver
    "²", "١", "１", "٣٤", "\u0661\u0662",  # digits outside ASCII (`isdigit()` says yes to all)
    None, [], [1], ["1"], {}, {"id": 1}, (1,), b"1", bytearray(b"1"), 1j, object(),
    "1; DROP TABLE users", "1' OR '1'='1", "NaN", "Infinity", "true", "null",
]


def _id(value: object) -> str:
    """The same id in every process (an object's repr carries its address)."""
    return "object()" if type(value) is object else repr(value)


@pytest.mark.parametrize("value", HOSTILE, ids=_id)
def test_anything_else_is_no_id(value):
    assert event_id(value) is None


@pytest.mark.parametrize("value", [None, "form", ["email"], 1, True, ("a", "b")], ids=repr)
def test_only_a_dict_is_a_form(value):
    assert form_values(value) == {}


def test_a_dict_is_the_form():
    assert form_values({"email": "a@example.com"}) == {"email": "a@example.com"}
