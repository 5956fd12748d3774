"""The `sb-emulator` command as a user runs it: a real process, its banner, signals, flags."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import jwt

from sb_emulator.cli import build_parser
from sb_emulator.config import _ENV_FIELDS, ENV_PREFIX

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"^sb-emulator listening on (http://127\.0\.0\.1:\d+)$")


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "sb_emulator", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    for line in proc.stdout:
        match = LISTENING.match(line.strip())
        if match:
            return proc, match.group(1)
    proc.wait(timeout=10)
    raise AssertionError("no listening line")


def _stop(proc: subprocess.Popen[str], signum: int = signal.SIGTERM) -> str:
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    return out


def _get(url: str, token: str | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


def test_serve_prints_the_listening_line_and_stops_cleanly_on_signals() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        proc, url = _start("--port", "0", "--machines", "fixtures/machines")
        assert _get(url + "/_emulator/health")["ok"] is True
        assert "shutting down" in _stop(proc, signum)


def test_flags_come_from_the_environment_too(tmp_path: Path) -> None:
    proc, url = _start("serve", env={"SB_EMULATOR_PORT": "0", "SB_EMULATOR_CLOCK": "manual",
                                     "SB_EMULATOR_ORG_ID": "org_fromEnvironment00000"})
    try:
        health = _get(url + "/_emulator/health")
        assert health["clock"] == "manual" and health["orgId"] == "org_fromEnvironment00000"
    finally:
        _stop(proc)


def test_token_command_mints_a_verifiable_token() -> None:
    out = subprocess.run([sys.executable, "-m", "sb_emulator", "token", "--sub", "alice",
                          "--claims", '{"role": "x"}'], capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["kid"].startswith("sbk_")
    assert claims["act"] == {"sub": "alice", "role": "x"} and claims["sub"] == "alice"


def test_data_dir_survives_a_restart_and_export_on_exit(tmp_path: Path) -> None:
    data, export = tmp_path / "data", tmp_path / "state.json"
    args = ("--port", "0", "--machines", "fixtures/machines", "--data-dir", str(data))
    proc, url = _start(*args, "--export-on-exit", str(export))
    token = subprocess.run([sys.executable, "-m", "sb_emulator", "token", "--sub", "a"],
                           capture_output=True, text=True, check=True).stdout.strip()
    request = urllib.request.Request(url + "/machines/toggler", method="POST",
                                     data=json.dumps({"slug": "kept"}).encode(),
                                     headers={"authorization": f"Bearer {token}",
                                              "content-type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()
    _stop(proc)
    assert "kept" in export.read_text()
    proc, url = _start(*args)
    try:
        assert _get(url + "/machines/toggler/i/kept", token)["state"] == "off"
    finally:
        _stop(proc)


def test_validate_command_exit_codes() -> None:
    ok = subprocess.run([sys.executable, "-m", "sb_emulator", "validate", "fixtures/machines"],
                        cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.count("ok  ") == 4
    bad = subprocess.run([sys.executable, "-m", "sb_emulator", "validate",
                          "fixtures/broken/bad_target.yaml"], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1 and "plaecd" in bad.stderr


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [action for action in parser._actions
            if action.option_strings and not isinstance(action, argparse._HelpAction)]


def _subparser(name: str) -> argparse.ArgumentParser:
    (choices,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    parser: argparse.ArgumentParser = choices.choices[name]
    return parser


def test_every_server_flag_names_its_environment_variable_in_its_help() -> None:
    variable_of = {field: ENV_PREFIX + suffix for suffix, field in _ENV_FIELDS.items()}
    serve_flags = _options(_subparser("serve"))
    assert {action.dest for action in serve_flags} == set(variable_of)  # each flag has one
    identity = [a for a in _options(_subparser("token")) if a.dest in variable_of]
    assert {a.dest for a in identity} == {"org_id", "key_id", "key_secret"}
    missing = [action.option_strings[0] for action in [*serve_flags, *identity]
               if variable_of[action.dest] not in (action.help or "")]
    assert missing == []
    # and as a user reads it, wrapped by argparse
    shown = subprocess.run([sys.executable, "-m", "sb_emulator", "serve", "--help"],
                           capture_output=True, text=True, check=True).stdout
    assert [v for v in variable_of.values() if v not in shown] == []
    top = subprocess.run([sys.executable, "-m", "sb_emulator", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "SB_EMULATOR_*" in top
