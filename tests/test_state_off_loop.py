"""Page states reach the database through `state.session.in_transaction`
(`self._read`, `self._act`; tests/test_layers.py keeps them from importing
`session_scope`). It must leave the event loop free while the query runs:
every connected person's events are served by that one loop."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from portal_app.state.session import in_transaction


def test_the_loop_keeps_serving_while_a_state_read_waits():
    released = threading.Event()

    def slow_read(_session) -> int:
        # Waits for a coroutine on the loop: if this ran on the loop, that
        # coroutine could never run and the wait would time out.
        assert released.wait(5), "the event loop was blocked while the read ran"
        return threading.get_ident()

    async def page_and_someone_else() -> tuple[int, int]:
        read = asyncio.ensure_future(in_transaction(slow_read))
        await asyncio.sleep(0.01)  # someone else's event, served meanwhile ...
        released.set()  # ... lets the read finish
        return threading.get_ident(), await read

    # A loop of its own on a thread of its own: after a browser test, this
    # thread may still hold Playwright's running loop, and asyncio.run refuses.
    with ThreadPoolExecutor(max_workers=1) as pool:
        loop_thread, read_thread = pool.submit(asyncio.run, page_and_someone_else()).result(timeout=10)
    assert read_thread != loop_thread
