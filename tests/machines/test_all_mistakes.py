"""Every mistake of a definition in one pass, and one message per mistake (issue 15)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_definition, load_definition_text
from sb_emulator.machines.validate import main as validate

REPO = Path(__file__).resolve().parents[2]


def _problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        load_definition_text(textwrap.dedent(text), "m.yaml")
    return raised.value.problems


def test_schema_and_meaning_mistakes_come_together_in_file_order() -> None:
    problems = _problems("""\
        machine:
          id: m
          initial: idle
          states:
            idle:
              on:
                go: {target: busyy, cond: ready}
                stop: {target: gone}
            busy: {entry: [nope]}
        guards:
          ready: context.count >
        actions:
          bump: {assign: {count: ctx.count + 1}}
          both: {log: '"x"', raise: {type: y}}
        indexes:
          owner: event.owner
        allowRead: true
        """)
    assert [p.split(";")[0].split(": ", 2)[:2] for p in problems] == [
        ["m.yaml:1", "missing key \"allowWrite\""],
        ["m.yaml:7", "machine.states.idle.on.go[0].target"],
        ["m.yaml:8", "machine.states.idle.on.stop[0].target"],
        ["m.yaml:9", "machine.states.busy.entry[0]"],
        ["m.yaml:11", "guards.ready"],
        ["m.yaml:13", "actions.bump.assign.count"],
        ["m.yaml:14", "actions.both"],
        ["m.yaml:16", "indexes.owner"],
    ]


def test_an_action_the_schema_refused_is_no_unknown_action_in_the_machine() -> None:
    problems = _problems("""\
        machine:
          id: m
          initial: idle
          states:
            idle: {entry: both}
        actions:
          both: {log: '"x"', raise: {type: y}}
        allowRead: true
        allowWrite: true
        """)
    assert len(problems) == 1 and "actions.both" in problems[0]


def test_an_invalid_guard_is_one_message_not_also_an_unknown_guard() -> None:
    problems = _problems("""\
        machine:
          id: m
          initial: idle
          states:
            idle: {on: {go: {target: busy, cond: hasItems}}}
            busy: {}
        guards:
          hasItems: size(context.items) >
        allowRead: true
        allowWrite: true
        """)
    assert len(problems) == 1, problems
    assert "guards.hasItems: invalid CEL expression" in problems[0]
    assert "unknown guard" not in problems[0]


def test_many_machine_mistakes_each_once() -> None:
    problems = _problems("""\
        machine:
          id: m
          initial: idel
          states:
            idle:
              initial: nothing
              states: {a: {after: {slowly: b}}, b: {}}
              on: {go: [{target: x1}, {target: busy, cond: nope}], back: x2}
              invoke: {src: fetchUsr}
            busy: {entry: [a1, a2], always: {target: x3, in: "#nowhere"}}
        allowRead: true
        allowWrite: true
        """)
    paths = [p.split(": ", 2)[1] for p in problems]
    assert sorted(paths) == sorted([
        "machine.initial", "machine.states.idle.initial", "machine.states.idle.states.a.after.slowly",
        "machine.states.idle.on.go[0].target", "machine.states.idle.on.go[1].cond",
        "machine.states.idle.on.back[0].target", "machine.states.idle.invoke[0].src",
        "machine.states.busy.entry[0]", "machine.states.busy.entry[1]",
        "machine.states.busy.always[0].target", "machine.states.busy.always[0].in"])


def test_a_valid_definition_is_unchanged_by_the_checks() -> None:
    d = load_definition(str(REPO / "fixtures" / "machines" / "deliveries.yaml"))
    assert d.name == "deliveries"


def test_validate_prints_every_mistake_and_exits_1(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert validate(["fixtures/broken/several_mistakes.yaml"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "5 problem(s) found"
    assert [line.split(";")[0].split(": ", 2)[1] for line in err[:-1]] == [
        'missing key "allowWrite"', "machine.states.idle.on.go[0].target",
        "machine.states.idle.on.bump[0].actions[1]", "guards.ready", "actions.bump.assign.count"]


def test_a_wrong_tag_does_not_hide_the_other_mistakes_nor_add_one() -> None:
    problems = _problems("""\
        machine:
          id: m
          initial: idle
          states:
            idle: {on: {go: {target: nowhere}}}
            busy: {type: final, data: !expr '{"a": 1}'}
            odd: {entry: [{type: xstate.assign, assignment: {n: !nope '1'}}, missing]}
        actions:
          tell: {raise: !cel '{"type": undefinedVar}'}
        allowRead: true
        allowWrite: true
        """)
    assert [p.split(": ", 2)[:2] for p in problems] == [
        ["m.yaml:5", "machine.states.idle.on.go[0].target"],
        ["m.yaml:6", "machine.states.busy.data"],
        ["m.yaml:7", "machine.states.odd.entry[0].assignment.n"],
        ["m.yaml:7", "machine.states.odd.entry[1]"],
        ["m.yaml:9", "actions.tell.raise"],
    ]


def test_a_python_config_is_copied_not_changed_and_may_hold_anything(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        import threading

        machine = {
            "id": "m", "initial": "a",
            "meta": {"lock": threading.Lock()},
            "states": {"a": {"on": {"go": "nowhere", "back": {"target": "a", "cond": "no"}}}},
        }

        def allow_read(request):
            return True

        allow_write = allow_read
        """))
    with pytest.raises(DefinitionError) as raised:
        load_definition(str(path))
    assert sorted(p.split(": ", 2)[1] for p in raised.value.problems) == [
        "machine.states.a.on.back[0].cond", "machine.states.a.on.go[0].target"]


def test_collecting_leaves_the_given_config_as_it_was() -> None:
    import copy

    from sb_emulator.engine import Implementations
    from sb_emulator.machines.configrepair import build_collecting

    config = {"id": "m", "initial": "nope",
              "states": {"a": {"on": {"go": [{"target": "x", "actions": ["y"]}]},
                               "after": {"slow": "a"}, "invoke": {"src": "z"}}}}
    before = copy.deepcopy(config)
    machine, errors = build_collecting(config, Implementations())
    assert machine is None
    assert sorted(e.path for e in errors) == [
        "initial", "states.a.after.slow", "states.a.invoke[0].src",
        "states.a.on.go[0].actions[0]", "states.a.on.go[0].target"]
    assert config == before
