"""The domain stays framework-free: services/, models/, jobs/ and
integrations/ never import Reflex, FastAPI or Starlette, so the same logic
serves the UI, API, CLI and jobs."""

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
