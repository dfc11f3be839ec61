"""The one job queue. On the embedded default it is a SQLite file next to the
database and its consumer runs inside the portal process, so one command
still starts everything; with `PORTAL_REDIS_URL` it is Redis, and
`python -m portal_app worker` processes (one or many, on any machine) run the
jobs. Jobs carry ids, never rows: each reads what is committed when it runs."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator
from typing import IO

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from portal_app.settings import Settings, get_settings

QUEUE_NAME = "portal"
# Idle workers look for new jobs at least this often (huey backs off from
# 0.1 s up to this; its default, 10 s, would hold mail back that long): an
# idle SQLite queue costs a few tiny queries per second.
MAX_POLL_SECONDS = 0.25
SHUTDOWN_SECONDS = 10
LOCK_RETRY_SECONDS = 5

log = logging.getLogger(__name__)


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.jobs_path), results=False, utc=True)


huey = make_huey(get_settings())


class _InProcessConsumer(Consumer):
    """huey's consumer on threads, without its signal handlers: inside the
    web server the server owns the process's signals (and its lifespan stops
    the consumer)."""

    def _set_signal_handlers(self) -> None:
        pass


def consumer(*, workers: int = 2, in_process: bool = False) -> Consumer:
    kind = _InProcessConsumer if in_process else Consumer
    return kind(huey, workers=workers, worker_type="thread", periodic=True, max_delay=MAX_POLL_SECONDS,
                shutdown_timeout=SHUTDOWN_SECONDS)


def _take_consumer_lock() -> IO | None:
    """The web server may run several worker processes, each with this
    lifespan: an exclusive lock on a file in the data directory lets exactly
    one of them consume (the lock goes with the process if it dies)."""
    handle = (get_settings().data_dir / "jobs.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


async def _consume_when_free(stop: asyncio.Event) -> None:
    """Take the lock (now, or when the process holding it ends), run the
    consumer until the portal stops, then let it finish its jobs."""
    import portal_app.jobs  # noqa: F401 — every task registered before the first job is taken

    while (lock := _take_consumer_lock()) is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LOCK_RETRY_SECONDS)
        if stop.is_set():
            return
    running = consumer(in_process=True)
    running.start()
    log.info("jobs run in this process (%s)", type(huey.storage).__name__)
    try:
        await stop.wait()
    finally:
        await asyncio.to_thread(running.stop, graceful=True)
        lock.close()


@contextlib.asynccontextmanager
async def jobs_in_process() -> AsyncIterator[None]:
    """Lifespan of the portal process: run the consumer beside the web server
    unless jobs run in worker processes (`PORTAL_JOBS_IN_PROCESS=0`, the
    default with Redis)."""
    if not get_settings().jobs_in_process:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_consume_when_free(stop))
    try:
        yield
    finally:
        stop.set()
        await task
