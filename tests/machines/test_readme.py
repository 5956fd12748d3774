"""The YAML examples of src/sb_emulator/machines/README.md load as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sb_emulator.machines import load_definition_text

README = Path(__file__).resolve().parents[2] / "src" / "sb_emulator" / "machines" / "README.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)


def test_the_full_example_loads() -> None:
    d = load_definition_text(BLOCKS[0], "README.yaml")
    assert d.name == "order" and set(d.http_api_mapper) == {"cancel"}
    assert d.upgrade_state is not None and d.upgrade_state(["shipping", "quoting"], {}) == ["placed"]


def test_the_http_api_example_loads() -> None:
    http = BLOCKS[1]
    machine = BLOCKS[0].split("httpApi:")[0]
    d = load_definition_text(machine + http, "README-http.yaml")
    assert set(d.http_api_mapper) == {"place-order"}


def test_the_python_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every name it calls is imported (load_migration_text was not) and every path exists."""
    monkeypatch.chdir(README.parents[3])
    code = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)  # our own README
    assert "load_migration_text" in namespace


def test_the_readme_links_only_to_files_that_exist() -> None:
    for target in re.findall(r"\]\(([^)#]+)\)", README.read_text()):
        if not target.startswith("http"):
            assert (README.parent / target).exists(), target
    assert "API.md §" not in README.read_text()
