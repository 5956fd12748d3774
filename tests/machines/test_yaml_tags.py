"""``!cel`` expressions inside the verbatim XState config, and YAML migrations."""

from __future__ import annotations

import pytest

from sb_emulator.engine import Log, SendEvent, StartService, initial, transition
from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_definition_text, load_migration_text

DOC = """
name: tagged
machine:
  id: tagged
  initial: idle
  context: {n: 2, label: "!cel is only a tag at the start"}
  states:
    idle:
      on:
        go:
          target: working
          actions:
            - type: xstate.assign
              assignment:
                n: !cel context.n + event.by
            - type: xstate.send
              to: "#_parent"
              event: !cel '{"type": "progress", "n": context.n}'
    working:
      invoke:
        id: job
        src: job
        data: !cel '{"double": context.n * 2}'
      on:
        finish: finished
        again:
          actions: [again, shout]
    finished:
      type: final
      data: !cel '{"n": context.n, "why": event.type}'
actions:
  again:
    raise: !cel '{"type": "finish", "at": context.n}'
  shout:
    log: '"n is " + string(context.n)'
services:
  job: {resolve: data.double}
allowRead: "true"
allowWrite: "true"
"""


def test_cel_tags_compute_assign_send_invoke_data_and_done_data() -> None:
    d = load_definition_text(DOC, "tagged.yaml")
    snap, _ = initial(d.machine)
    assert snap.context["label"] == "!cel is only a tag at the start"
    snap, effects = transition(d.machine, snap, {"type": "go", "by": 3})
    assert snap.context["n"] == 5
    assert SendEvent("#_parent", {"type": "progress", "n": 5}) in effects
    started = [e for e in effects if isinstance(e, StartService)]
    assert [(e.id, e.data) for e in started] == [("job", {"double": 10})]
    snap, effects = transition(d.machine, snap, "again")
    assert [e.value for e in effects if isinstance(e, Log)] == ["n is 5"]
    # XState v4 maps done data with the macrostep's external event, not the raised one
    assert snap.done and snap.output == {"n": 5, "why": "again"}


@pytest.mark.parametrize(("replace", "by", "message"), [
    ("data: !cel '{\"n\": context.n, \"why\": event.type}'", "data: !python 'os.system()'",
     "tagged.yaml:30: machine.states.finished.data: unknown tag !python; expected !cel or "
     "no tag"),
    ("data: !cel '{\"n\": context.n, \"why\": event.type}'", "data: !cel {n: 1}",
     "tagged.yaml:30: machine.states.finished.data: !cel tags a mapping or list; expected a "
     "CEL expression string such as !cel '{\"total\": context.total}'"),
    ("n: !cel context.n + event.by", "n: !cel ctx.n + event.by",
     'tagged.yaml:15: machine.states.idle.on.go.actions[0].assignment.n: CEL expression '
     '"ctx.n + event.by" uses unknown variable "ctx"; expected only context, event '
     '(did you mean "context"?)'),
    ('allowRead: "true"', "allowRead: !cel 'true'",
     "tagged.yaml:38: allowRead: !cel is not needed here; expected a plain string (this value "
     "is a CEL expression already)"),
])
def test_tag_mistakes(replace: str, by: str, message: str) -> None:
    assert replace in DOC
    with pytest.raises(DefinitionError) as raised:
        load_definition_text(DOC.replace(replace, by), "tagged.yaml")
    assert str(raised.value) == message


MIGRATION = """
upgradeState:
  shipping.quoting: shipping.quoted
upgradeContext:
  total: double(context.total) * 100.0
"""


def test_uploaded_migration_document() -> None:
    upgrade_state, upgrade_context = load_migration_text(MIGRATION, "m.yaml")
    assert upgrade_state(["shipping", "quoting"], {}) == ["shipping", "quoted"]
    assert upgrade_state(["payment", "paid"], {}) == ["payment", "paid"]
    assert upgrade_context([], [], {"total": 2, "keep": True}) == {"total": 200.0, "keep": True}


@pytest.mark.parametrize(("text", "message"), [
    ("upgradeStat: {}\n", 'm.yaml:1: unknown key "upgradeStat"; expected one of upgradeContext, '
     'upgradeState (did you mean "upgradeState"?)'),
    ("upgradeContext:\n  total: context.total +\n",
     'm.yaml:2: upgradeContext.total: invalid CEL expression "context.total +": unexpected end '
     "of expression at column 16; expected a value, a variable or an operator to continue the "
     "expression"),
    ("- a\n", "m.yaml:1: a migration must be a YAML mapping with upgradeState and/or "
     "upgradeContext"),
])
def test_migration_document_mistakes(text: str, message: str) -> None:
    with pytest.raises(DefinitionError) as raised:
        load_migration_text(text, "m.yaml")
    assert str(raised.value) == message


def test_upgrade_state_targets_must_exist_in_the_new_version() -> None:
    doc = DOC + "migration:\n  upgradeState:\n    busy: workin\n"
    with pytest.raises(DefinitionError) as raised:
        load_definition_text(doc, "tagged.yaml")
    assert str(raised.value) == (
        'tagged.yaml:42: migration.upgradeState.busy: unknown state "workin"; expected the '
        'dotted path of a state of this machine (did you mean "working"?)')
