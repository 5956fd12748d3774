"""The parsed-YAML cache: a definition that loaded once loads again without ruamel.yaml, the
same; what the cache cannot carry exactly is parsed each time; errors keep their lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import yamlcache, yamlload
from sb_emulator.machines.yamlload import load_yaml_definition

TAGGED = """\
name: tagged
machine:
  initial: a
  context: {n: 1}
  states:
    a:
      after:
        1000: b
      on:
        go: {target: b, actions: [bump]}
    b:
      type: final
      data: !cel '{"n": context.n}'
actions:
  bump:
    assign:
      n: context.n + 1
allowRead: "true"
allowWrite: "true"
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return yamlcache.cache_dir()


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.exists() else []


def _refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse(text: str, source: str) -> None:
        raise AssertionError("parsed although the definition is cached")

    monkeypatch.setattr(yamlload, "parse_yaml", no_parse)


def test_a_loaded_definition_is_cached_and_loads_again_without_parsing(
        own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_yaml_definition(TAGGED, "tagged.yaml", "tagged")
    assert len(_entries(own_cache)) == 1
    _refuse_parsing(monkeypatch)
    again = load_yaml_definition(TAGGED, "tagged.yaml", "tagged")
    assert again.name == first.name == "tagged"
    assert again.source_text == TAGGED
    # the cached document builds the same machine: the !cel data and the numeric after key
    assert [n.path for n in again.machine.nodes] == [n.path for n in first.machine.nodes]
    final = next(n for n in again.machine.nodes if n.path == ("b",))
    assert final.done_data is not None and final.done_data({"n": 5}, {}) == {"n": 5}


def test_an_edited_file_misses_the_cache(own_cache: Path) -> None:
    load_yaml_definition(TAGGED, "tagged.yaml", "tagged")
    load_yaml_definition(TAGGED.replace("n: 1", "n: 2"), "tagged.yaml", "tagged")
    assert len(_entries(own_cache)) == 2


def test_a_broken_definition_is_never_cached(own_cache: Path) -> None:
    with pytest.raises(DefinitionError):
        load_yaml_definition(TAGGED.replace("target: b", "target: nowhere"), "t.yaml", "t")
    assert _entries(own_cache) == []


@pytest.mark.parametrize("extra", [
    "when: 2001-12-14\n",           # a YAML timestamp: not JSON
    "flags:\n  true: yes\n",        # a boolean key: str() and JSON spell it differently
])
def test_what_json_cannot_carry_exactly_is_not_cached(own_cache: Path, extra: str) -> None:
    with pytest.raises(yamlcache._NotCacheable):
        yamlcache._encode(yamlload.parse_yaml(TAGGED + extra, "x.yaml"))


def test_null_values_are_cached(own_cache: Path) -> None:
    text = TAGGED.replace("context: {n: 1}", "context: {n: 1, note: ~}")
    load_yaml_definition(text, "t.yaml", "t")
    assert len(_entries(own_cache)) == 1


def test_a_cached_document_that_fails_is_parsed_again_for_its_lines(own_cache: Path) -> None:
    broken = TAGGED.replace("target: b", "target: nowhere")
    # an entry for the broken text, as if an older sb-emulator had accepted it
    good = yamlload.parse_yaml(TAGGED, "t.yaml")
    entry = yamlcache._entry(broken)
    entry.parent.mkdir(parents=True, exist_ok=True)
    encoded = yamlcache._encode(good)
    encoded["machine"]["states"]["a"]["on"]["go"]["target"] = "nowhere"
    entry.write_text(json.dumps(encoded), "utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_yaml_definition(broken, "t.yaml", "t")
    assert caught.value.problems[0].startswith("t.yaml:10: machine.states.a.on.go")


def test_a_damaged_entry_is_ignored(own_cache: Path) -> None:
    entry = yamlcache._entry(TAGGED)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text("{not json", "utf-8")
    assert load_yaml_definition(TAGGED, "tagged.yaml", "tagged").name == "tagged"
    assert json.loads(entry.read_text("utf-8"))["name"] == "tagged"  # rewritten


def test_an_unwritable_cache_only_means_parsing(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_yaml_definition(TAGGED, "tagged.yaml", "tagged").name == "tagged"


def _definition(n: int) -> str:
    return TAGGED.replace("name: tagged", f"name: tagged-{n}")


def test_the_cache_keeps_only_the_most_recently_used_entries(
        own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(yamlcache, "MAX_ENTRIES", 3)
    for n in range(3):
        load_yaml_definition(_definition(n), "t.yaml", "t")
    entries = _entries(own_cache)
    assert len(entries) == 3
    # make the order of use explicit (mtime resolution may be coarse): 0 oldest, 2 newest
    for age, n in enumerate((2, 1, 0)):
        os.utime(yamlcache._entry(_definition(n)), (1_000_000 - age * 100,) * 2)
    assert yamlcache.load(_definition(0)) is not None  # a hit makes 0 the most recent
    load_yaml_definition(_definition(3), "t.yaml", "t")  # a write prunes: 1 goes
    kept = {p.name for p in _entries(own_cache)}
    assert kept == {yamlcache._entry(_definition(n)).name for n in (0, 2, 3)}


def test_the_cache_is_bounded_in_bytes(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_yaml_definition(_definition(0), "t.yaml", "t")
    size = _entries(own_cache)[0].stat().st_size
    monkeypatch.setattr(yamlcache, "MAX_BYTES", size * 2 + size // 2)
    for n in range(1, 5):
        load_yaml_definition(_definition(n), "t.yaml", "t")
    assert len(_entries(own_cache)) == 2


def test_the_cache_folder_names_the_format_and_the_emulator_version(
        own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sb_emulator import __version__

    assert own_cache.name == f"yaml-{yamlcache.FORMAT}-{__version__}"
    load_yaml_definition(TAGGED, "tagged.yaml", "tagged")
    assert yamlcache.load(TAGGED) is not None
    older = own_cache.parent / "yaml-2-0.0.9"
    older.mkdir(parents=True)
    (older / "x.json").write_text("{}")
    monkeypatch.setattr("sb_emulator.machines.yamlcache.__version__", "9.9.9")
    assert yamlcache.cache_dir().name == f"yaml-{yamlcache.FORMAT}-9.9.9"
    assert yamlcache.load(TAGGED) is None  # another version's entries are never read
    load_yaml_definition(TAGGED, "tagged.yaml", "tagged")
    folders = sorted(p.name for p in own_cache.parent.iterdir())
    assert folders == [f"yaml-{yamlcache.FORMAT}-9.9.9"]  # stale versions removed on write
