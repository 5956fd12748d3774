"""Python definition problems name the line of the offending key inside the ``machine`` dict
(or any other export), found by parsing the file with ``ast`` (never by running it again)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_definition
from sb_emulator.machines.pylocate import Binding, line_of_path, module_bindings

SOURCE = '''\
import functools

BUSY = {                                   # 3
    "on": {
        "done.invoke.load": {              # 5
            "target": "idle",              # 6
        },
    },
}
BASE = {"initial": "idle"}                 # 10
machine = {                                # 11
    **BASE,
    "states": {                            # 13
        "idle": {"on": {"go": "busy"}},    # 14
        "busy": BUSY,                      # 15
        "steps": dict(                     # 16
            entry=[                        # 17
                "first",                   # 18
                "second",                  # 19
            ],
        ),
        "built": functools.reduce(None, []),  # 22
    },
}
guards = {"ready": None}                   # 25
guards = {                                 # 26
    "ready": None,                         # 27
}


def allow_read(request):                   # 31
    return True
'''


@pytest.fixture(scope="module")
def bindings() -> dict[str, Binding]:
    return module_bindings(ast.parse(SOURCE))


@pytest.mark.parametrize(("path", "line"), [
    ("machine", 11),
    ("machine.states", 13),
    ("machine.states.idle.on.go", 14),
    ("machine.states.idle.on.go[0].target", 14),  # a shorthand target: the event's line
    ("machine.states.busy", 15),
    ("machine.states.busy.on.done.invoke.load[0].target", 6),  # through a name, dotted key
    ("machine.initial", 10),  # from a ** spread
    ("machine.states.steps.entry", 17),  # dict(...) keywords
    ("machine.states.steps.entry[1]", 19),
    ("machine.states.steps.entry[5]", 17),  # no such item: the deepest node reached
    ("machine.states.built.initial", 22),  # a call the path cannot enter
    ("machine.states.nowhere.on", 13),
    ("guards.ready", 27),  # the last binding is the one the module keeps
    ("allow_read", 31),
])
def test_line_of_path(bindings: dict[str, Binding], path: str, line: int) -> None:
    assert line_of_path(bindings, path) == line


def test_unbound_names_have_no_line(bindings: dict[str, Binding]) -> None:
    assert line_of_path(bindings, "allow_write") is None
    assert line_of_path(bindings, "") is None


def test_a_deep_problem_names_its_own_line_and_the_file_runs_once(tmp_path: Path) -> None:
    runs = tmp_path / "runs.txt"
    path = tmp_path / "deep.py"
    path.write_text(textwrap.dedent(f'''\
        from pathlib import Path

        with Path({str(runs)!r}).open("a") as log:
            log.write("ran\\n")

        machine = {{
            "id": "m",
            "initial": "a",
            "states": {{
                "a": {{
                    "on": {{
                        "go": {{"target": "b", "cond": "isReady"}},
                    }},
                }},
                "b": {{"entry": ["hello", "wave"]}},
            }},
        }}
        actions = {{"hello": lambda ctx, ev: None}}


        def allow_read(request):
            return True


        allow_write = allow_read
        '''))
    with pytest.raises(DefinitionError) as raised:
        load_definition(str(path))
    # both mistakes, each on its own line (issue 15: every mistake in one pass)
    problem, wave = raised.value.problems
    assert problem.startswith(f"{path}:12: machine.states.a.on.go[0].cond: unknown guard")
    assert wave.startswith(f"{path}:15: machine.states.b.entry[1]: unknown action \"wave\"")
    assert runs.read_text() == "ran\n"
