"""The audit log: written with the change (and rolled back with it), read by
owners and admins of that organisation and by staff admins, filtered and paged."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent
from portal_app.services import audit, members, staff
from portal_app.services.errors import Forbidden, Invalid
from portal_app.services.principal import principal_for_user
from tests.factories import PASSWORD, ada_and_eve, enable_mfa, last_mail, rename_organization, token_from
from tests.permissions import Permission, permission_tests


def _own_events_only(session: Session, actor, org_id: int, page) -> None:
    assert page.total > 0 and {row.org for row in page.rows} == {"Ours"}
    assert all(row.actor != "theo@example.com" for row in page.rows)


test_audit_permissions = permission_tests(
    Permission("list", lambda s, p, org_id: audit.list_for_org(s, p, org_id), ("owner", "admin"),
               check=_own_events_only),
)


@pytest.fixture
def org(any_engine, seeded):
    """Ada and Eve (`factories.ada_and_eve`), made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, ada_and_eve)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def _actions(page) -> list[str]:
    return [row.action for row in page.rows]


def test_actions_are_recorded_with_actor_target_and_ip(org):
    session, ada, _ = org
    org_id = ada.current.org_id
    members.invite(session, dataclasses.replace(ada, ip="198.51.100.7"), org_id,
                   email="bob@example.com", role="billing")
    members.accept_new_account(session, token_from(last_mail(session, "bob@example.com").body, "/invitations/accept"),
                               name="Bob", password=PASSWORD, ip="203.0.113.5")
    session.commit()
    log = audit.list_for_org(session, ada, org_id)
    assert _actions(log)[:2] == ["member.joined", "member.invited"]
    invited = log.rows[1]
    assert (invited.actor, invited.target, invited.ip, invited.details) == \
        ("ada@example.com", "bob@example.com", "198.51.100.7", {"role": "billing"})
    assert invited.sentence == "Ada Lovelace invited bob@example.com to Analytical Engines as billing"
    assert log.rows[0].actor == "bob@example.com" and log.rows[0].ip == "203.0.113.5"
    assert log.rows[0].sentence == "Bob joined Analytical Engines as billing"
    assert "account.registered" in _actions(log)


def test_an_event_rolls_back_with_its_change(org):
    session, ada, _ = org
    session.commit()
    before = len(session.exec(select(AuditEvent)).all())
    rename_organization(session, ada, "Renamed")
    session.rollback()
    assert len(session.exec(select(AuditEvent)).all()) == before


def test_filters_and_bad_filters(org):
    session, ada, _ = org
    rename_organization(session, ada, "Renamed")
    session.commit()
    org_id = ada.current.org_id
    assert _actions(audit.list_for_org(session, ada, org_id, action="org.renamed")) == ["org.renamed"]
    assert audit.list_for_org(session, ada, org_id, person="ADA@").total >= 2
    assert audit.list_for_org(session, ada, org_id, person="nobody").total == 0
    assert audit.list_for_org(session, ada, org_id, since="2000-01-01", until="2999-01-01").total >= 2
    assert audit.list_for_org(session, ada, org_id, until="2000-01-01").total == 0
    for kwargs, field in (({"action": "drop table"}, "action"), ({"since": "yesterday"}, "since"),
                          ({"since": "2026-02-02", "until": "2026-01-01"}, "until"), ({"person": ["x"]}, "person")):
        with pytest.raises(Invalid) as err:
            audit.list_for_org(session, ada, org_id, **kwargs)
        assert err.value.field == field


def test_staff_admins_read_everything_and_paging(org):
    session, ada, eve = org
    user, _ = staff.create_admin(session, email="root@example.com", name="Root", password="staff-quartz-lantern-93")
    enable_mfa(session, principal_for_user(session, user, None))  # staff must have it
    root = principal_for_user(session, user, None)
    for i in range(60):
        rename_organization(session, eve, f"Eve {i}")
    session.commit()
    everything = audit.list_all(session, root)
    assert everything.total > 60 and everything.pages >= 2 and len(everything.rows) == audit.PAGE_SIZE
    assert audit.list_all(session, root, page=2).page == 2
    with pytest.raises(Forbidden):
        audit.list_all(session, ada)


def test_unknown_action_names_are_a_programming_error(session):
    with pytest.raises(ValueError):
        audit.record(session, "made.up")


def test_link_requests_are_recorded_only_for_existing_accounts(org):
    from portal_app.services import accounts

    session, _, _ = org
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.9")
    accounts.request_login_link(session, email="nobody@example.com", ip="192.0.2.9")
    events = session.exec(select(AuditEvent).where(AuditEvent.ip == "192.0.2.9")).all()
    assert [(e.action, e.actor_label) for e in events] == [("password.reset_requested", "ada@example.com")]


def test_days_are_the_instance_zone_days_and_read_in_its_locale(org, monkeypatch):
    """An event at 23:30 UTC on 1 Jan happened on 2 Jan in Berlin: with
    PORTAL_TIMEZONE=Europe/Berlin the day filter agrees with the shown time."""
    from datetime import datetime, timezone

    from portal_app.settings import get_settings

    session, ada, _ = org
    org_id = ada.current.org_id
    event = audit.record(session, "org.renamed", actor=ada, org_id=org_id, details={"from": "a", "to": "b"})
    event.occurred_at = datetime(2026, 1, 1, 23, 30, tzinfo=timezone.utc)
    session.commit()
    on = {"action": "org.renamed"}
    assert audit.list_for_org(session, ada, org_id, since="2026-01-01", until="2026-01-01", **on).total == 1
    assert audit.period("2026-01-01", "2026-01-31") == "from 1 Jan 2026 to 31 Jan 2026 (UTC)"
    assert audit.period("", "") == ""
    monkeypatch.setenv("PORTAL_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("PORTAL_LOCALE", "de_DE")
    get_settings.cache_clear()
    try:
        assert audit.list_for_org(session, ada, org_id, since="2026-01-01", until="2026-01-01", **on).total == 0
        assert audit.list_for_org(session, ada, org_id, since="2026-01-02", until="2026-01-02", **on).total == 1
        assert audit.period("2026-01-02", "") == "from 02.01.2026 (MEZ)"
    finally:
        get_settings.cache_clear()
