"""The one job queue. On the embedded default it is a SQLite file next to the
database and its consumer runs inside the portal process, so one command
still starts everything; with `PORTAL_REDIS_URL` it is Redis, and
`python -m portal_app worker` processes (one or many, on any machine) run the
jobs. Jobs carry ids, never rows: each reads what is committed when it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from portal_app.settings import Settings, get_settings

QUEUE_NAME = "portal"
# Idle workers look for new jobs at least this often (huey backs off from
# 0.1 s up to this): mail leaves within about a second, and an idle SQLite
# queue costs one tiny query per second.
MAX_POLL_SECONDS = 1.0
SHUTDOWN_SECONDS = 10

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


@contextlib.asynccontextmanager
async def jobs_in_process() -> AsyncIterator[None]:
    """Lifespan of the portal process: run the consumer beside the web server
    unless jobs run in worker processes (`PORTAL_JOBS_IN_PROCESS=0`, the
    default with Redis)."""
    if not get_settings().jobs_in_process:
        yield
        return
    import portal_app.jobs  # noqa: F401 — every task registered before the first job is taken

    running = consumer(in_process=True)
    running.start()
    log.info("jobs run in this process (%s)", type(huey.storage).__name__)
    try:
        yield
    finally:
        await asyncio.to_thread(running.stop, graceful=True)
