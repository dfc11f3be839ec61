"""Permission tests, NetBox style: a domain declares each action, how to
build the row it acts on, and which roles may do it; `permission_tests`
turns that into the cases every action must pass:

- a member whose role is not allowed is refused (`Forbidden` with code
  ROLE_REQUIRED, i.e. by `require_role`; or `NotFound` where the rule is to
  hide) and nothing in the database changed;
- a member whose role is allowed succeeds (and `check` says what it did);
- the same action on another organisation's row is `NotFound`, and so is
  an id of the wrong type (True, a float, a string), with nothing changed;
- staff, who belong to no organisation, get `NotFound` on these customer
  paths (they read organisations in the back office only), unless the
  domain says staff work these rows too (`staff_allowed`: support tickets).

A staff-only action (canned replies, merging tickets) declares no customer
role as allowed (`allowed=()`, `staff_allowed=True`): every role is refused
(with `refused_code`, STAFF_ONLY there), staff succeed, and the wrong-type
ids are tried by staff. Rows outside any organisation (`org_scoped=False`)
have no "other organisation" case; actions on no row at all (`by_id=False`,
a create) have no wrong-type ids.

"Nothing changed" is checked before any rollback, on the action's own
session after a flush, so a write made before a refusal is caught.

The people (an organisation "Ours" with one member of each role, another
organisation "Theirs", a staff admin) are built once per test process
through the real services into a SQLite file; each case runs on a copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, SQLModel

from portal_app.db import make_engine
from portal_app.services import members
from portal_app.services.errors import ErrorCode, Forbidden, NotFound, PortalError
from portal_app.services.principal import ROLES, Principal
from tests.factories import PASSWORD, last_mail, register, sign_in, staff_admin, staff_member, token_from

Action = Callable[[Session, Principal, Any], object]
Target = Callable[[Session, Principal], Any]


@dataclass(frozen=True)
class People:
    ours: dict[str, Principal]  # role -> a member of "Ours" with that role
    theirs: Principal  # the owner of another organisation
    staff: Principal  # a staff admin with two-step verification
    other_staff: dict[str, Principal] = field(default_factory=dict)  # staff role -> staff of that role (agent, billing)


def current_org(principal: Principal) -> int | None:
    """The organisation a page acts in, as the state passes it: the person's
    current one (None for staff, who belong to none)."""
    return principal.current.org_id if principal.current is not None else None


def the_organisation(session: Session, owner: Principal) -> int:
    """The default row to act on: the organisation itself."""
    return owner.current.org_id


@dataclass(frozen=True)
class Permission:
    """One action of a domain. `action(session, principal, target)` acts on
    `target` (in `current_org(principal)` when the target is a row inside an
    organisation); `target_row` builds it as that organisation's owner and
    returns it, usually an id (by default the organisation's own id)."""

    name: str
    action: Action
    allowed: tuple[str, ...]
    target_row: Target = the_organisation
    refused: type[PortalError] = Forbidden
    check: Callable[[Session, Principal, Any, object], None] | None = None  # (session, actor, target, result)
    staff_allowed: bool = False  # staff reach this customer row too (support: agents work every ticket)
    staff_refused: type[PortalError] = NotFound  # Forbidden where staff see the row but may not do this
    refused_code: ErrorCode = ErrorCode.ROLE_REQUIRED  # the code of a `Forbidden` refusal
    org_scoped: bool = True  # the row belongs to an organisation: another's is not found
    by_id: bool = True  # the target is an id: ids of the wrong type are not found


@dataclass(frozen=True)
class Case:
    permission: Permission
    kind: str  # "refused" | "allowed" | "other organisation" | "wrong type" | "staff"
    role: str = ""
    bogus: Callable[[Any], object] | None = field(default=None, compare=False)  # the wrong-type id, from the real one
    bogus_name: str = ""

    def __str__(self) -> str:
        return "-".join(part for part in (self.permission.name, self.kind, self.role, self.bogus_name) if part)


WRONG_TYPES: tuple[tuple[str, Callable[[Any], object]], ...] = (
    ("True", lambda _: True), ("float", float), ("string", str), ("None", lambda _: None))


def cases(*permissions: Permission) -> list[Case]:
    out: list[Case] = []
    for p in permissions:
        out += [Case(p, "refused", role) for role in ROLES if role not in p.allowed]
        out += [Case(p, "allowed", role) for role in p.allowed]
        if p.org_scoped:
            out.append(Case(p, "other organisation", (p.allowed or ROLES)[0]))
        if p.by_id:  # by the first role allowed, or by staff when only staff are
            out += [Case(p, "wrong type", p.allowed[0] if p.allowed else "", bogus, name)
                    for name, bogus in WRONG_TYPES]
        out.append(Case(p, "staff"))
    return out


def permission_tests(*permissions: Permission):
    """A test function running every case of these permissions; assign it
    to a `test_...` name in a test module."""

    @pytest.mark.parametrize("case", cases(*permissions), ids=str)
    def test(case: Case, sqlite_template: Path, tmp_path_factory, tmp_path: Path) -> None:
        _in_a_copy_of_the_world(run, case, sqlite_template, tmp_path_factory, tmp_path)

    return test


def _in_a_copy_of_the_world(runner, case, sqlite_template: Path, tmp_path_factory, tmp_path: Path) -> None:  # noqa: ANN001
    """Run one case on a copy of the people built once per process."""
    world, people = _world(sqlite_template, tmp_path_factory)
    db = tmp_path / "portal.db"
    shutil.copyfile(world, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine, expire_on_commit=False) as session:
            runner(session, people, case)
    finally:
        engine.dispose()


def run(session: Session, people: People, case: Case) -> None:
    p = case.permission
    if case.kind == "allowed":
        target = p.target_row(session, people.ours["owner"])
        actor = people.ours[case.role]
        result = p.action(session, actor, target)
        session.flush()
        if p.check is not None:
            p.check(session, actor, target, result)
        return
    if case.kind == "staff" and p.staff_allowed:
        target = p.target_row(session, people.ours["owner"])
        result = p.action(session, people.staff, target)
        session.flush()
        if p.check is not None:
            p.check(session, people.staff, target, result)
        return
    if case.kind == "other organisation":
        actor, target = people.ours[case.role], p.target_row(session, people.theirs)
    else:
        target = p.target_row(session, people.ours["owner"])
        actor = people.staff if case.kind == "staff" or not case.role else people.ours[case.role]
        if case.bogus is not None:
            target = case.bogus(target)
    expected = p.refused if case.kind == "refused" else p.staff_refused if case.kind == "staff" else NotFound
    before = snapshot(session)
    with pytest.raises(PortalError) as err:
        p.action(session, actor, target)
    assert type(err.value) is expected, f"{case}: {type(err.value).__name__}: {err.value.message}"
    if expected is Forbidden:  # a role refusal, so it came from the one role check
        assert err.value.code == p.refused_code, f"{case}: {err.value.code} {err.value.message}"
    assert snapshot(session) == before, f"{case} changed the database"


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table as this session sees it (pending changes
    flushed, nothing committed or rolled back)."""
    session.flush()
    conn = session.connection()
    return {table.name: [tuple(row) for row in conn.execute(table.select().order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables}


def join(session: Session, owner: Principal, email: str, role: str, name: str) -> Principal:
    """Someone new invited by `owner` with `role`, accepted and signed in."""
    members.invite(session, owner, owner.current.org_id, email=email, role=role)
    members.accept_new_account(session, token_from(last_mail(session, email).body, "/invitations/accept"),
                               name=name, password=PASSWORD)
    session.commit()
    return sign_in(session, email)[1]


_WORLDS: dict[Path, tuple[Path, People]] = {}


def _world(sqlite_template: Path, tmp_path_factory) -> tuple[Path, People]:
    """The people, built once per test process into a copy of the migrated template."""
    if sqlite_template not in _WORLDS:
        path = tmp_path_factory.mktemp("permission-world") / "portal.db"
        shutil.copyfile(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        with Session(engine, expire_on_commit=False) as session:
            register(session, "olive@example.com", company="Ours", name="Olive Owner")
            register(session, "theo@example.com", company="Theirs", name="Theo Theirs")
            _, owner = sign_in(session, "olive@example.com")
            _, theirs = sign_in(session, "theo@example.com")
            ours = {"owner": owner}
            for role in ROLES[1:]:
                ours[role] = join(session, owner, f"{role}@example.com", role, f"{role.title()} Person")
            admin = staff_admin(session)
            people = People(ours, theirs, admin, {role: staff_member(session, admin, role) for role in ("agent", "billing")})
            session.commit()
        with engine.connect() as conn:  # fold the WAL into the file, so one file is the whole database
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _WORLDS[sqlite_template] = (path, people)
    return _WORLDS[sqlite_template]


# ---------------------------------------------------------------- back-office actions

@dataclass(frozen=True)
class StaffPermission:
    """One back-office action (instance-wide, no organisation): only staff
    of the `allowed` staff roles may do it. `action(session, principal,
    target)`; `target_row(session, staff_admin)` builds what it acts on
    (an id, or None for an action that creates). Its cases: every customer
    role and every other staff role refused (`Forbidden`, code STAFF_ONLY)
    with nothing changed; each allowed role succeeds; and, when it takes an
    id, ids of the wrong type and a missing one are `NotFound`."""

    name: str
    action: Action
    target_row: Target
    allowed: tuple[str, ...] = ("admin",)
    takes_id: bool = True
    # (session, actor, target, result): asserts, or returns whether the action did what it should
    check: Callable[[Session, Principal, Any, object], bool | None] | None = None


@dataclass(frozen=True)
class StaffCase:
    permission: StaffPermission
    kind: str  # "customers" | "other staff" | "allowed" | "wrong ids"
    role: str = ""

    def __str__(self) -> str:
        return "-".join(part for part in (self.permission.name, self.kind, self.role) if part)


STAFF_ROLES = ("admin", "agent", "billing")
STAFF_WRONG_IDS = (*WRONG_TYPES, ("missing", lambda _: 10**9))


def staff_cases(*permissions: StaffPermission) -> list[StaffCase]:
    """Per action: every customer role, every other staff role, each allowed
    role, and (for an action on a row) every wrong id. The refusals of one
    case share one copy of the database: each must raise, and after all of
    them nothing may have changed."""
    out: list[StaffCase] = []
    for p in permissions:
        out.append(StaffCase(p, "customers"))
        if any(role not in p.allowed for role in STAFF_ROLES):
            out.append(StaffCase(p, "other staff"))
        out += [StaffCase(p, "allowed", role) for role in p.allowed]
        if p.takes_id:
            out.append(StaffCase(p, "wrong ids", p.allowed[0]))
    return out


def staff_permission_tests(*permissions: StaffPermission):
    """Like `permission_tests`, for back-office actions."""

    @pytest.mark.parametrize("case", staff_cases(*permissions), ids=str)
    def test(case: StaffCase, sqlite_template: Path, tmp_path_factory, tmp_path: Path) -> None:
        _in_a_copy_of_the_world(run_staff, case, sqlite_template, tmp_path_factory, tmp_path)

    return test


def _staff_of(people: People, role: str) -> Principal:
    return people.staff if role == "admin" else people.other_staff[role]


def run_staff(session: Session, people: People, case: StaffCase) -> None:
    p = case.permission
    target = p.target_row(session, people.staff)
    session.flush()
    if case.kind == "allowed":
        actor = _staff_of(people, case.role)
        result = p.action(session, actor, target)
        session.flush()
        if p.check is not None:
            assert p.check(session, actor, target, result) in (None, True), f"{case}: not done as it should"
        return
    if case.kind == "customers":
        attempts = [(f"customer {role}", people.ours[role], target, Forbidden) for role in ROLES]
    elif case.kind == "other staff":
        attempts = [(f"staff {role}", _staff_of(people, role), target, Forbidden)
                    for role in STAFF_ROLES if role not in p.allowed]
    else:
        actor = _staff_of(people, case.role)
        attempts = [(f"id {name}", actor, bogus(target), NotFound) for name, bogus in STAFF_WRONG_IDS]
    before = snapshot(session)
    for who, actor, aimed, expected in attempts:
        with pytest.raises(PortalError) as err:
            p.action(session, actor, aimed)
        assert type(err.value) is expected, f"{case} {who}: {type(err.value).__name__}: {err.value.message}"
        if expected is Forbidden:
            assert err.value.code == ErrorCode.STAFF_ONLY, f"{case} {who}: {err.value.code} {err.value.message}"
    assert snapshot(session) == before, f"{case} changed the database"
