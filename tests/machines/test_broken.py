"""Every broken definition in fixtures/broken produces exactly its documented message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_definition
from sb_emulator.machines.validate import main as validate

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "fixtures" / "broken"
EXPECTED: dict[str, str] = json.loads((BROKEN / "expected.json").read_text())


def test_there_are_at_least_30_broken_definitions() -> None:
    files = [p for p in BROKEN.iterdir() if p.suffix in (".yaml", ".py")]
    assert len(files) >= 30
    assert sorted(p.name for p in files) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_definition_message(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(DefinitionError) as raised:
        load_definition(f"fixtures/broken/{name}")
    assert str(raised.value) == EXPECTED[name]


def test_messages_name_file_line_path_and_expectation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(DefinitionError) as raised:
        load_definition("fixtures/broken/bad_target.yaml")
    message = str(raised.value)
    assert message.startswith("fixtures/broken/bad_target.yaml:9: ")
    assert "machine.states.pending.on.place[0].target" in message
    assert "expected" in message and 'did you mean "placed"?' in message


def test_validate_command_exit_codes(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert validate(["fixtures/machines"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(line.startswith("ok  ") for line in out)
    assert validate(["fixtures/broken/bad_initial.yaml", "fixtures/broken/bad_target.yaml"]) == 1
    err = capsys.readouterr().err
    assert "idel" in err and "plaecd" in err and "2 problem(s) found" in err
