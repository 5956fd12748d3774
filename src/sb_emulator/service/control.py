"""Start-up, shutdown, reset, export and import of the whole state.

An import (and a data directory read at start-up) is checked whole before any of it is
installed (:mod:`sb_emulator.service.export_schema`, then each record is built), then
written in one store transaction, and only then swapped in: a bad document changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sb_emulator import jsontext
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.errors import BadRequest, DefinitionError, EmulatorError
from sb_emulator.service.core import EmulatorCore, Instance
from sb_emulator.service.export_schema import StateProblem, check_state, format_path
from sb_emulator.service.records import (
    LogRecord,
    MachineRecord,
    MigrationRecord,
    TimerRecord,
    TransitionRecord,
    UploadRecord,
    VersionRecord,
)
from sb_emulator.service.version_runtime import VersionRuntime
from sb_emulator.store.base import COLLECTIONS

EXPORT_FORMAT = "sb-emulator-state/1"

# the record types of the collections that have one: each document must build
_RECORDS: dict[str, Any] = {"orgs": Org, "keys": ApiKey, "idps": IdentityProvider,
                            "token_providers": TokenProvider, "instances": Instance,
                            "machines": MachineRecord, "versions": VersionRecord,
                            "migrations": MigrationRecord, "uploads": UploadRecord,
                            "timers": TimerRecord, "logs": LogRecord}
# the collections the service holds as records (the others as their JSON documents)
_HELD_AS_RECORDS: dict[str, Any] = {name: _RECORDS[name] for name in (
    "machines", "versions", "migrations", "uploads", "timers", "logs")}


class InvalidImport(BadRequest):
    default_code = "invalid-import"


class DamagedStore(EmulatorError):
    """The store's saved state cannot be installed (a damaged or hand-edited data dir)."""


class _Prepared:
    """A checked state, built into what the service holds, not yet installed."""

    def __init__(self, docs: dict[str, dict[str, Any]], instances: dict[str, Instance],
                 transitions: dict[str, list[TransitionRecord]],
                 runtimes: dict[str, VersionRuntime]) -> None:
        self.docs, self.instances = docs, instances
        self.transitions, self.runtimes = transitions, runtimes


class TimerLoop(Protocol):
    """What start-up, shutdown and a state swap need of the timers."""

    def start_timer_loop(self) -> None: ...

    async def stop_timer_loop(self) -> None: ...

    def forget_timer_order(self) -> None: ...


class Control:
    """Start-up, shutdown, reset, export and import of the whole state."""

    def __init__(self, core: EmulatorCore, timers: TimerLoop) -> None:
        self.core = core
        self.timers = timers
        self._bootstrap: dict[str, Any] | None = None

    def load_from_store(self) -> None:
        loaded = self.core.store.load()
        if not any(loaded.values()):
            return  # a new data dir: nothing to check (and no jsonschema import at start-up)
        try:
            prepared = self._prepare(loaded, load_definitions=False)
        except StateProblem as err:
            raise DamagedStore(f"the saved state cannot be loaded: {err}") from err
        self._install(prepared, persist=False)

    def mark_bootstrap(self) -> None:
        """Remember the state after start-up: ``reset`` returns to it."""
        self._bootstrap = self._document()

    async def start(self) -> None:
        if self._bootstrap is None:
            self.mark_bootstrap()
        self.timers.start_timer_loop()

    async def close(self) -> None:
        await self.timers.stop_timer_loop()
        self.core.store.close()

    async def reset(self) -> None:
        """Back to the state right after start-up: drops instances, timers, logs, and whatever
        was created over the API."""
        assert self._bootstrap is not None
        self._install(self._prepare(self._bootstrap, load_definitions=False, check=False),
                      persist=self.core.store.durable)

    async def export_state(self) -> dict[str, Any]:
        # a copy through JSON text: nothing shared with the live state, and no recursion in
        # Python (copy.deepcopy ran out of stack on deeply nested values)
        copied = jsontext.decode(jsontext.encode(self._document()))
        return {"format": EXPORT_FORMAT, **copied}

    async def import_state(self, document: Any) -> None:
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise InvalidImport(f"not an sb-emulator export (format must be {EXPORT_FORMAT!r})")
        state = {k: v for k, v in document.items() if k != "format"}
        try:
            prepared = self._prepare(state, load_definitions=True)
        except StateProblem as err:
            raise InvalidImport(f"the import was refused, nothing changed: {err}") from err
        self._install(prepared, persist=self.core.store.durable)

    def _document(self) -> dict[str, Any]:
        return _as_json(self.core.docs, self.core.instances, self.core.transitions)

    def _prepare(self, state: dict[str, Any], *, load_definitions: bool, check: bool = True
                 ) -> _Prepared:
        """Check ``state`` and build everything it holds; :class:`StateProblem` names the
        first problem. Nothing of the service changes here."""
        if check:
            check_state(state)
            _build_records(state)
        docs = {name: dict(state.get(name) or {}) for name in COLLECTIONS}
        for name, record in _HELD_AS_RECORDS.items():
            docs[name] = {key: record.from_json(doc) for key, doc in docs[name].items()}
        instances = {key: Instance.from_json(doc) for key, doc in docs["instances"].items()}
        docs["instances"] = {}
        transitions = {key: [TransitionRecord.from_json(t) for t in items]
                       for key, items in (state.get("transitions") or {}).items()}
        runtimes = {vid: r for vid, r in self.core.runtimes.items()
                    if self._same_version(vid, docs["versions"].get(vid))}
        if load_definitions:
            runtimes.update(self._load_versions(docs["versions"], runtimes))
        return _Prepared(docs, instances, transitions, runtimes)

    def _same_version(self, version_id: str, version: VersionRecord | None) -> bool:
        """Whether a loaded definition still matches ``version`` (same source)."""
        current: VersionRecord | None = self.core.docs["versions"].get(version_id)
        if version is None:
            return False
        return current is None or version.source == current.source

    def _load_versions(self, versions: dict[str, VersionRecord],
                       loaded: dict[str, VersionRuntime]) -> dict[str, VersionRuntime]:
        """Each YAML version's definition (so a bad one is refused now, not on first use);
        a file version's file must exist. Python files are not run here."""
        out: dict[str, VersionRuntime] = {}
        for vid, version in versions.items():
            source = version.source
            if vid in loaded:
                continue
            if source["kind"] == "yaml":
                try:
                    out[vid] = self.core.loader.load(source, version.machine)
                except DefinitionError as err:
                    first = err.problems[0] if err.problems else str(err)
                    raise StateProblem(f"{format_path(['versions', vid, 'source', 'text'])}: "
                                       f"expected a valid machine definition ({first})") from err
            elif source["kind"] == "file" and not Path(source["path"]).is_file():
                raise StateProblem(f"{format_path(['versions', vid, 'source', 'path'])}: "
                                   f"expected an existing machine definition file")
        return out

    def _install(self, prepared: _Prepared, *, persist: bool) -> None:
        if persist:  # first: a store that fails leaves the service as it was
            self.core.store.replace_all(_as_json(prepared.docs, prepared.instances,
                                            prepared.transitions))
        for name in COLLECTIONS:
            self.core.docs[name] = prepared.docs[name]
        self.core.instances = prepared.instances
        self.core.transitions = prepared.transitions
        self.core.runtimes = prepared.runtimes
        self.core.listeners = {}
        self.timers.forget_timer_order()


def _as_json(docs: dict[str, dict[str, Any]], instances: dict[str, Instance],
             transitions: dict[str, list[TransitionRecord]]) -> dict[str, Any]:
    """The whole state as stored and exported: every collection's JSON documents, plus the
    transitions of each instance."""
    out: dict[str, Any] = {name: dict(docs[name]) for name in COLLECTIONS if name != "instances"}
    for name in _HELD_AS_RECORDS:
        out[name] = {key: record.to_json() for key, record in docs[name].items()}
    out["instances"] = {key: inst.to_json() for key, inst in instances.items()}
    out["transitions"] = {key: [t.to_json() for t in items] for key, items in transitions.items()}
    return out


def _build_records(state: dict[str, Any]) -> None:
    """Every record of a checked state must build: what the schema cannot see (a key that
    is not base64url, an instance snapshot the engine cannot read) is found here."""
    for collection, record in _RECORDS.items():
        for key, doc in (state.get(collection) or {}).items():
            try:
                record.from_json(doc)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise StateProblem(f"{format_path([collection, key])}: expected a valid "
                                   f"{collection[:-1]} record ({type(err).__name__}: {err})"
                                   ) from err
