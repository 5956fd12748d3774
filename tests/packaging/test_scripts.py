"""The set-up scripts, run on a copy of the repository with fake tools (no network): what a
newcomer sees from ``scripts/setup-env.sh``, and when ``scripts/setup-lowest.sh`` rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.openapi.conftest import REPO

# Stands in for pip: on an editable install it warns exactly as setuptools' build backend does
# (a Python warning in a child process, so PYTHONWARNINGS decides), may warn about something
# else, and may fail like pip does.
FAKE_PIP = '''
import os, sys, warnings
if "-e" in sys.argv:
    warnings.warn("Editable installation.\\n!!\\n\\n    Please be careful with folders in your "
                  "working directory with the same name as your package", UserWarning)
    if os.environ.get("FAKE_OTHER_WARNING"):
        warnings.warn("some other build warning", UserWarning)
    if os.environ.get("FAKE_PIP_FAILS"):
        print("ERROR: Could not find a version that satisfies the requirement", file=sys.stderr)
        sys.exit(1)
'''

# Stands in for uv: records each call.
FAKE_UV = '''#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../../uv-calls"
if [ "$1" = venv ]; then mkdir -p "${@: -1}/bin"; fi
'''


def _repository_copy(tmp_path: Path, script: str) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / script, tmp_path / "scripts" / script)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _fake_venv_python(root: Path) -> None:
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (root / "fake_pip.py").write_text(FAKE_PIP, "utf-8")
    python = bin_dir / "python"
    python.write_text(f'#!/usr/bin/env bash\nexec {sys.executable} "{root}/fake_pip.py" "$@"\n',
                      "utf-8")
    python.chmod(0o755)


def _run(root: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return subprocess.run(["bash", str(root / "scripts" / script)], capture_output=True,
                          text=True, env={**environ, **env}, timeout=60)


def test_setup_env_hides_only_the_editable_install_warning(tmp_path: Path) -> None:
    root = _repository_copy(tmp_path, "setup-env.sh")
    _fake_venv_python(root)
    done = _run(root, "setup-env.sh", FAKE_OTHER_WARNING="1")
    assert done.returncode == 0, done.stderr
    assert "Editable installation" not in done.stderr + done.stdout
    assert "Please be careful" not in done.stderr + done.stdout
    assert "some other build warning" in done.stderr  # other warnings still show
    assert (root / ".venv" / ".sb-installed").exists()


def test_setup_env_still_shows_a_failing_install_and_fails(tmp_path: Path) -> None:
    root = _repository_copy(tmp_path, "setup-env.sh")
    _fake_venv_python(root)
    failed = _run(root, "setup-env.sh", FAKE_PIP_FAILS="1")
    assert failed.returncode != 0
    assert "ERROR: Could not find a version" in failed.stderr
    assert not (root / ".venv" / ".sb-installed").exists()  # retried on the next run


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="the scripts need sha256sum")
def test_setup_lowest_builds_at_the_floors_once_per_pyproject(tmp_path: Path) -> None:
    root = _repository_copy(tmp_path, "setup-lowest.sh")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "uv").write_text(FAKE_UV, "utf-8")
    (bin_dir / "uv").chmod(0o755)
    calls = root / "uv-calls"

    assert _run(root, "setup-lowest.sh").returncode == 0
    first = calls.read_text("utf-8").splitlines()
    assert first[0].startswith("venv ") and first[0].endswith(".venv-lowest")
    assert "--resolution lowest-direct" in first[1] and first[1].endswith("-e .[test]")
    assert "--python .venv-lowest/bin/python" in first[1]

    assert _run(root, "setup-lowest.sh").returncode == 0  # unchanged: nothing to do
    assert calls.read_text("utf-8").splitlines() == first

    (root / ".venv-lowest" / "stale-file").write_text("from the last build", "utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write("\n# changed\n")
    assert _run(root, "setup-lowest.sh").returncode == 0  # changed: rebuilt from scratch
    assert len(calls.read_text("utf-8").splitlines()) == 4
    assert not (root / ".venv-lowest" / "stale-file").exists()


def test_what_the_tools_leave_behind_is_ignored_by_git() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    for path in (".schemathesis/cache/x", ".venv-lowest/bin/python"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO)
        assert ignored.returncode == 0, f"{path} is not ignored"
