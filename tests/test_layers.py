"""The domain stays framework-free: services/, models/, jobs/ and
integrations/ never import Reflex, FastAPI or Starlette, so the same logic
serves the UI, API, CLI and jobs. And services never commit: the caller's one
transaction per action does."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "portal_app"
FORBIDDEN = {"reflex", "fastapi", "starlette"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", ["services", "models", "jobs", "integrations"])
def test_domain_layers_do_not_import_web_frameworks(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules found under {layer}/"
    offenders = {str(f.relative_to(PACKAGE)): sorted(_imported_roots(f) & FORBIDDEN) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_itself_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import os\nfrom reflex import State\n")
    assert _imported_roots(sample) & FORBIDDEN == {"reflex"}


# --- services never commit ----------------------------------------------------

def _commits(path: Path) -> list[str]:
    """Each `<anything>.commit(...)` or `.rollback(...)` call in the module,
    as "line: text": ending the caller's transaction either way is its call."""
    return [f"{node.lineno}: {ast.unparse(node)}"
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


def test_services_never_commit():
    """The caller's one transaction per action commits (`db.session_scope`):
    a service that commits would also commit whatever its caller wrote before
    calling it. What a failure must keep (a wrong guess's count) rides on the
    error instead (`PortalError.keeping`)."""
    files = sorted((PACKAGE / "services").rglob("*.py"))
    assert files
    offenders = {str(f.relative_to(PACKAGE)): _commits(f) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_commit_check_itself_sees_a_commit(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("def f(session):\n    session.add(1)\n    session.commit()\n    session.rollback()\n")
    assert _commits(sample) == ["3: session.commit()", "4: session.rollback()"]


# --- state reaches the database one way ---------------------------------------

def _imports_the_database(path: Path) -> list[str]:
    """Each import of `portal_app.db` (or a name from it) in the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == "portal_app.db":
            found += [f"{node.lineno}: from portal_app.db import {alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "portal_app" and any(
                alias.name == "db" for alias in node.names):
            found.append(f"{node.lineno}: from portal_app import db")
        elif isinstance(node, ast.Import) and any(alias.name == "portal_app.db" for alias in node.names):
            found.append(f"{node.lineno}: import portal_app.db")
    return found


def test_state_modules_reach_the_database_only_through_session_state():
    """Handlers run on the event loop every connected person shares: a page
    state reads through `self._read` and acts through `self._act` (both
    `state.session.in_transaction`: one transaction, on a worker thread),
    never with its own `session_scope` on the loop."""
    files = sorted(f for f in (PACKAGE / "state").rglob("*.py") if f.name != "session.py")
    assert files
    offenders = {str(f.relative_to(PACKAGE)): _imports_the_database(f) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_database_import_check_itself_sees_one(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import reflex as rx\nfrom portal_app.db import session_scope\nfrom portal_app import db, routes\n")
    assert _imports_the_database(sample) == ["2: from portal_app.db import session_scope",
                                             "3: from portal_app import db"]
