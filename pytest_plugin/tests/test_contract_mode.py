"""Contract mode: the plugin pointed at a deployment (here a second sb-emulator process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_support import CONTRACT_MACHINES, INNER_ARGS, Deployment, start_deployment


def test_target_without_a_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest(*INNER_ARGS, "--sb-target", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sb-target needs a key*"])


def test_key_and_target_can_come_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SB_EMULATOR_TARGET", "http://127.0.0.1:9/")
    monkeypatch.setenv("SB_EMULATOR_TARGET_KEY_ID", "sbk_fromEnvironment000000")
    monkeypatch.setenv("SB_EMULATOR_TARGET_KEY_SECRET", "sbsec_x")
    pytester.makepyfile(
        """
        def test_target(sb_emulator_server):
            assert sb_emulator_server.url == "http://127.0.0.1:9"
            assert not sb_emulator_server.is_emulator
        """
    )
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["sb-emulator: contract mode against http://127.0.0.1:9 (key sbk_fromEnvironment000000)"]
    )


USER_TESTS = """
import pytest

pytestmark = pytest.mark.sb_machines("not-loaded-in-contract-mode.yaml")

def test_create_and_read(sb_client, sb_emulator):
    assert sb_emulator.contract_mode
    sb_client.create_instance("counter", "contract-c1", {"count": 1})
    assert sb_client.get_instance("counter", "contract-c1")["state"] == "idle"

def test_needs_the_clock(sb_clock):
    raise AssertionError("never runs in contract mode")

def test_advance_through_the_handle(sb_emulator):
    sb_emulator.advance(1000)
    raise AssertionError("never runs in contract mode")

def test_needs_recorded_requests(sb_requests):
    raise AssertionError("never runs in contract mode")
"""


def test_user_tests_run_against_the_deployment(
    pytester: pytest.Pytester, deployment: Deployment
) -> None:
    pytester.makepyfile(USER_TESTS)
    result = pytester.runpytest(*INNER_ARGS, "-rs", *deployment.plugin_args())
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "*sb-emulator contract mode*",
            f"ran against {deployment.url} instead of an embedded emulator*",
            "3 test(s) skipped: they need clock control*",
            "*short test summary info*",
            "*sb-emulator: clock control is not available in contract mode*",
            "*sb-emulator: recorded requests are not available in contract mode*",
        ]
    )
    # The instance really lives in the other process.
    state = deployment.client().get_instance("counter", "contract-c1")
    assert state["state"] == "idle"


def test_contract_suite_command_against_a_deployment(tmp_path: Path) -> None:
    """`python -m sb_emulator.contract --target ...` runs the schemathesis suite remotely."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SB_EMULATOR"))}
    env["SB_EMULATOR_CONTRACT_STATEFUL_STEPS"] = "5"
    for deployment in start_deployment(CONTRACT_MACHINES):
        target = deployment.target()
        done = subprocess.run(
            [
                sys.executable, "-m", "sb_emulator.contract", "--target", deployment.url,
                "--key-id", target.key_id, "--key-secret", target.key_secret,
                "--org-id", target.org_id, "--max-examples", "3", "--", "-q",
                "-o", "asyncio_default_fixture_loop_scope=function",
            ],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
        assert "sb-emulator contract mode" in done.stdout
        # The suite really reached the deployment: it created its instances there.
        slugs = {i["slug"] for i in deployment.client().list_instances("counter")}
        assert {"contract-1", "contract-2"} <= slugs
