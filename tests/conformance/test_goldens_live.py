"""The committed goldens still match live xstate, so they cannot drift."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conformance.conftest import HERE, NODE_MODULES


def test_goldens_match_live_xstate() -> None:
    node = shutil.which("node")
    if node is None or not NODE_MODULES.is_dir():
        pytest.skip("xstate is not installed: run `npm ci` in tests/conformance")
    result = subprocess.run([node, str(HERE / "record.js"), "--check"], capture_output=True,
                            text=True, timeout=300, env={"NODE_ENV": "production"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 drifted" in result.stdout
