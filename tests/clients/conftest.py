"""A real `sb-emulator` process for the client tests, started once per test session."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sb_emulator.config import DEFAULT_ADMIN_KEY_ID, DEFAULT_ADMIN_KEY_SECRET, DEFAULT_ORG_ID

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"^sb-emulator listening on (http://\S+)$")


@dataclass(frozen=True)
class LiveEmulator:
    url: str
    org_id: str
    key_id: str
    key_secret: str


def _emulator_command(*extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("sb-emulator")
    prefix = [str(exe)] if exe.exists() else [sys.executable, "-m", "sb_emulator"]
    return [*prefix, "serve", "--port", "0", *extra]


@pytest.fixture(scope="session")
def live_emulator() -> Iterator[LiveEmulator]:
    """`sb-emulator serve --port 0` as a subprocess; its URL comes from the banner line."""
    args = _emulator_command(
        "--clock", "manual",
        "--settle-timeout", "10",
        "--machines", str(REPO / "fixtures" / "machines"),
        "--machines", str(REPO / "tests" / "clients" / "machines"),
    )
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO
    )
    assert proc.stdout is not None
    banner: list[str] = []
    url = None
    for line in proc.stdout:
        banner.append(line)
        match = LISTENING.match(line.strip())
        if match:
            url = match.group(1)
            break
    if url is None:
        proc.wait(timeout=10)
        pytest.fail("sb-emulator did not start:\n" + "".join(banner))
    try:
        yield LiveEmulator(url, DEFAULT_ORG_ID, DEFAULT_ADMIN_KEY_ID, DEFAULT_ADMIN_KEY_SECRET)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        finally:
            proc.stdout.close()


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.skip("node is not installed")
    return path


def node_env(live: LiveEmulator) -> dict[str, str]:
    return {
        **os.environ,
        "SB_URL": live.url,
        "SB_ORG_ID": live.org_id,
        "SB_KEY_ID": live.key_id,
        "SB_KEY_SECRET": live.key_secret,
    }
