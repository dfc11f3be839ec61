"""Many signed-in people at once, measured from outside over the real
websocket of the real app (production backend, SQLite): the dashboard event
(`DashboardState.load`: resolve the session cookie, read what the dashboard
shows) next to the near-bare event (`SignInState.set_mode`: no database, no
session), on the same sockets, in the same run.

Phases, each for both events (the machine's load moves, so compare figures
of one run only; the loaded phases alternate the two events in 4 slices, so
both see the same load):

- alone: one session, one event at a time (the cost of one event);
- closed loop: N sessions (default 200), each sending its next event as soon
  as the last one is answered: events/s is the server's capacity;
- think time: M sessions (default 300), each waiting 2–4 s (3 s on average)
  between events, as people clicking: p95 is what they feel.

Each session is its own user with its own login session cookie and its own
websocket (the per-address cap is lifted for the run). The load average is
printed with each phase: the machine is shared.

    python -m bench.bench_load [--closed 200] [--think 300] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from bench.async_ws import AsyncReflexClient
from portal_app.db import make_engine
from portal_app.services import passwords, sessions
from portal_app.state.dashboard import DashboardState
from portal_app.state.sign_in import SignInState
from tests import factories, live_app
from tests.ws_client import handler_name

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
    their session cookies."""
    passwords.use_cheap_hashing_for_tests()
    engine = make_engine(url_db)
    cookies = []
    with Session(engine) as session:
        for i in range(count):
            email = f"load{i}@example.com"
            factories.register(session, email, company=f"Load {i} Ltd", name=f"Load {i}")
            raw, _ = factories.sign_in(session, email, ip=f"198.51.100.{i % 250}")
            cookies.append(f"{sessions.COOKIE_BASE_NAME}={raw}")
    engine.dispose()
    return cookies


async def _connect(url: str, cookies: list[str]) -> list[AsyncReflexClient]:
    gate = asyncio.Semaphore(20)

    async def one(cookie: str) -> AsyncReflexClient:
        async with gate:
            client = AsyncReflexClient(url, cookie=cookie)
            await client.hydrate("/dashboard")
            return client

    return list(await asyncio.gather(*(one(c) for c in cookies)))


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


async def _bench(url: str, cookies: list[str], closed: int, seconds: float) -> None:
    clients = await _connect(url, cookies)
    try:
        print("one session alone, one event at a time:")
        alone = {e.label: await _run(clients[:1], e, min(seconds, 5.0), None) for e in (BARE, DASHBOARD)}
        for e in (BARE, DASHBOARD):
            print(_line(e, alone[e.label], rate=False))
        print(f"\n{closed} sessions, closed loop, {seconds:.0f} s each:")
        loop = await _alternate(clients[:closed], seconds, None)
        for e in (BARE, DASHBOARD):
            print(_line(e, loop[e.label]))
        print(_ratio(loop[BARE.label], loop[DASHBOARD.label]), "  (target events/s >= 0.50x)")
        print(f"\n{len(clients)} sessions, {THINK[0]:.0f}-{THINK[1]:.0f} s think time, {seconds:.0f} s each:")
        think = await _alternate(clients, seconds, THINK)
        for e in (BARE, DASHBOARD):
            print(_line(e, think[e.label], rate=False))
        print(_ratio(think[BARE.label], think[DASHBOARD.label], rate=False), "  (target p95 <= 2.00x)")
    finally:
        await asyncio.gather(*(c.close() for c in clients))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closed", type=int, default=200, help="sessions in the closed loop")
    parser.add_argument("--think", type=int, default=300, help="sessions with think time")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per event and phase")
    args = parser.parse_args()
    os.environ["PORTAL_MAX_CONNECTIONS_PER_IP"] = "0"  # every session comes from 127.0.0.1
    with tempfile.TemporaryDirectory() as tmp:
        app = live_app.start(Path(tmp), backend_only=True)
        try:
            started = time.perf_counter()
            cookies = _people(f"sqlite:///{app.data_dir / 'portal.db'}", max(args.closed, args.think))
            print(f"{len(cookies)} people signed in ({time.perf_counter() - started:.0f} s); "
                  f"load {_load()}, {os.cpu_count()} cores\n")
            asyncio.run(_bench(app.url, cookies, args.closed, args.seconds))
        finally:
            live_app.stop(app)


if __name__ == "__main__":
    main()
