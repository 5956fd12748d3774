"""Reaching an instance's desired version through the migration graph (API.md §7.7).

Uploaded migrations are YAML, read by ``machines.load_migration_text`` (the one parser, with
file:line messages): checked when they are finalised, and read again, once per process, the
first time one is applied. A definition loaded from a file may carry its own migration from
the version that was current before it (``catalog.register_definition``); its functions are
the definition's.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from sb_emulator.engine import Machine, Snapshot
from sb_emulator.engine.algorithm import to_state_paths
from sb_emulator.errors import DefinitionError, MachineImplementationError, NoMigrationPath
from sb_emulator.machines import load_migration_text
from sb_emulator.service.core import EmulatorCore, Instance
from sb_emulator.service.instance_core import Commit, on_upgrade
from sb_emulator.service.records import MigrationRecord
from sb_emulator.service.version_runtime import (
    MachineCodeError,
    UpgradeContext,
    UpgradeState,
    run_machine_code,
)


def migration_source(machine: str) -> str:
    """The name uploaded migrations of ``machine`` go by in messages."""
    return f"{machine}.migration.yaml"


def read_migration(text: str, machine: str, target: Machine | None = None,
                   target_version: str = "") -> tuple[Any, Any]:
    """``(upgrade_state, upgrade_context)`` of an uploaded migration; DefinitionError if bad."""
    return load_migration_text(text, migration_source(machine), target,
                               f"version {target_version}" if target_version else "")


class UpgradeRunner(Protocol):
    """What applying an upgrade needs of the runner: recording it, and telling subscribers."""

    def persist_commit(self, inst: Instance, commit: Commit) -> Any: ...

    def publish(self, inst: Instance) -> None: ...


class Migrations:
    """The migration graph of each machine, and moving instances along it."""

    def __init__(self, core: EmulatorCore, runner: UpgradeRunner) -> None:
        self.core = core
        self.runner = runner
        # migration id -> (its text, its two functions); the text guards against an import
        self._migration_functions: dict[str, tuple[str, tuple[Any, Any]]] = {}

    def find_migration_path(self, org_id: str, machine: str, src: str, dst: str
                            ) -> list[MigrationRecord]:
        """The shortest chain of migrations from ``src`` to ``dst`` (breadth first)."""
        edges: dict[str, list[MigrationRecord]] = {}
        stored: list[MigrationRecord] = list(self.core.docs["migrations"].values())
        for edge in sorted(stored, key=lambda e: e.created_at_ms):
            if edge.org == org_id and edge.machine == machine:
                edges.setdefault(edge.from_version, []).append(edge)
        previous: dict[str, MigrationRecord | None] = {src: None}
        queue = deque([src])
        while queue:
            current = queue.popleft()
            if current == dst:
                break
            for edge in edges.get(current, []):
                if edge.to_version not in previous:
                    previous[edge.to_version] = edge
                    queue.append(edge.to_version)
        if dst not in previous:
            raise NoMigrationPath(f"no chain of migrations leads from {src} to {dst}")
        path: list[MigrationRecord] = []
        node = dst
        step = previous[node]
        while step is not None:
            path.append(step)
            node = step.from_version
            step = previous[node]
        return list(reversed(path))

    def apply_pending_upgrade(self, inst: Instance) -> None:
        target = inst.desired_version
        if not target or target == inst.version_id:
            return
        snapshot, version_id = inst.snapshot, inst.version_id
        # all or nothing: the instance changes only once every step of the chain worked
        for migration in self.find_migration_path(inst.org_id, inst.machine, version_id, target):
            snapshot, version_id = self._migrate(snapshot, migration)
        self.runner.persist_commit(
            inst, on_upgrade(inst, snapshot, version_id, now_ms=self.core.clock.now_ms()))
        self.runner.publish(inst)

    def migration_functions(self, migration: MigrationRecord) -> tuple[Any, Any]:
        """The migration's two functions, read once. One stored before migrations were checked
        at upload may be invalid: applying it is then the machine code's failure."""
        if migration.from_definition:
            # carried by the target version's definition (loaded from a file at start-up)
            return self.core.runtime_of(migration.to_version).upgrade_functions()
        text = migration.text
        if text is None:
            raise MachineImplementationError(
                f"migration {migration.id} (from {migration.from_version} to "
                f"{migration.to_version}) has no text")
        cached = self._migration_functions.get(migration.id)
        if cached is not None and cached[0] == text:
            return cached[1]
        try:
            found = read_migration(text, migration.machine)
        except DefinitionError as err:
            raise MachineImplementationError(
                f"migration {migration.id} (from {migration.from_version} to "
                f"{migration.to_version}) is invalid:\n{err}") from err
        self._migration_functions[migration.id] = (text, found)
        return found

    def _migrate(self, snapshot: Snapshot, migration: MigrationRecord) -> tuple[Snapshot, str]:
        upgrade_state, upgrade_context = self.migration_functions(migration)
        old_paths = to_state_paths(snapshot.value)
        context = snapshot.context
        try:
            new_paths, context = run_machine_code(
                lambda: (f"migration {migration.id} failed on the state {snapshot.value!r}",
                         None),
                _upgrade, upgrade_state, upgrade_context, old_paths, context)
        except MachineCodeError as err:
            self.core.note_failure(err)
            raise
        runtime = self.core.runtime_of(migration.to_version)
        value: Any = {}
        for path in new_paths:
            _merge(value, path)
        try:
            migrated = runtime.snapshot_at(_collapse(value), context)
        except KeyError as err:
            raise MachineImplementationError(
                f"migration {migration.id} maps the state to {new_paths}, which version "
                f"{migration.to_version} does not have ({err})") from err
        return migrated, migration.to_version


def _upgrade(upgrade_state: UpgradeState | None, upgrade_context: UpgradeContext | None,
             old_paths: list[list[str]], context: Any) -> tuple[list[list[str]], Any]:
    """The state paths and context after one migration (its functions are machine code)."""
    new_paths = [upgrade_state(p, context) if upgrade_state else p for p in old_paths]
    if upgrade_context is not None:
        context = upgrade_context(old_paths, new_paths, context)
    return new_paths, context


def _merge(tree: dict[str, Any], path: list[str]) -> None:
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node.setdefault(path[-1], {})


def _collapse(tree: dict[str, Any]) -> Any:
    """``{"a": {"b": {}}}`` -> ``{"a": "b"}``: the state value for a set of leaf paths."""
    if len(tree) == 1:
        (key, sub), = tree.items()
        return key if not sub else {key: _collapse(sub)}
    return {key: (_collapse(sub) if sub else {}) for key, sub in tree.items()}
