"""Helpers of the plugin's tests: inner pytest arguments, a stand-in deployment process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sb_emulator.testing import Client, RemoteTarget

KEY_ID = "sbk_contractModeTestKey000"
KEY_SECRET = "sbsec_contract-mode-test-secret"
ORG_ID = "org_contractModeTestOrg00"
CONTRACT_MACHINES = Path(__file__).parent / "machines"  # what the deployment has deployed
LISTENING = re.compile(r"sb-emulator listening on (http://\S+)")
START_TIMEOUT_S = 30.0
# Inner pytester sessions have no ini file: settle what installed plugins would warn about.
INNER_ARGS = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


@dataclass
class Deployment:
    url: str
    process: subprocess.Popen[str]

    def target(self) -> RemoteTarget:
        return RemoteTarget(url=self.url, key_id=KEY_ID, key_secret=KEY_SECRET, org_id=ORG_ID)

    def client(self) -> Client:
        return self.target().client()

    def plugin_args(self) -> list[str]:
        return [
            "--sb-target", self.url, "--sb-key-id", KEY_ID, "--sb-key-secret", KEY_SECRET,
            "--sb-org-id", ORG_ID,
        ]


def start_deployment(machines: Path) -> Iterator[Deployment]:
    """Start ``sb-emulator serve --port 0`` and wait for its "listening on" line."""
    executable = Path(sys.executable).with_name("sb-emulator")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_EMULATOR_")}
    process = subprocess.Popen(
        [
            str(executable), "serve", "--port", "0", "--machines", str(machines),
            "--key-id", KEY_ID, "--key-secret", KEY_SECRET, "--org-id", ORG_ID,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        yield Deployment(url=_wait_for_url(process), process=process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return match.group(1)
    raise RuntimeError("sb-emulator did not start:\n" + "".join(seen))
