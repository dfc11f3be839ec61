"""Live pages, on the serving side: tabs say what they show (`watch`), and a
lifespan task (`deliver_changes`) hears the change signal
(`integrations.live`) and has each watching page state reload what it shows
for its own signed-in person, through Reflex's `app.modify_state`, which
sends the new values down that tab's websocket.

Nothing crosses from one person to another here but a key ("org:7:members"):
the state reloads through the same services, with the same authorisation, as
at its page load. With Redis, every portal process hears every key and
serves only the tabs whose socket it holds; Reflex's own Redis channel
carries an update to a socket held elsewhere, should one slip through.

A page state takes part by calling `await self._watch(key)` in its load and
defining `async def _live(self, keys)` (underscored: no client can call it).
Signals for one tab are coalesced: while its reload runs, further keys wait
and are handled by one more reload."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from functools import lru_cache

import reflex as rx

from portal_app.integrations import live
from portal_app.settings import get_settings

log = logging.getLogger(__name__)
REDIS_RETRY_SECONDS = 1.0
PRUNE_SECONDS = 600  # how often closed tabs leave the in-memory registry


@lru_cache(maxsize=1)
def registry() -> live.Registry:
    """This process's view of the registry (made on first use, on the serving loop)."""
    return live.make_registry()


async def watch(state: rx.State, keys: Iterable[str], *, replace: bool = False) -> None:
    """The tab of `state` watches `keys` through `state` (its `_live` runs on
    a signal). `replace` drops what the tab watched before: the shell does so
    at each page load, so a tab watches only what its current page shows."""
    token = state.router.session.client_token
    if not token:
        return
    name = type(state).get_full_name()
    await registry().watch(token, {key: name for key in keys}, replace=replace)


class _Deliveries:
    """The reloads to run in this process: one at a time per tab and state,
    with keys that arrive meanwhile handled by one more round."""

    def __init__(self, app: rx.App) -> None:
        self.app = app
        self.waiting: dict[tuple[str, str], set[str]] = {}
        self.running: set[tuple[str, str]] = set()
        self.tasks: set[asyncio.Task] = set()

    async def hear(self, keys: list[str]) -> None:
        for key in keys:
            for token, state_name in await registry().watchers(key):
                if self._served_here(token):
                    self._request(token, state_name, key)
                elif not await self._connected_anywhere(token):
                    await registry().forget(token)  # the tab is closed

    def _tokens(self):  # noqa: ANN202 — Reflex's token manager (no public accessor in 0.10.1)
        return self.app.event_namespace._token_manager if self.app.event_namespace else None

    def _served_here(self, token: str) -> bool:
        manager = self._tokens()
        record = manager.token_to_socket.get(token) if manager else None
        return record is not None and record.instance_id == manager.instance_id

    async def _connected_anywhere(self, token: str) -> bool:
        manager = self._tokens()
        return bool(manager) and await manager.is_token_connected(token)

    def _request(self, token: str, state_name: str, key: str) -> None:
        target = (token, state_name)
        self.waiting.setdefault(target, set()).add(key)
        if target in self.running:
            return
        self.running.add(target)
        task = asyncio.create_task(self._run(target))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, target: tuple[str, str]) -> None:
        try:
            while keys := self.waiting.pop(target, None):
                await self._reload(*target, keys)
        finally:
            self.running.discard(target)

    async def _reload(self, token: str, state_name: str, keys: set[str]) -> None:
        try:
            cls = self.app._state.get_class_substate(state_name)
            async with self.app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as found:
                state = found if isinstance(found, cls) else await found.get_state(cls)
                await state._live(sorted(keys))
        except Exception:  # noqa: BLE001 — one tab's failure must not stop the others'
            log.exception("a live page could not reload")


async def _hear_in_process(deliveries: _Deliveries) -> None:
    loop = asyncio.get_running_loop()
    batches: asyncio.Queue[list[str]] = asyncio.Queue()
    stop = live.listen(lambda keys: loop.call_soon_threadsafe(batches.put_nowait, keys))
    pruned = loop.time()
    try:
        while True:
            try:
                await deliveries.hear(await asyncio.wait_for(batches.get(), PRUNE_SECONDS))
            except TimeoutError:
                pass
            if loop.time() - pruned >= PRUNE_SECONDS:  # busy or idle, closed tabs go
                pruned = loop.time()
                await _prune(deliveries)
    finally:
        stop()


async def _prune(deliveries: _Deliveries) -> None:
    """In memory, tabs closed long ago leave the registry (in Redis they
    expire)."""
    reg = registry()
    if isinstance(reg, live.MemoryRegistry):
        await reg.prune(deliveries._served_here)


async def _hear_redis(deliveries: _Deliveries, url: str) -> None:
    while True:
        try:
            async for batch in live.redis_batches(url):
                await deliveries.hear(batch)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — Redis restarted: listen again
            log.warning("the change signal lost Redis; listening again", exc_info=True)
            await asyncio.sleep(REDIS_RETRY_SECONDS)


@contextlib.asynccontextmanager
async def deliver_changes(app: rx.App) -> AsyncIterator[None]:
    """Lifespan of each portal process: hear the change signal while serving."""
    deliveries = _Deliveries(app)
    url = get_settings().redis_url
    task = asyncio.create_task(_hear_redis(deliveries, url) if url else _hear_in_process(deliveries))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
