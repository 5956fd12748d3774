"""Inline invoke sources of Python definitions: async functions written as ``src`` are
services named by their invoke id; anything else is a load error on the line of ``src``."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import ServiceMeta, load_definition

TAIL = '''

def allow_read(request):
    return True


allow_write = allow_read
'''


def write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "inline.py"
    path.write_text(textwrap.dedent(body) + TAIL)
    return str(path)


def problems_of(path: str) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        load_definition(path)
    return raised.value.problems


async def _sleep(ms: int) -> None:
    return None


def test_inline_async_functions_are_services_under_their_invoke_ids(tmp_path: Path) -> None:
    path = write(tmp_path, '''\
        async def two(context, event):
            return ["two", context["n"], event["type"]]


        async def three(context, event, meta):
            return ["three", meta.data, meta.invoke_id]


        async def named(context, event):
            return "named"


        machine = {
            "id": "m", "initial": "a", "context": {"n": 1},
            "states": {
                "a": {"invoke": {"src": two}},
                "b": {"invoke": [{"id": "x", "src": "named"}, {"id": "y", "src": three}]},
            },
        }
        services = {"named": named}
        ''')
    definition = load_definition(path)
    assert sorted(definition.services) == ["m.a:invocation[0]", "named", "y"]
    meta = ServiceMeta({"k": 1}, _sleep, "y")
    run: Any = asyncio.run
    assert run(definition.services["m.a:invocation[0]"]({"n": 1}, {"type": "go"}, meta)) == [
        "two", 1, "go"]  # called with three arguments, as the runtime does
    assert run(definition.services["y"]({}, {}, meta)) == ["three", {"k": 1}, "y"]


@pytest.mark.parametrize(("src", "what", "suggested"), [
    ("fetch_sync", "the function fetch_sync", "fetch_sync"),
    ("lambda ctx, ev: 1", "a lambda", "user"),
    ("Loader()", "the Loader object", "user"),
])
def test_an_inline_source_that_is_not_async_is_refused_on_its_line(
        tmp_path: Path, src: str, what: str, suggested: str) -> None:
    path = write(tmp_path, f'''\
        def fetch_sync(context, event):
            return 1


        class Loader:
            def __call__(self, context, event):
                return 1


        machine = {{
            "id": "m",
            "initial": "a",
            "states": {{
                "a": {{
                    "invoke": {{
                        "id": "user",
                        "src": {src},
                    }},
                }},
            }},
        }}
        ''')
    assert problems_of(path) == [
        f"{path}:17: machine.states.a.invoke[0].src: {what} is not async; expected an async "
        f"function `async def {suggested}(context, event)`"]


def test_an_inline_source_may_not_share_its_id_with_a_named_service(tmp_path: Path) -> None:
    path = write(tmp_path, '''\
        async def load(context, event):
            return 1


        machine = {
            "id": "m",
            "initial": "a",
            "states": {"a": {"invoke": {
                "id": "load",
                "src": load,
            }}},
        }
        services = {"load": load}
        ''')
    assert problems_of(path) == [
        f"{path}:9: machine.states.a.invoke[0].id: the invoke id 'load' of this inline service "
        f"is also the name of services.load; expected another id (an inline src is named by "
        f"its invoke id)"]


def test_two_inline_sources_may_not_share_an_invoke_id(tmp_path: Path) -> None:
    path = write(tmp_path, '''\
        async def one(context, event):
            return 1


        async def other(context, event):
            return 2


        machine = {
            "id": "m",
            "initial": "a",
            "states": {
                "a": {"invoke": {"id": "job", "src": one}},
                "b": {"invoke": {"id": "job", "src": other}},
            },
        }
        ''')
    assert problems_of(path) == [
        f"{path}:14: machine.states.b.invoke[0].id: the invoke id 'job' already names the "
        f"inline service of machine.states.a.invoke[0]; expected unique invoke ids for inline "
        f"services"]
