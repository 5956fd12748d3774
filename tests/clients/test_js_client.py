"""The real @statebacked/client (pinned in tests/clients/js/package-lock.json) against a live
sb-emulator process, unmodified except for its apiHost. Each scenario is a Node script that
exits non-zero with the failing assertion on stderr."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import LiveEmulator, node_env

JS = Path(__file__).parent / "js"
SCENARIOS = sorted(p.name for p in JS.glob("*.mjs") if p.name != "env.mjs")

pytestmark = pytest.mark.xdist_group("js-client")


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    if not (JS / "node_modules" / "@statebacked" / "client").is_dir():
        pytest.skip("run `npm ci` in tests/clients/js (scripts/test.sh does) to run these tests")


@pytest.mark.parametrize("script", SCENARIOS)
def test_scenario(script: str, node: str, live_emulator: LiveEmulator) -> None:
    result = subprocess.run(
        [node, script], cwd=JS, env=node_env(live_emulator), capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert '"ok":true' in result.stdout
