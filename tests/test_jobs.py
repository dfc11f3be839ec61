"""The job consumer inside the portal process: it runs queued jobs within a
second, only one of the web server's worker processes consumes (a file
lock), and it stops with the portal."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from portal_app.jobs import queue
from portal_app.jobs.queue import huey, jobs_in_process
from portal_app.settings import get_settings
from tests.factories import run_async



@huey.task(name="test.touch")
def touch(path: str) -> None:
    Path(path).write_text("ran")


@pytest.fixture
def empty_queue(tmp_path):
    """A queue of this test's own."""
    from huey.storage import SqliteStorage

    own, huey.storage = huey.storage, SqliteStorage(queue.QUEUE_NAME, filename=str(tmp_path / "jobs.db"))
    yield
    huey.storage = own


def test_one_process_holds_the_consumer_lock():
    first = queue._take_consumer_lock()
    try:
        assert first is not None
        assert queue._take_consumer_lock() is None  # a second worker process would wait
    finally:
        first.close()
    again = queue._take_consumer_lock()
    assert again is not None
    again.close()


def test_the_in_process_consumer_runs_jobs_and_stops_with_the_portal(tmp_path, empty_queue):
    assert get_settings().jobs_in_process  # the embedded default
    marker = tmp_path / "ran.txt"

    async def portal_lifetime() -> float:
        async with jobs_in_process():
            touch(str(marker))
            started = time.monotonic()
            while not marker.exists() and time.monotonic() - started < 5:
                await asyncio.sleep(0.05)
            took = time.monotonic() - started
        return took

    took = run_async(portal_lifetime())
    assert marker.read_text() == "ran"
    assert took < 2
    lock = queue._take_consumer_lock()  # released at shutdown
    assert lock is not None
    lock.close()


def test_a_second_worker_process_waits_for_the_lock(tmp_path, empty_queue, monkeypatch):
    monkeypatch.setattr(queue, "LOCK_RETRY_SECONDS", 0.1)
    held = queue._take_consumer_lock()
    marker = tmp_path / "ran.txt"

    async def portal_lifetime() -> tuple[bool, bool]:
        async with jobs_in_process():
            touch(str(marker))
            await asyncio.sleep(1)
            while_held = marker.exists()
            held.close()  # the worker that had it ends: this one takes over
            started = time.monotonic()
            while not marker.exists() and time.monotonic() - started < 5:
                await asyncio.sleep(0.05)
            return while_held, marker.exists()

    while_held, after = run_async(portal_lifetime())
    assert (while_held, after) == (False, True)
