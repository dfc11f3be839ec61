"""Both storage backends, the local directory and S3 (moto's server on a
loopback port): files stream in and out in chunks, a stream past its limit
leaves nothing behind, keys cannot escape, and a big upload keeps the
process's memory flat."""

from __future__ import annotations

import hashlib
import os
import tracemalloc

import pytest

from portal_app.integrations.storage import S3Storage, TooBig, check_key, new_key, read_all

MB = 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024, seed: bytes = b"x"):
    """`total` bytes of varied content, generated as they are consumed."""
    block = hashlib.sha256(seed).digest() * (size // 32)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def _digest(chunks) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def _leftovers(storage) -> list[str]:
    if isinstance(storage, S3Storage):
        objects = storage.client.list_objects_v2(Bucket=storage.bucket).get("Contents", [])
        uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
        return [o["Key"] for o in objects] + [u["Key"] for u in uploads]
    return [str(p) for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


def test_a_small_file_round_trips(storage):
    key = new_key("logos/1")
    assert storage.save(key, [b"\x89PNG", b"rest"]) == 8
    assert read_all(storage, key) == b"\x89PNGrest"
    storage.delete(key)
    assert _leftovers(storage) == []


def test_an_empty_file_is_a_file(storage):
    key = new_key("files/1")
    assert storage.save(key, iter(())) == 0
    assert read_all(storage, key) == b""


def test_a_big_file_streams_in_parts_and_back(storage):
    key = new_key("files/2")
    total = 20 * MB + 123  # three S3 parts
    assert storage.save(key, _chunks(total)) == total
    assert _digest(storage.open(key)) == _digest(_chunks(total))
    assert max(len(c) for c in storage.open(key)) <= 64 * 1024 * 2  # handed out in chunks, not whole


def test_past_the_limit_nothing_is_kept(storage):
    with pytest.raises(TooBig):
        storage.save(new_key("files/3"), _chunks(10 * MB), max_bytes=9 * MB)
    with pytest.raises(TooBig):
        storage.save(new_key("files/3"), _chunks(1000), max_bytes=999)
    assert _leftovers(storage) == []


def test_a_broken_upload_keeps_nothing(storage):
    def broken():
        yield from _chunks(9 * MB)
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        storage.save(new_key("files/4"), broken())
    assert _leftovers(storage) == []


def test_a_replaced_file_is_replaced_whole(storage):
    key = new_key("files/5")
    storage.save(key, [b"first version"])
    storage.save(key, [b"second"])
    assert read_all(storage, key) == b"second"


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "UPPER", "a//b", "", "x" * 201, "a\\b"])
def test_keys_cannot_escape(key):
    with pytest.raises(ValueError):
        check_key(key)


def test_memory_stays_flat_while_a_big_file_streams_in_and_out(storage):
    """100 MB through each backend: the process holds at most a part or so."""
    key = new_key("files/6")
    total = 100 * MB
    tracemalloc.start()
    try:
        storage.save(key, _chunks(total))
        saved_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        assert sum(len(c) for c in storage.open(key)) == total
        read_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert saved_peak < 25 * MB, f"saving held {saved_peak / MB:.0f} MB"
    assert read_peak < 25 * MB, f"reading held {read_peak / MB:.0f} MB"
    storage.delete(key)
