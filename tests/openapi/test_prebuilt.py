"""The pre-built JSON of the spec: shipped beside the YAML, up to date, trusted only when it
was built from the YAML beside it, and the package is never written to."""

from __future__ import annotations

import json
import logging
import tomllib
from pathlib import Path

import pytest

from sb_emulator.openapi import loader, prebuild
from sb_emulator.openapi.loader import packaged_spec_text
from tests.openapi.conftest import REPO


def _package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, prebuilt: str | None
                  ) -> Path:
    """A package folder holding the YAML (and maybe a pre-built file) that the loader reads."""
    folder = tmp_path / "openapi"
    folder.mkdir()
    spec_file = folder / loader.SPEC_FILE
    spec_file.write_text(packaged_spec_text(), "utf-8")
    if prebuilt is not None:
        (folder / loader.PREBUILT_FILE).write_text(prebuilt, "utf-8")
    monkeypatch.setattr(loader, "packaged_spec_path", lambda: spec_file)
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_committed_prebuilt_document_is_up_to_date_with_the_yaml() -> None:
    target = prebuild.prebuilt_path()
    assert target.exists(), "run: python -m sb_emulator.openapi.prebuild"
    wanted = prebuild.prebuilt_text(packaged_spec_text())
    assert target.read_text("utf-8") == wanted, "run: python -m sb_emulator.openapi.prebuild"
    assert prebuild.main(["--check"]) == 0


def test_the_packaged_spec_is_read_from_the_prebuilt_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = packaged_spec_text()
    marked = {"sourceSha256": loader.spec_digest(text), "document": {"openapi": "3.0.3",
                                                                      "marker": True}}
    _package_copy(tmp_path, monkeypatch, prebuilt=json.dumps(marked))
    assert loader.packaged_document() == marked["document"]  # no YAML parsing on a match


@pytest.mark.parametrize("prebuilt", [
    None,                                                         # missing
    "{not json",                                                  # damaged
    '["a list"]',                                                 # not the expected shape
    json.dumps({"sourceSha256": "0" * 64, "document": {"stale": True}}),   # another YAML's
    json.dumps({"document": {"stale": True}}),                    # no source hash at all
])
def test_a_missing_damaged_or_stale_prebuilt_document_means_parsing_the_yaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        prebuilt: str | None) -> None:
    folder = _package_copy(tmp_path, monkeypatch, prebuilt=prebuilt)
    before = _tree(folder)
    with caplog.at_level(logging.WARNING, logger=loader.__name__):
        document = loader.packaged_document()
    assert document == loader.parse_document(packaged_spec_text())
    assert _tree(folder) == before  # nothing written, nothing repaired in place
    if prebuilt is not None:
        assert loader.PREBUILT_FILE in caplog.text


def test_the_prebuilt_document_ships_as_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sb_emulator"]
    assert any(Path(f"openapi/{loader.PREBUILT_FILE}").match(p) for p in patterns)


def test_prebuild_writes_the_file_and_check_reports_a_stale_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    folder = _package_copy(tmp_path, monkeypatch, prebuilt="{}")
    assert prebuild.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert prebuild.main([]) == 0
    assert prebuild.main(["--check"]) == 0
    written = json.loads((folder / loader.PREBUILT_FILE).read_text("utf-8"))
    assert written["sourceSha256"] == loader.spec_digest(packaged_spec_text())
    assert loader.packaged_document() == written["document"]
