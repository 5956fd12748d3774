"""Malformed ``/_emulator/import`` documents, damaged data dirs and deep values (issue 16, #2
and #3): a bad document is a 400 naming the path of its first problem and changes nothing;
a data dir that cannot be loaded stops start-up with one clear line; whatever the API
accepts exports and imports again."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from sb_emulator.bootstrap import StartupError, build_emulator, shutdown_emulator
from sb_emulator.config import EmulatorConfig
from sb_emulator.service.payload_limits import MAX_NESTING_DEPTH
from sb_emulator.web import create_app
from tests.security.helpers import Api, admin_headers, assert_responsive, security_config

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def config() -> EmulatorConfig:
    return security_config()


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


async def _seeded_export(api: Api, config: EmulatorConfig) -> dict[str, Any]:
    res = await api.post("/machines/probe", json={"slug": "one"}, headers=admin_headers(config))
    assert res.status == 200, await res.text()
    exported = await api.get("/_emulator/export")
    assert exported.status == 200
    document: dict[str, Any] = await exported.json()
    return document


def _first(document: dict[str, Any], collection: str) -> tuple[str, dict[str, Any]]:
    key = next(iter(document[collection]))
    return key, document[collection][key]


def _admin_key(document: dict[str, Any]) -> dict[str, Any]:
    return next(k for k in document["keys"].values() if k["name"] == "admin")


def _set(collection: str, member: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        _first(document, collection)[1][member] = value
    return mutate


def _drop(collection: str, member: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        del _first(document, collection)[1][member]
    return mutate


def _admin_secret_number(document: dict[str, Any]) -> None:
    _admin_key(document)["secret"] = 12345


def _instance_snapshot_value(document: dict[str, Any]) -> None:
    _first(document, "instances")[1]["snapshot"]["value"] = 7


def _orphan_transitions(document: dict[str, Any]) -> None:
    document["transitions"]["org_x/probe/ghost"] = [{"createdAtMs": 1, "state": "idle",
                                                     "event": {"type": "x"}}]


def _broken_yaml_version(document: dict[str, Any]) -> None:
    version = next(v for v in document["versions"].values() if v["source"]["kind"] == "yaml")
    version["source"]["text"] = "name: probe\nmachine: [not, a, machine]\n"


def _deep_context(document: dict[str, Any]) -> None:
    _first(document, "instances")[1]["snapshot"]["context"] = _nested(MAX_NESTING_DEPTH + 20)


def _idp_key_not_base64url(document: dict[str, Any]) -> None:
    document["idps"]["x|aud|None"] = {"orgId": _admin_key(document)["orgId"], "aud": "aud",
                                      "iss": None, "algs": ["HS256"], "key": "abcde",
                                      "mapping": {}}


def _token_provider_of_no_key(document: dict[str, Any]) -> None:
    _first(document, "token_providers")[1]["keyId"] = "sbk_nowhere"


CASES: dict[str, tuple[Mutation, str]] = {
    "org-without-name": (_drop("orgs", "name"), "expected a member 'name'"),
    "key-secret-not-a-string": (_admin_secret_number, ".secret: expected a string"),
    "machine-under-another-key": (_set("machines", "org", "org_nowhere"),
                                  "expected the key to be org/slug"),
    "machine-without-org": (_drop("machines", "org"), "expected a member 'org'"),
    "current-version-dangling": (_set("machines", "currentVersion", "ver_nowhere"),
                                 ".currentVersion: expected a version"),
    "instance-version-dangling": (_set("instances", "versionId", "ver_nowhere"),
                                  ".versionId: expected a version"),
    "instance-without-snapshot": (_drop("instances", "snapshot"), "expected a member 'snapshot'"),
    "instance-bad-name": (_set("instances", "name", "../../etc/passwd"), ".name: expected a name"),
    "instance-created-as-text": (_set("instances", "createdAtMs", "yesterday"),
                                 ".createdAtMs: expected an integer"),
    "snapshot-value-number": (_instance_snapshot_value, ".snapshot.value: expected a string"),
    "transitions-of-no-instance": (_orphan_transitions, "expected an instance of the document"),
    "broken-yaml-version": (_broken_yaml_version, ".source.text: expected a valid machine"),
    "context-too-deep": (_deep_context, "nested more than"),
    "idp-key-not-base64url": (_idp_key_not_base64url, "expected a valid idp record"),
    "token-provider-of-no-key": (_token_provider_of_no_key, ".keyId: expected a key"),
    "instances-not-an-object": (lambda d: d.__setitem__("instances", []),
                                "instances: expected an object"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_malformed_import_is_a_400_and_changes_nothing(
        api: Api, config: EmulatorConfig, case: str) -> None:
    document = await _seeded_export(api, config)
    mutate, expected = CASES[case]
    bad = copy.deepcopy(document)
    mutate(bad)
    res = await api.post("/_emulator/import", json=bad)
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "invalid-import"
    assert expected in body["error"]
    after = await (await api.get("/_emulator/export")).json()
    assert after == document
    await assert_responsive(api, config)
    state = await api.get("/machines/probe/i/one", headers=admin_headers(config))
    assert state.status == 200, await state.text()


@pytest.mark.parametrize("body", [[], "text", {"format": "sb-emulator-state/1", "orgs": 5}],
                         ids=["array", "string", "orgs-a-number"])
async def test_import_bodies_that_are_not_documents_are_a_400(
        api: Api, config: EmulatorConfig, body: Any) -> None:
    res = await api.post("/_emulator/import", json=body)
    assert res.status == 400, await res.text()
    await assert_responsive(api, config)


async def test_a_refused_import_leaves_a_data_dir_that_starts(tmp_path: Path) -> None:
    config = security_config(data_dir=str(tmp_path))
    emulator = await build_emulator(config)
    try:
        document = await emulator.export_state()
        bad = copy.deepcopy(document)
        _drop("machines", "org")(bad)
        with pytest.raises(Exception) as refused:
            await emulator.import_state(bad)
        assert getattr(refused.value, "code", None) == "invalid-import"
    finally:
        await shutdown_emulator(emulator, config)
    emulator = await build_emulator(config)  # the next start on that data dir works
    try:
        restarted = await emulator.export_state()
        for collection in ("orgs", "machines", "versions", "instances", "transitions"):
            assert restarted[collection] == document[collection]
    finally:
        await shutdown_emulator(emulator, config)


def _damage_a_machine(data_dir: Path) -> None:
    db = sqlite3.connect(data_dir / "sb-emulator.sqlite3")
    with db:
        db.execute("UPDATE documents SET value = ? WHERE collection = 'machines'",
                   (json.dumps({"slug": "probe", "createdAtMs": 1, "indexes": []}),))
    db.close()


async def _make_data_dir(data_dir: Path) -> None:
    config = security_config(data_dir=str(data_dir))
    emulator = await build_emulator(config)
    await shutdown_emulator(emulator, config)


async def test_a_damaged_data_dir_stops_start_up_naming_the_problem(tmp_path: Path) -> None:
    await _make_data_dir(tmp_path)
    _damage_a_machine(tmp_path)
    with pytest.raises(StartupError) as err:
        await build_emulator(security_config(data_dir=str(tmp_path)))
    assert str(tmp_path) in str(err.value)
    assert "expected a member 'org'" in str(err.value)


def _serve(data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import sys; from sb_emulator.cli import main; sys.exit(main())",
               "--data-dir", str(data_dir),
               "--port", "0", "--machines", str(Path(__file__).parent / "machines")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _assert_one_clear_line(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.mark.bound(seconds=90)
async def test_the_cli_reports_a_damaged_data_dir_in_one_line(tmp_path: Path) -> None:
    await _make_data_dir(tmp_path)
    _damage_a_machine(tmp_path)
    _assert_one_clear_line(_serve(tmp_path), "cannot start", str(tmp_path),
                           "machines", "expected a member 'org'")


@pytest.mark.bound(seconds=90)
def test_the_cli_reports_a_data_dir_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "sb-emulator.sqlite3").write_bytes(b"this is not a database" * 100)
    _assert_one_clear_line(_serve(tmp_path), "cannot start", "not a usable SQLite database")


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


async def test_a_context_past_the_depth_limit_is_refused(api: Api, config: EmulatorConfig
                                                         ) -> None:
    body = {"slug": "deep", "context": {"tree": _nested(500)}}
    res = await api.post("/machines/probe", json=body, headers=admin_headers(config))
    assert res.status == 400, await res.text()
    error = await res.json()
    assert error["code"] == "too-deeply-nested"
    assert str(MAX_NESTING_DEPTH) in error["error"]
    missing = await api.get("/machines/probe/i/deep", headers=admin_headers(config))
    assert missing.status == 404


async def test_the_deepest_accepted_context_exports_and_imports(
        api: Api, config: EmulatorConfig, tmp_path: Path) -> None:
    # the context itself is one level: its "tree" member may hold the rest
    body = {"slug": "deep", "context": {"tree": _nested(MAX_NESTING_DEPTH - 1)}}
    res = await api.post("/machines/probe", json=body, headers=admin_headers(config))
    assert res.status == 200, await res.text()
    exported = await api.get("/_emulator/export")
    assert exported.status == 200, await exported.text()
    document = await exported.json()
    assert (await api.post("/_emulator/reset")).status == 204
    imported = await api.post("/_emulator/import", json=document)
    assert imported.status == 204, await imported.text()
    assert await (await api.get("/_emulator/export")).json() == document


async def test_assign_results_past_the_depth_limit_are_refused(
        api: Api, config: EmulatorConfig) -> None:
    headers = admin_headers(config)
    body = {"slug": "grow", "context": {"tree": _nested(MAX_NESTING_DEPTH - 3)}}
    assert (await api.post("/machines/probe", json=body, headers=headers)).status == 200
    events = "/machines/probe/i/grow/events"
    assert (await api.post(events, json={"event": "nest"}, headers=headers)).status == 200
    assert (await api.post(events, json={"event": "nest"}, headers=headers)).status == 200
    refused = await api.post(events, json={"event": "nest"}, headers=headers)
    assert refused.status == 400, await refused.text()
    assert (await refused.json())["code"] == "too-deeply-nested"
    transitions = await api.get(events, headers=headers)
    assert len((await transitions.json())["transitions"]) == 3  # init and the two accepted
    assert (await api.get("/_emulator/export")).status == 200


async def test_export_on_exit_writes_the_deepest_accepted_context(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    config = security_config(export_on_exit=str(target))
    emulator = await build_emulator(config)
    await emulator.create_instance(config.org_id, "probe", "deep",
                                   {"tree": _nested(MAX_NESTING_DEPTH - 1)}, None, {})
    await shutdown_emulator(emulator, config)
    written = json.loads(target.read_text(encoding="utf-8"))
    assert any(i["name"] == "deep" for i in written["instances"].values())


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": "sb-emulator-state/1",
                                                                "machines": {"x": {}}})],
                         ids=["not-json", "malformed"])
async def test_a_bad_import_file_stops_start_up_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StartupError) as err:
        await build_emulator(security_config(import_file=str(path)))
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)
