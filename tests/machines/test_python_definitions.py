"""Python definitions: two-argument callables everywhere, built-in actions, side effects."""

from __future__ import annotations

import sys
from pathlib import Path

from sb_emulator.engine import ExecuteAction, Log, SendEvent, initial, transition
from sb_emulator.machines import load_definition

MODULE = '''
from sb_emulator.actions import assign, choose, log, raise_, send, send_parent

seen = []

def remember(context, event):
    seen.append((context["n"], event["type"]))

machine = {
    "id": "py", "initial": "idle", "context": {"n": 0},
    "states": {
        "idle": {"on": {
            "add": {"actions": [assign(lambda ctx, ev: {"n": ctx["n"] + ev["by"]}), "remember",
                                log(lambda ctx, ev: "n=" + str(ctx["n"]), "trace")]},
            "tell": {"actions": [send_parent(lambda ctx, ev: {"type": "n", "n": ctx["n"]})]},
            "pick": {"actions": [choose([{"cond": "odd", "actions": [raise_({"type": "odd"})]},
                                         {"actions": [assign({"n": lambda ctx, ev: 0})]}])]},
            "odd": "odd",
            "later": {"actions": [send({"type": "odd"}, delay=lambda ctx, ev: ctx["n"] * 10,
                                       id="later")]},
        }},
        "odd": {},
    },
}
guards = {"odd": lambda ctx, ev: ctx["n"] % 2 == 1}
actions = {"remember": remember}

def allow_read(request):
    return request["authContext"].get("sub") == "owner"

def allow_write(request):
    return request["type"] == "initialization" or allow_read(request)
'''


def test_two_argument_callables_and_built_ins(tmp_path: Path) -> None:
    path = tmp_path / "py_machine.py"
    path.write_text(MODULE)
    d = load_definition(str(path))
    assert (d.name, d.kind) == ("py-machine", "python")
    snap, _ = initial(d.machine)
    snap, effects = transition(d.machine, snap, {"type": "add", "by": 3})
    assert snap.context == {"n": 3}
    assert [(e.label, e.value) for e in effects if isinstance(e, Log)] == [("trace", "n=3")]
    (execute,) = [e for e in effects if isinstance(e, ExecuteAction)]
    assert execute.exec is not None
    execute.exec(execute.context, execute.event, {})  # the runtime's three-argument call
    (module,) = [m for m in list(sys.modules.values())
                 if getattr(m, "__file__", None) == str(path)]
    assert module.seen == [(3, "add")]
    _, effects = transition(d.machine, snap, "tell")
    assert effects == (SendEvent("#_parent", {"type": "n", "n": 3}),)
    _, effects = transition(d.machine, snap, "later")
    assert [e.delay_ms for e in effects] == [30]
    odd, _ = transition(d.machine, snap, "pick")
    assert odd.value == "odd"
    even, _ = transition(d.machine, snap.__class__.from_json({**snap.to_json(),
                                                               "context": {"n": 2}}), "pick")
    assert (even.value, even.context) == ("idle", {"n": 0})
    assert d.allow_write({"type": "initialization", "authContext": {}}) is True
    assert d.allow_read({"authContext": {"sub": "stranger"}}) is False
