"""Many signed-in people at once, measured from outside over the real
websocket of the real app (production backend): the dashboard event
(`DashboardState.load`: resolve the session cookie, read what the dashboard
shows) next to the near-bare event (`SignInState.set_mode`: no database, no
session), on the same sockets, in the same run.

Setups (`--setup`, one or several, run one after the other):

- `default`: one instance as `scripts/run.sh` starts it (SQLite, Reflex's
  default state manager, one web worker process);
- `redis-pg-1`: one instance on PostgreSQL and Redis (Reflex's states in
  Redis; Reflex then starts min(2 x cores + 1, 8) web workers, 5 here,
  unless `--web-workers` pins GRANIAN_WORKERS);
- `redis-pg-2`: two instances on one PostgreSQL and one Redis, each on its
  own port, the sessions dealt between them in turn (as a round-robin proxy
  would), each instance with as many web workers as in `redis-pg-1`.

The PostgreSQL database (on this machine's server, `PORTAL_TEST_PG_URL`) is
made for the run and dropped after it; Redis is database 12 of the local
server (`PORTAL_BENCH_REDIS_URL`), emptied before and after. No job worker
runs: the measured events queue no jobs.

Phases, each for both events (the machine's load moves, so compare figures
of one run only; the loaded phases alternate the two events in 4 slices, so
both see the same load):

- alone: one session, one event at a time (the cost of one event);
- closed loop: N sessions (default 50, then 200), each sending its next
  event as soon as the last one is answered: events/s is the server's
  capacity;
- think time: M sessions (default 300), each waiting 2–4 s (3 s on average)
  between events, as people clicking: p95 is what they feel.

Each session is its own user with its own login session cookie and its own
websocket (the per-address cap is lifted for the run). The load average is
printed with each phase: the machine is shared.

    python -m bench.bench_load [--setup default redis-pg-1 redis-pg-2] [--closed 50 200]
                               [--think 300] [--seconds 20] [--web-workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from huey.storage import MemoryStorage
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.async_ws import AsyncReflexClient
from portal_app.db import make_engine
from portal_app.jobs.queue import QUEUE_NAME, huey
from portal_app.services import passwords, sessions
from portal_app.state.dashboard import DashboardState
from portal_app.state.sign_in import SignInState
from tests import factories, live_app, pg
from tests.smtp_sink import SmtpSink
from tests.ws_client import handler_name

SETUPS = ("default", "redis-pg-1", "redis-pg-2")
REDIS_URL = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

WARM_UP = 1.0  # seconds of each slice not counted
SLICES = 4  # each phase alternates the two events this many times, so both see the same machine load
THINK = (2.0, 4.0)  # seconds a person waits between clicks


@dataclass(frozen=True)
class Event:
    label: str
    name: str
    payloads: tuple[dict, ...]  # cycled, so every event changes a var and gets an answer


BARE = Event("near-bare (set_mode)", handler_name(SignInState, "set_mode"),
             ({"mode": "link"}, {"mode": "password"}))
DASHBOARD = Event("dashboard (load)", handler_name(DashboardState, "load"), ({},))


@dataclass
class Figures:
    events: int
    seconds: float
    latencies: list[float]
    load: str

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _people(url_db: str, count: int) -> list[str]:
    """`count` confirmed users, each owner of an organisation, each signed in:
    their session cookies. The mail this queues (address confirmations) is
    dropped: it would otherwise land in this checkout's own job queue."""
    passwords.use_cheap_hashing_for_tests()
    engine = make_engine(url_db)
    cookies = []
    own, huey.storage = huey.storage, MemoryStorage(QUEUE_NAME)
    try:
        with Session(engine) as session:
            for i in range(count):
                email = f"load{i}@example.com"
                factories.register(session, email, company=f"Load {i} Ltd", name=f"Load {i}")
                raw, _ = factories.sign_in(session, email, ip=f"198.51.100.{i % 250}")
                cookies.append(f"{sessions.COOKIE_BASE_NAME}={raw}")
    finally:
        huey.storage = own
        engine.dispose()
    return cookies


async def _connect(urls: list[str], cookies: list[str]) -> list[AsyncReflexClient]:
    """One socket per session, dealt over the instances in turn."""
    gate = asyncio.Semaphore(20)

    async def one(n: int, cookie: str) -> AsyncReflexClient:
        async with gate:
            client = AsyncReflexClient(urls[n % len(urls)], cookie=cookie)
            await client.hydrate("/dashboard")
            return client

    return list(await asyncio.gather(*(one(n, c) for n, c in enumerate(cookies))))


async def _run(clients: list[AsyncReflexClient], event: Event, seconds: float,
               think: tuple[float, float] | None) -> Figures:
    """Every client sends `event` until the time is up; only what is answered
    after the warm-up counts."""
    start = time.perf_counter()
    counted_from, stop = start + WARM_UP, start + WARM_UP + seconds
    latencies: list[float] = []

    async def person(client: AsyncReflexClient, offset: int) -> None:
        i = offset
        if think:
            await asyncio.sleep(random.uniform(0, think[1]))  # noqa: S311 — spread the first clicks
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            await client.call(event.name, event.payloads[i % len(event.payloads)])
            done = time.perf_counter()
            i += 1
            if counted_from <= sent and done <= stop:
                latencies.append(done - sent)
            if think:
                await asyncio.sleep(random.uniform(*think))  # noqa: S311

    await asyncio.gather(*(person(c, n) for n, c in enumerate(clients)))
    return Figures(len(latencies), seconds, latencies, _load())


COST_EVENTS = 300  # events sent one by one to count what each costs Redis and PostgreSQL
STATS_FLUSH = 11.0  # an idle PostgreSQL backend reports its counts after 10 s (PGSTAT_IDLE_INTERVAL)


def _redis_counters() -> tuple[int, float]:
    """(commands, CPU seconds) of the Redis server so far."""
    info = redis.Redis.from_url(REDIS_URL).info()
    return info["total_commands_processed"], info["used_cpu_user"] + info["used_cpu_sys"]


def _pg_transactions(db_url: str) -> int:
    """Transactions of the portal's database so far, as the server counts them."""
    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database"
                            " WHERE datname = current_database()").fetchone()[0]


async def _shared_cost(client: AsyncReflexClient, event: Event, db_url: str) -> str:
    """What one event costs the engines every instance shares (so what
    limits adding instances): Redis commands and CPU (read just around the
    events), PostgreSQL transactions (the server reports a backend's counts
    up to 10 s late, so read after waiting that long on both sides)."""
    await asyncio.sleep(STATS_FLUSH)
    xacts_before = await asyncio.to_thread(_pg_transactions, db_url)
    redis_before = await asyncio.to_thread(_redis_counters)
    for i in range(COST_EVENTS):
        await client.call(event.name, event.payloads[i % len(event.payloads)])
    redis_after = await asyncio.to_thread(_redis_counters)
    await asyncio.sleep(STATS_FLUSH)
    xacts_after = await asyncio.to_thread(_pg_transactions, db_url)
    commands, cpu = ((b - a) / COST_EVENTS for a, b in zip(redis_before, redis_after, strict=True))
    xacts = (xacts_after - xacts_before - 1) / COST_EVENTS  # less the reading's own
    return (f"  {event.label:<22} per event: {commands:4.1f} Redis commands, {cpu * 1e6:4.0f} µs of Redis CPU,"
            f" {xacts:4.2f} PostgreSQL transactions")


async def _alternate(clients: list[AsyncReflexClient], seconds: float,
                     think: tuple[float, float] | None) -> dict[str, Figures]:
    """Both events, `seconds` each, in `SLICES` alternating slices: the
    machine is shared and its load moves within a minute, so a phase of one
    event then a phase of the other would compare different machines."""
    figures: dict[str, Figures] = {}
    for _ in range(SLICES):
        for event in (BARE, DASHBOARD):
            part = await _run(clients, event, seconds / SLICES, think)
            whole = figures.get(event.label)
            figures[event.label] = part if whole is None else Figures(
                whole.events + part.events, whole.seconds + part.seconds, whole.latencies + part.latencies,
                f"{whole.load.split(' … ')[0]} … {part.load}")
    return figures


def _line(event: Event, f: Figures, *, rate: bool = True) -> str:
    events = f"{f.rate:7.0f} events/s" if rate else f"{f.events:7d} events  "
    return (f"  {event.label:<22} {events}   p50 {f.p50:7.1f} ms   p95 {f.pct(0.95):7.1f} ms"
            f"   (load {f.load})")


def _ratio(bare: Figures, dash: Figures, *, rate: bool = True) -> str:
    events = f"events/s {dash.rate / bare.rate:.2f}x   " if rate else ""
    return (f"  dashboard / near-bare: {events}"
            f"p50 {dash.p50 / bare.p50:.2f}x   p95 {dash.pct(0.95) / bare.pct(0.95):.2f}x")


async def _bench(urls: list[str], db_url: str, cookies: list[str], closed: list[int], think_sessions: int,
                 seconds: float) -> dict[str, dict[str, Figures]]:
    """Every phase of one setup; its figures by phase name, then event label."""
    on_redis = db_url.startswith("postgresql")
    memory = redis.Redis.from_url(REDIS_URL).info("memory")["used_memory"] if on_redis else 0
    clients = await _connect(urls, cookies)
    if on_redis:
        memory = redis.Redis.from_url(REDIS_URL).info("memory")["used_memory"] - memory
        print(f"Redis holds {memory / len(clients) / 1000:.1f} kB per open tab (signed in, on the dashboard)\n")
    phases: dict[str, dict[str, Figures]] = {}
    try:
        print("one session alone, one event at a time:")
        alone = {e.label: await _run(clients[:1], e, min(seconds, 5.0), None) for e in (BARE, DASHBOARD)}
        for e in (BARE, DASHBOARD):
            print(_line(e, alone[e.label], rate=False))
        phases["alone"] = alone
        if on_redis:
            print(f"what one event costs the shared engines ({COST_EVENTS} events one by one):")
            for e in (BARE, DASHBOARD):
                print(await _shared_cost(clients[0], e, db_url))
        for n in closed:
            print(f"\n{n} sessions, closed loop, {seconds:.0f} s each:")
            loop = phases[f"closed {n}"] = await _alternate(clients[:n], seconds, None)
            for e in (BARE, DASHBOARD):
                print(_line(e, loop[e.label]))
            print(_ratio(loop[BARE.label], loop[DASHBOARD.label]), "  (target events/s >= 0.50x)")
        print(f"\n{think_sessions} sessions, {THINK[0]:.0f}-{THINK[1]:.0f} s think time, {seconds:.0f} s each:")
        think = phases["think"] = await _alternate(clients[:think_sessions], seconds, THINK)
        for e in (BARE, DASHBOARD):
            print(_line(e, think[e.label], rate=False))
        print(_ratio(think[BARE.label], think[DASHBOARD.label], rate=False), "  (target p95 <= 2.00x)")
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return phases


@contextlib.contextmanager
def _instances(setup: str, tmp: Path, web_workers: int | None) -> Iterator[tuple[list[str], str]]:
    """The setup's instances, running: their URLs and their database's URL."""
    if setup == "default":
        app = live_app.start(tmp, backend_only=True)
        try:
            yield [app.url], f"sqlite:///{app.data_dir / 'portal.db'}"
        finally:
            live_app.stop(app)
        return
    name = f"portal_bench_{secrets.token_hex(6)}"
    pg.create_database(name)
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    try:
        with SmtpSink() as mail:
            cluster = live_app.start_scaled_out(tmp, pg.database_url(name), REDIS_URL, mail,
                                                instances=int(setup[-1]), workers=0, web_workers=web_workers)
            try:
                yield [app.url for app in cluster.apps], cluster.database_url
            finally:
                live_app.stop_scaled_out(cluster)
    finally:
        store.flushdb()
        store.close()
        pg.drop_database(name)


def _web_workers(setup: str, pinned: int | None) -> str:
    if setup == "default":
        return "1 web worker (no Redis: Reflex runs one)"
    count = pinned if pinned is not None else min(2 * (os.cpu_count() or 1) + 1, 8)
    return f"{count} web workers each ({'pinned' if pinned is not None else 'Reflex on Redis: min(2 x cores + 1, 8)'})"


def _summary(results: dict[str, dict[str, dict[str, Figures]]]) -> None:
    """Every setup's loaded phases side by side (figures of one run, but not
    of one moment: compare with the load average in mind)."""
    print("\n== summary: events/s and p50 / p95 ms, near-bare | dashboard")
    for phase in next(iter(results.values())):
        if phase == "alone":
            continue
        print(f"{phase}:")
        for setup, phases in results.items():
            bare, dash = phases[phase][BARE.label], phases[phase][DASHBOARD.label]
            print(f"  {setup:<11} {bare.rate:6.0f} /s {bare.p50:6.1f} / {bare.pct(0.95):6.1f}  |"
                  f" {dash.rate:6.0f} /s {dash.p50:6.1f} / {dash.pct(0.95):6.1f}   (load {dash.load})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", nargs="+", choices=SETUPS, default=["default"],
                        help="what to run the portal on (several: one after the other)")
    parser.add_argument("--closed", type=int, nargs="+", default=[50, 200], help="sessions in the closed loop")
    parser.add_argument("--think", type=int, default=300, help="sessions with think time")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per event and phase")
    parser.add_argument("--web-workers", type=int, default=None,
                        help="web worker processes per instance on Redis (GRANIAN_WORKERS; default Reflex's)")
    args = parser.parse_args()
    os.environ["PORTAL_MAX_CONNECTIONS_PER_IP"] = "0"  # every session comes from 127.0.0.1
    results: dict[str, dict[str, dict[str, Figures]]] = {}
    for setup in args.setup:
        with tempfile.TemporaryDirectory() as tmp, _instances(setup, Path(tmp), args.web_workers) as (urls, db):
            started = time.perf_counter()
            cookies = _people(db, max(*args.closed, args.think))
            print(f"\n=== {setup}: {len(urls)} instance(s), {_web_workers(setup, args.web_workers)}; "
                  f"{len(cookies)} people signed in ({time.perf_counter() - started:.0f} s); "
                  f"load {_load()}, {os.cpu_count()} cores\n")
            results[setup] = asyncio.run(_bench(urls, db, cookies, args.closed, args.think, args.seconds))
    if len(results) > 1:
        _summary(results)


if __name__ == "__main__":
    main()
