"""The change signal behind live pages: its registry (in memory, and in the
real Redis of this machine, a database of its own), its channel (listeners
in the process, and Redis pub/sub), and services publishing after commit
only, once per key, never on a rollback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os

import pytest
import redis

from portal_app.db import session_scope
from portal_app.integrations import live
from portal_app.services import audit, members, notifications
from portal_app.services import live as live_service
from portal_app.settings import load_settings
from tests import factories

REDIS_URL = os.environ.get("PORTAL_TEST_LIVE_REDIS_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture
def clean_redis():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _registry(kind: str, url: str) -> live.Registry:
    return live.MemoryRegistry() if kind == "memory" else live.RedisRegistry(url)


# --- keys ------------------------------------------------------------------------

def test_keys_name_what_changed_and_refuse_unknown_topics():
    assert live.org_key(7, "members") == "org:7:members"
    assert live.person_key("42", "notifications") == "user:42:notifications"
    assert live.staff_key("audit") == "staff:audit"
    with pytest.raises(ValueError):
        live.org_key(7, "everything")
    with pytest.raises(ValueError):
        live.org_key("7:members:x", "members")  # an id is a number, nothing else


# --- the registry ------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_tab_watches_what_its_page_shows_and_a_new_page_replaces_it(kind, clean_redis):
    async def scenario():
        reg = _registry(kind, clean_redis)
        await reg.watch("tab-a", {"user:1:notifications": "shell", "org:1:members": "members"}, replace=True)
        await reg.watch("tab-b", {"org:1:members": "members"}, replace=True)
        await reg.watch("tab-a", {"org:1:members": "shell"}, replace=False)  # a second state, same key
        assert await reg.watchers("org:1:members") == {("tab-a", "members"), ("tab-a", "shell"),
                                                       ("tab-b", "members")}
        # tab A goes to another page: the shell's bell only
        await reg.watch("tab-a", {"user:1:notifications": "shell"}, replace=True)
        assert await reg.watchers("org:1:members") == {("tab-b", "members")}
        assert await reg.watchers("user:1:notifications") == {("tab-a", "shell")}
        await reg.forget("tab-b")
        assert await reg.watchers("org:1:members") == set()
        await reg.forget("never-seen")  # nothing to forget is fine
        assert await reg.watchers("org:2:members") == set()

    factories.run_async(scenario())


def test_redis_watches_expire_a_day_after_the_last_page_load(clean_redis):
    async def scenario():
        reg = live.RedisRegistry(clean_redis)
        await reg.watch("tab-a", {"org:1:members": "members"}, replace=True)

    factories.run_async(scenario())
    client = redis.Redis.from_url(clean_redis)
    for key in client.keys("portal:live:*"):
        assert 0 < client.ttl(key) <= live.WATCH_TTL_SECONDS
    client.close()


# --- the channel --------------------------------------------------------------------

def test_in_process_publish_reaches_every_listener_once_per_key(heard):
    other: list[list[str]] = []
    stop = live.listen(other.append)
    live.publish(["org:1:members", "staff:audit", "org:1:members"])
    stop()
    live.publish(["org:2:members"])
    assert heard == [["org:1:members", "staff:audit"], ["org:2:members"]]
    assert other == [["org:1:members", "staff:audit"]]


def test_a_failing_listener_never_breaks_the_publisher(heard, caplog):
    def broken(keys):
        raise RuntimeError("boom")

    stop = live.listen(broken)
    try:
        live.publish(["org:1:audit"])  # does not raise
    finally:
        stop()
    assert "could not publish a change signal" in caplog.text


def test_redis_publish_reaches_a_subscriber_and_junk_is_ignored(clean_redis, monkeypatch):
    monkeypatch.setattr(live, "get_settings", lambda: dataclasses.replace(load_settings(), redis_url=clean_redis))

    async def scenario() -> list[list[str]]:
        got: list[list[str]] = []

        async def subscriber():
            async for batch in live.redis_batches(clean_redis):
                got.append(batch)
                if len(got) == 2:
                    return

        task = asyncio.create_task(subscriber())
        client = redis.asyncio.Redis.from_url(clean_redis)
        while (await client.pubsub_numsub(live.CHANNEL))[0][1] == 0:
            await asyncio.sleep(0.01)
        await client.publish(live.CHANNEL, b"not json")  # anyone on Redis could send this
        await client.publish(live.CHANNEL, b'{"a": 1}')
        await asyncio.to_thread(live.publish, ["org:3:members"])
        await client.publish(live.CHANNEL, json.dumps(["user:9:notifications", 5, "x" * 500]))
        await asyncio.wait_for(task, 5)
        await client.aclose()
        return got

    assert factories.run_async(scenario()) == [["org:3:members"], ["user:9:notifications"]]


# --- services publish after commit ---------------------------------------------------------

def test_a_change_is_published_once_after_commit_and_never_on_rollback(engine, heard):
    with session_scope(engine) as session:
        live_service.changed(session, "org:1:members")
        live_service.changed(session, "org:1:members", "staff:audit")
        assert heard == []  # not before the commit
    assert heard == [["org:1:members", "staff:audit"]]

    with pytest.raises(RuntimeError), session_scope(engine) as session:
        live_service.changed(session, "org:2:members")
        raise RuntimeError("the action failed")
    assert heard == [["org:1:members", "staff:audit"]]

    with session_scope(engine) as session:  # the session after a rollback publishes again
        live_service.changed(session, "org:3:members")
    assert heard[-1] == ["org:3:members"]


def test_inviting_publishes_the_members_list_and_the_audit_logs(engine, heard):
    with session_scope(engine) as session:
        factories.register(session, "owner@example.com")
    heard.clear()
    with session_scope(engine) as session:
        _, owner = factories.sign_in(session, "owner@example.com")
        org_id = owner.current.org_id
        members.invite(session, owner, org_id, email="new@example.com", role="member")
    assert heard[-1] == sorted([live.org_key(org_id, "members"), live.org_key(org_id, "audit"),
                                live.staff_key("audit")])


def test_an_audit_event_without_an_organisation_reaches_only_the_staff_log(engine, heard):
    with session_scope(engine) as session:
        audit.record(session, "demo.seeded", actor_label="command line")
    assert heard == [[live.staff_key("audit")]]


def test_a_notification_and_marking_it_read_reach_the_person_s_bell(engine, heard):
    with session_scope(engine) as session:
        factories.register(session, "owner@example.com")
        factories.register(session, "member@example.com", company="Other")
    with session_scope(engine) as session:
        _, owner = factories.sign_in(session, "owner@example.com")
        _, member = factories.sign_in(session, "member@example.com")
        notifications.notify(session, [member.user_id], notifications.EVENTS["member_joined"],
                             notifications.Target(org_id=owner.current.org_id, path="/organisation"),
                             facts={"person": "Bob", "org": "Analytical Engines", "role": "member"})
    bell = live.person_key(member.user_id, "notifications")
    assert heard[-1] == [bell]
    heard.clear()
    with session_scope(engine) as session:
        assert notifications.mark_all_read(session, member) == 1
        assert notifications.mark_all_read(session, member) == 0  # nothing changed: nothing said
    assert heard == [[bell]]


def test_closed_tabs_leave_the_in_memory_registry():
    async def scenario():
        reg = live.MemoryRegistry()
        await reg.watch("open", {"org:1:members": "members", "user:1:notifications": "shell"}, replace=True)
        await reg.watch("closed", {"org:1:members": "members"}, replace=True)
        assert await reg.prune(lambda token: token == "open") == 1
        assert await reg.watchers("org:1:members") == {("open", "members")}
        assert await reg.prune(lambda token: token == "open") == 0

    factories.run_async(scenario())
