"""One server per xdist worker; the README quick start, run as a new user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_support import INNER_ARGS

QUICKSTART = Path(__file__).parents[2] / "examples" / "quickstart"


def test_each_xdist_worker_gets_its_own_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_where(sb_emulator, n):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            with open(f"seen-{worker}.txt", "a") as out:
                out.write(sb_emulator.url + "\\n")
        """
    )
    result = pytester.runpytest_subprocess(*INNER_ARGS, "-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=8)
    urls = {
        path.name: set(path.read_text().split())
        for path in pytester.path.glob("seen-*.txt")
    }
    assert sorted(urls) == ["seen-gw0.txt", "seen-gw1.txt"]
    assert all(len(seen) == 1 for seen in urls.values())  # one server per worker ...
    assert urls["seen-gw0.txt"] != urls["seen-gw1.txt"]  # ... on its own port


def test_readme_quickstart_passes_in_a_fresh_folder(tmp_path: Path) -> None:
    for name in ("checkout.yaml", "test_checkout.py"):
        shutil.copy(QUICKSTART / name, tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkout.yaml", "test_checkout.py"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SB_EMULATOR"))}
    pytest_command = Path(sys.executable).with_name("pytest")  # what `pip install` put on PATH
    done = subprocess.run(
        [str(pytest_command)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    test_lines = (QUICKSTART / "test_checkout.py").read_text().strip().splitlines()
    assert len(test_lines) < 10
