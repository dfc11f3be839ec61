"""The change signal behind live pages: "organisation 7's members changed",
published once a transaction has committed and heard by every portal process
that may hold a page showing it.

Two parts, each with an in-process form (the default: one process serves
every page) and a Redis form (`PORTAL_REDIS_URL`: several processes on
several machines):

- the *channel* carries keys from whoever committed a change (a page's
  event, an API route, a job, in any thread) to the processes that serve
  pages: a list of listeners here, a Redis pub/sub channel when scaled out;
- the *registry* says which open tabs (Reflex client tokens) watch which key,
  and which of their page states shows it: a dict here, Redis hashes when
  scaled out, so a tab that reconnects to another process is still found.

Only keys travel: never rows, names or anything a person may not see. Each
watching state reloads what it shows for its own signed-in person
(`state/live.py`), through the services that authorise every read.

Keys name what changed, not who may see it: `org:7:members`, `user:42:notifications`,
`staff:audit` (everything, for the back office), `ticket:42` (one support
request, by its id: what its customers and staff both see) and
`ticket:42:staff` (what only staff see of it: internal notes, SLA flags)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from functools import lru_cache
from typing import Protocol

import redis
import redis.asyncio as aioredis

from portal_app.settings import get_settings

log = logging.getLogger(__name__)

CHANNEL = "portal:live"  # the Redis pub/sub channel keys travel on
_PREFIX = "portal:live:"  # Redis keys of the registry
WATCH_TTL_SECONDS = 24 * 3600  # a tab's watches outlive no day without a page load

TOPICS = frozenset({"members", "audit", "notifications", "tickets", "canned_replies", "knowledge", "invoices", "cards",
                    "catalogue", "subscriptions", "orders", "quotes", "documents"})


def org_key(org_id: int, topic: str) -> str:
    """What changed in one organisation (its members, its audit log)."""
    return f"org:{int(org_id)}:{_topic(topic)}"


def person_key(user_id: int, topic: str) -> str:
    """What changed for one person (their notifications)."""
    return f"user:{int(user_id)}:{_topic(topic)}"


def staff_key(topic: str) -> str:
    """What changed anywhere, for back-office pages that show every organisation."""
    return f"staff:{_topic(topic)}"


def invoice_key(invoice_id: int) -> str:
    """What changed on one invoice (its id only): its page watches this."""
    return f"invoice:{int(invoice_id)}"


def ticket_key(ticket_id: int, *, staff: bool = False) -> str:
    """What changed on one support request (its id, never its number or
    subject): a ticket's page watches its own key rather than the whole
    organisation's, so a change to another ticket leaves it alone. With
    `staff`, what only staff see (an internal note): a customer's page never
    watches that key, so it does not even reload for a note."""
    return f"ticket:{int(ticket_id)}" + (":staff" if staff else "")


def _topic(topic: str) -> str:
    if topic not in TOPICS:
        raise ValueError(f"unknown live topic {topic!r}")
    return topic


# --- the channel ---------------------------------------------------------------

Listener = Callable[[list[str]], object]
_listeners: list[Listener] = []
_listeners_lock = threading.Lock()


def listen(listener: Listener) -> Callable[[], None]:
    """Hear every key published in this process (the in-process channel).
    `listener` runs in the publisher's thread: hand the keys over to your
    own loop from there (`loop.call_soon_threadsafe`). Returns the undo."""
    with _listeners_lock:
        _listeners.append(listener)

    def stop() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return stop


def publish(keys: Iterable[str]) -> None:
    """Tell every portal process that `keys` changed. Called after a commit
    (`services.live.changed`), from any thread; never raises: a page that
    misses a signal shows the change at its next load, the change stands."""
    batch = sorted(set(keys))
    if not batch:
        return
    url = get_settings().redis_url
    try:
        if url:
            _sync_redis(url).publish(CHANNEL, json.dumps(batch))
            return
        with _listeners_lock:
            listeners = list(_listeners)
        for listener in listeners:
            listener(batch)
    except Exception:  # noqa: BLE001 — see the docstring
        log.exception("could not publish a change signal")


async def redis_batches(url: str) -> AsyncIterator[list[str]]:
    """Every batch published on the Redis channel from now on, for one
    process; reconnects are the caller's (it restarts this)."""
    client = aioredis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(CHANNEL)
        async for message in pubsub.listen():
            batch = _decode(message.get("data"))
            if batch:
                yield batch
    finally:
        await pubsub.aclose()
        await client.aclose()


def _decode(data: object) -> list[str]:
    """A published batch, or nothing when it is not one (anyone who can
    reach Redis can publish; keys are only ever looked up, never trusted)."""
    try:
        batch = json.loads(data)
    except (TypeError, ValueError):
        return []
    return [k for k in batch if isinstance(k, str) and len(k) <= 100] if isinstance(batch, list) else []


@lru_cache(maxsize=2)
def _sync_redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


# --- the registry ----------------------------------------------------------------

Watcher = tuple[str, str]  # (a tab's Reflex client token, the full name of the state that shows the key)
_SEP = "\t"  # between token and state name in Redis; in neither of them


class Registry(Protocol):
    """Which tabs watch which keys, through which of their states. Used from
    the serving process's event loop only."""

    async def watch(self, token: str, watches: dict[str, str], *, replace: bool) -> None:
        """`token` now watches `watches` (key -> the state's full name); with
        `replace`, instead of everything it watched before (a new page load)."""

    async def watchers(self, key: str) -> set[Watcher]:
        """Every (token, state) watching `key`."""

    async def forget(self, token: str) -> None:
        """`token` watches nothing any more (its tab is gone)."""


class MemoryRegistry:
    """One process serves every page: two dicts."""

    def __init__(self) -> None:
        self._by_key: dict[str, set[Watcher]] = {}
        self._by_token: dict[str, set[tuple[str, str]]] = {}  # token -> {(key, state)}

    async def watch(self, token: str, watches: dict[str, str], *, replace: bool) -> None:
        if replace:
            await self.forget(token)
        for key, state in watches.items():
            self._by_key.setdefault(key, set()).add((token, state))
            self._by_token.setdefault(token, set()).add((key, state))

    async def watchers(self, key: str) -> set[Watcher]:
        return set(self._by_key.get(key, ()))

    async def forget(self, token: str) -> None:
        for key, state in self._by_token.pop(token, ()):
            tabs = self._by_key.get(key, set())
            tabs.discard((token, state))
            if not tabs:
                self._by_key.pop(key, None)

    async def prune(self, still_open: Callable[[str], bool]) -> int:
        """Forget every tab that is gone (`still_open` says no); returns how
        many. Tabs are otherwise forgotten only when a key they watched
        changes, and some never do."""
        gone = [token for token in self._by_token if not still_open(token)]
        for token in gone:
            await self.forget(token)
        return len(gone)


class RedisRegistry:
    """Several processes: a set per key of "token<TAB>state", and a set per
    token of "key<TAB>state" (to undo them at its next page load), both
    expiring a day after the tab's last page load."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)

    async def watch(self, token: str, watches: dict[str, str], *, replace: bool) -> None:
        if replace:
            await self.forget(token)
        if not watches:
            return
        mine = f"{_PREFIX}token:{token}"
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, state in watches.items():
                pipe.sadd(f"{_PREFIX}key:{key}", f"{token}{_SEP}{state}")
                pipe.expire(f"{_PREFIX}key:{key}", WATCH_TTL_SECONDS)
                pipe.sadd(mine, f"{key}{_SEP}{state}")
            pipe.expire(mine, WATCH_TTL_SECONDS)
            await pipe.execute()

    async def watchers(self, key: str) -> set[Watcher]:
        members = await self._redis.smembers(f"{_PREFIX}key:{key}")
        return {tuple(m.split(_SEP, 1)) for m in members if _SEP in m}

    async def forget(self, token: str) -> None:
        mine = f"{_PREFIX}token:{token}"
        entries = await self._redis.smembers(mine)
        async with self._redis.pipeline(transaction=False) as pipe:
            for entry in entries:
                key, _, state = entry.partition(_SEP)
                pipe.srem(f"{_PREFIX}key:{key}", f"{token}{_SEP}{state}")
            pipe.delete(mine)
            await pipe.execute()


def make_registry() -> Registry:
    url = get_settings().redis_url
    return RedisRegistry(url) if url else MemoryRegistry()
