"""Running the portal must not rewrite the tracked reflex.lock/ (Reflex
writes package.json back in its own compact form on every build): a
newcomer's `git status` stays clean after the first command."""

import shutil
import subprocess

import pytest

from tests.live_app import ROOT


def test_running_the_portal_leaves_reflex_lock_unchanged(portal):
    # `portal` has built and started the app, which is when Reflex writes the files.
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    changed = subprocess.run(["git", "status", "--porcelain", "--", "reflex.lock"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert changed == "", f"running the portal changed reflex.lock/ (commit what Reflex wrote):\n{changed}"
