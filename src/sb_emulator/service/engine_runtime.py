"""The first version runtime: our Python engine, for YAML definitions and Python files.

:class:`EngineVersion` runs a :class:`~sb_emulator.machines.MachineDefinition` with the
engine's ``initial`` / ``transition``; Python code in it (guards, actions, authorizers)
runs under the watchdog's wall-clock limit, CEL under its cost budget (checked before each
evaluation). :class:`EngineLoader` builds one from a version's stored source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator import watchdog
from sb_emulator.auth.authorizers import check
from sb_emulator.engine import ExecuteAction, Snapshot, initial, snapshot_at, transition
from sb_emulator.errors import BadRequest
from sb_emulator.machines import (
    HttpApiEndpoint,
    MachineDefinition,
    load_definition,
    load_definition_text,
)
from sb_emulator.machines.pyoutput import LogSink, output_to
from sb_emulator.service.indexes import index_values
from sb_emulator.service.version_runtime import (
    Authorizer,
    Effects,
    Service,
    UpgradeContext,
    UpgradeState,
    run_machine_code,
)


class EngineVersion:
    """A machine version run by the Python engine."""

    __slots__ = ("definition",)

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition

    @property
    def name(self) -> str:
        return self.definition.name

    def initial(self, context: Mapping[str, Any]) -> tuple[Snapshot, Effects]:
        machine = self.definition.machine
        base = machine.context
        merged = {**base, **context} if isinstance(base, Mapping) else dict(context)
        # Python guards and actions run here too: under the watchdog's time limit
        name = self.name
        started: tuple[Snapshot, Effects] = run_machine_code(
            lambda: (f"machine {name!r} failed to start", f"machine {name!r} never settles on start"),
            watchdog.call, f"machine {name!r} on start", initial, machine, merged)
        return started

    def transition(self, snapshot: Snapshot, event: dict[str, Any], *,
                   delayed_id: str | None = None) -> tuple[Snapshot, Effects]:
        definition = self.definition

        def describe() -> tuple[str, str]:
            name, kind = definition.name, event["type"]
            return (f"machine {name!r} failed on event {kind!r}",
                    f"machine {name!r} never settles on {kind!r}: its eventless transitions "
                    f"loop forever")

        if definition.kind == "python":  # its guards and actions are Python: time them
            timed: tuple[Snapshot, Effects] = run_machine_code(
                describe, watchdog.call,
                f"machine {definition.name!r} on event {event['type']!r}", transition,
                definition.machine, snapshot, event, delayed_id=delayed_id)
            return timed
        # CEL, budgeted before each evaluation (celcost)
        return run_machine_code(describe, transition, definition.machine, snapshot, event,
                                delayed_id=delayed_id)

    def authorize(self, which: Authorizer, request: dict[str, Any]) -> None:
        authorizer = self.definition.allow_read if which == "allowRead" else \
            self.definition.allow_write
        check(authorizer, request, which=which, machine=self.name)

    def run_action(self, effect: ExecuteAction, sink: LogSink) -> None:
        if effect.exec is None:
            return
        with output_to(sink):
            watchdog.call(f"action {effect.name!r} of machine {self.name!r}", effect.exec,
                          effect.context, effect.event, {"action": effect.params})

    def service(self, src: str) -> Service | None:
        return self.definition.services.get(src)

    def http_endpoint(self, slug: str) -> HttpApiEndpoint | None:
        return self.definition.http_api_mapper.get(slug)

    def index_values(self, selectors: Mapping[str, str], context: Any) -> dict[str, list[str]]:
        return index_values(self.definition, selectors, context)

    def upgrade_functions(self) -> tuple[UpgradeState | None, UpgradeContext | None]:
        return self.definition.upgrade_state, self.definition.upgrade_context

    def snapshot_at(self, value: Any, context: Any) -> Snapshot:
        return snapshot_at(self.definition.machine, value, context)


class EngineLoader:
    """YAML text (uploaded or from a file) and Python files given with ``--machines``."""

    def load(self, source: Mapping[str, Any], machine: str) -> EngineVersion:
        kind = source.get("kind")
        if kind == "yaml":
            return EngineVersion(load_definition_text(source["text"], f"{machine}.yaml"))
        if kind == "file":
            return EngineVersion(load_definition(source["path"]))
        if kind == "javascript":
            raise BadRequest("JavaScript machine versions are not supported yet by sb-emulator; "
                             "upload a YAML machine definition as the version's code instead",
                             code="unsupported-code")
        raise BadRequest(f"unknown version source kind {kind!r}")
