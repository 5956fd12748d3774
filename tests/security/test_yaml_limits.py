"""Hostile YAML definitions (issue 16): alias bombs, deep nesting, duplicate keys, foreign
tags and unknown CEL functions are refused quickly, with a message naming the limit or the
rule, by the loader, by ``sb-emulator validate`` and by the upload API (a 400 in the API's
error shape, the server answering normally after)."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_definition, load_definition_text
from sb_emulator.machines.validate import main as validate
from sb_emulator.machines.yamlguard import MAX_ALIAS_EXPANSION, MAX_DEPTH
from sb_emulator.web import create_app
from tests.security.helpers import Api, admin_headers, assert_responsive, security_config

HEAD = "name: probe\nallowRead: true\nallowWrite: true\n"


def _alias_bomb(levels: int = 7) -> str:
    lines = ['    l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"    l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return (HEAD + "machine:\n  id: probe\n  initial: idle\n  context:\n" + "\n".join(lines)
            + "\n  states:\n    idle: {}\n")


def _nested_states(depth: int) -> str:
    text, indent = HEAD + "machine:\n  id: probe\n  initial: s0\n  states:\n", "    "
    for i in range(depth):
        text += f"{indent}s{i}:\n{indent}  initial: s{i + 1}\n{indent}  states:\n"
        indent += "    "
    return text + f"{indent}s{depth}: {{}}\n"


HOSTILE = {
    "alias-bomb": (_alias_bomb(), "alias expansion limit"),
    "nested-states": (_nested_states(200), "nesting limit"),
    "brackets": (HEAD + "machine: " + "[" * 50_000, "nesting limit"),
    "braces": (HEAD + "machine: " + "{a: " * 50_000, "nesting limit"),
    "recursive-alias": (HEAD + "machine: &m {id: probe, initial: a, states: {a: {}}, x: *m}\n",
                        "recursive alias"),
    "duplicate-key": (HEAD + "machine: {id: probe, initial: a, states: {a: {}}}\n"
                             "allowRead: false\n", "duplicate key"),
    "python-tag": ("name: probe\nmachine: {id: probe, initial: a, states: {a: {}}}\n"
                   "allowRead: !!python/name:os.system\nallowWrite: true\n",
                   "the tag !!python/name:os.system is not allowed"),
    "verbatim-tag": ("name: probe\nmachine: {id: probe, initial: a, states: {a: {}}}\n"
                     "allowRead: !<tag:example.com,2000:run> x\nallowWrite: true\n",
                     "the tag tag:example.com,2000:run is not allowed"),
    "unknown-cel-function": ("name: probe\nmachine: {id: probe, initial: a, states: {a: {}}}\n"
                             "allowRead: foo(context.x)\nallowWrite: true\n",
                             'calls unknown function "foo"'),
}


@pytest.mark.bound(seconds=10, megabytes=200)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_loader_refuses_it_naming_the_limit(case: str, tmp_path: Path) -> None:
    text, reason = HOSTILE[case]
    path = tmp_path / "probe.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError) as raised:
        load_definition(str(path))
    (problem,) = raised.value.problems
    assert problem.startswith(f"{path}:") and reason in problem, problem
    line = problem[len(f"{path}:"):].split(":", 1)[0]
    assert line.isdigit() and int(line) >= 1, problem


@pytest.mark.bound(seconds=10, megabytes=200)
@pytest.mark.parametrize("case", ["alias-bomb", "python-tag", "unknown-cel-function"])
def test_validate_refuses_it(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                             ) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(HOSTILE[case][0])
    assert validate([str(path)]) == 1
    err = capsys.readouterr().err
    assert HOSTILE[case][1] in err and "1 problem(s) found" in err


def test_the_limits_leave_room_for_real_definitions() -> None:
    shared = "\n".join(f"    k{i}: *shared" for i in range(40))
    text = (HEAD + "machine:\n  id: probe\n  initial: s0\n  context:\n"
            "    base: &shared {a: [1, 2, 3], b: {c: d}}\n" + shared + "\n  states:\n"
            "    s0: {}\n")
    assert load_definition_text(text, "probe.yaml").name == "probe"
    assert load_definition_text(_nested_states(20), "probe.yaml").name == "probe"
    core = ("name: probe\nmachine: {id: !!str probe, initial: a, states: {a: {}}}\n"
            "allowRead: !!bool true\nallowWrite: true\n")
    assert load_definition_text(core, "probe.yaml").name == "probe"
    assert MAX_DEPTH >= 40 and MAX_ALIAS_EXPANSION >= 1000


@pytest.fixture
def config() -> EmulatorConfig:
    return security_config()


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


async def _upload(api: Api, config: EmulatorConfig, code: bytes) -> aiohttp.ClientResponse:
    """The three-step upload; returns the answer to the final (finalising) step."""
    headers = admin_headers(config)
    res = await api.post("/machines/probe/v", headers=headers, json={})
    assert res.status == 200, await res.text()
    provisional = await res.json()
    form = aiohttp.FormData()
    for name, value in provisional["codeUploadFields"].items():
        form.add_field(name, value)
    form.add_field("file", io.BytesIO(code), filename="probe.js",
                   content_type="application/javascript")
    uploaded = await api.post("/_emulator/uploads/" + provisional["codeUploadUrl"].rsplit("/", 1)[1],
                              data=form)
    assert uploaded.status == 204, await uploaded.text()
    return await api.put(f"/machines/probe/v/{provisional['machineVersionId']}",
                         json={"clientInfo": "hostile"}, headers=headers)


@pytest.mark.bound(seconds=10, megabytes=200)
@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_the_upload_api_refuses_it_with_a_400(api: Api, config: EmulatorConfig,
                                                    case: str) -> None:
    text, reason = HOSTILE[case]
    res = await _upload(api, config, text.encode())
    assert res.status == 400, await res.text()
    body: dict[str, Any] = await res.json()
    assert body["code"] == "invalid-definition", body
    assert reason in body["error"], body
    await assert_responsive(api, config)
    versions = await (await api.get("/machines/probe/v", headers=admin_headers(config))).json()
    assert [v["clientInfo"] for v in versions["versions"]].count("hostile") == 0


def test_core_tags_give_plain_values() -> None:
    text = ("name: probe\nmachine: {id: probe, initial: a, context: {n: !!str 3}, "
            "states: {a: {}}}\nallowRead: !!bool true\nallowWrite: true\n")
    d = load_definition_text(text, "probe.yaml")
    assert d.machine.config["context"] == {"n": "3"}
    assert d.allow_read({}) is True
