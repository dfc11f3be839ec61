"""Prints how fast the health check runs against a migrated SQLite file."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.services.system import check_health


def main(rounds: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_to_head(url)
        engine = make_engine(url)
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            with Session(engine) as session:
                check_health(session)
            timings.append(time.perf_counter() - start)
        engine.dispose()
    timings.sort()
    p50 = statistics.median(timings) * 1e6
    p95 = timings[int(len(timings) * 0.95)] * 1e6
    print(f"health check on SQLite: {rounds} calls, p50 {p50:.0f} µs, p95 {p95:.0f} µs")


if __name__ == "__main__":
    main()
