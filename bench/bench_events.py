"""Round trip of one authenticated dashboard event next to a near-bare event,
over the real websocket of the real app (production build, SQLite).

- "bare": `SignInState.set_mode`, which touches no database and no session;
- "authenticated": `DashboardState.load`, which resolves the Principal from
  the session cookie (token hash lookup, user, memberships) and reads the
  organisation, its MFA state and the session list.

Each figure is one `ReflexClient.call`: the event plus the barrier event the
client sends to know the event is finished, so both include the same fixed
overhead. Interleaved, so both see the same machine load.

    python -m bench.bench_events [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.services import sessions
from portal_app.state.dashboard import DashboardState
from portal_app.state.sign_in import SignInState
from tests import factories, live_app
from tests.ws_client import ReflexClient, handler_name


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def _time(client: ReflexClient, name: str, payload: dict, path: str) -> float:
    start = time.perf_counter()
    client.call(name, payload, router_path=path)
    return time.perf_counter() - start


def main(rounds: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = live_app.start(Path(tmp))
        try:
            engine = make_engine(f"sqlite:///{app.data_dir / 'portal.db'}")
            with Session(engine) as session:
                factories.register(session, "bench@example.com", company="Bench Ltd", name="Bench")
                raw, _ = factories.sign_in(session, "bench@example.com")
            cookie = f"{sessions.COOKIE_BASE_NAME}={raw}"
            bare, authed = [], []
            with ReflexClient(app.url) as anonymous, ReflexClient(app.url, cookie=cookie) as signed_in:
                anonymous.hydrate("/sign-in")
                signed_in.hydrate("/dashboard")
                for i in range(rounds + 20):
                    b = _time(anonymous, handler_name(SignInState, "set_mode"),
                              {"mode": "link" if i % 2 else "password"}, "/sign-in")
                    a = _time(signed_in, handler_name(DashboardState, "load"), {}, "/dashboard")
                    if i >= 20:  # warm-up rounds are not counted
                        bare.append(b)
                        authed.append(a)
            engine.dispose()
        finally:
            live_app.stop(app)
    b50, b95 = _percentiles(bare)
    a50, a95 = _percentiles(authed)
    print(f"websocket round trips, {rounds} each (event + barrier), production build, SQLite:")
    print(f"  bare event (set_mode):              p50 {b50:6.2f} ms   p95 {b95:6.2f} ms")
    print(f"  authenticated dashboard load:       p50 {a50:6.2f} ms   p95 {a95:6.2f} ms")
    print(f"  ratio authenticated / bare:         p50 {a50 / b50:6.2f}x    p95 {a95 / b95:6.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
