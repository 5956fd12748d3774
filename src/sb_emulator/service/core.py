"""The service's shared state and its write-through persistence.

All state lives in memory as JSON documents or typed records (``self.docs[collection][key]``,
:mod:`sb_emulator.service.records`) plus live ``Instance`` objects; every change goes through
:meth:`EmulatorCore.persist` in one atomic batch before the caller gets an answer. The parts
of the service (admin, instances, runtime, queries, control) are mixins over this core, each
in its own module.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.clock import Clock, iso_from_ms
from sb_emulator.engine import Snapshot
from sb_emulator.errors import InvalidParameter, NotFound
from sb_emulator.service.records import MachineRecord, TransitionRecord, VersionRecord
from sb_emulator.service.version_runtime import MachineCodeError, RuntimeLoader, VersionRuntime
from sb_emulator.store.base import COLLECTIONS, Change, Store

Listener = Callable[[dict[str, Any]], None]


class Record(Protocol):
    """A typed record of :mod:`sb_emulator.service.records`: what the service holds."""

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ServiceSettings:
    settle_timeout_s: float = 90.0
    max_context_bytes: int = 400_000
    page_size: int = 100
    max_delivery_attempts: int = 5
    retry_delay_ms: int = 30_000


def instance_key(org_id: str, machine: str, instance: str) -> str:
    return f"{org_id}/{machine}/{instance}"


def machine_key(org_id: str, machine: str) -> str:
    return f"{org_id}/{machine}"


@dataclass(slots=True)
class Instance:
    """A live machine instance: its engine snapshot and what the runtime tracks around it.

    Slotted, with its key computed once and its lock made on first use: 100,000 idle
    instances are a normal test session's worth, and each byte here is paid per instance.
    """

    org_id: str
    machine: str
    name: str
    version_id: str
    snapshot: Snapshot
    created_at_ms: int
    ts: int
    status: str = "running"
    desired_version: str | None = None
    pending_errors: list[dict[str, Any]] = field(default_factory=list)
    parent: dict[str, str] | None = None
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    index_values: dict[str, list[str]] = field(default_factory=dict)
    key: str = field(init=False, repr=False, compare=False)
    _lock: asyncio.Lock | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = instance_key(self.org_id, self.machine, self.name)

    @property
    def lock(self) -> asyncio.Lock:
        """Serializes deliveries to this instance."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def to_json(self) -> dict[str, Any]:
        return {
            "orgId": self.org_id, "machine": self.machine, "name": self.name,
            "versionId": self.version_id, "snapshot": self.snapshot.to_json(),
            "createdAtMs": self.created_at_ms, "ts": self.ts, "status": self.status,
            "desiredVersion": self.desired_version, "pendingErrors": self.pending_errors,
            "parent": self.parent, "children": self.children, "indexValues": self.index_values,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Instance:
        return cls(
            org_id=d["orgId"], machine=d["machine"], name=d["name"], version_id=d["versionId"],
            snapshot=Snapshot.from_json(d["snapshot"]), created_at_ms=d["createdAtMs"],
            ts=d["ts"], status=d.get("status", "running"),
            desired_version=d.get("desiredVersion"), pending_errors=d.get("pendingErrors") or [],
            parent=d.get("parent"), children=d.get("children") or {},
            index_values=d.get("indexValues") or {},
        )

    def wire_state(self) -> dict[str, Any]:
        """The ``State`` body of API.md §3.2."""
        snap = self.snapshot
        out: dict[str, Any] = {"ts": self.ts, "state": snap.value, "tags": list(snap.tags),
                               "done": snap.done}
        context = snap.context
        if isinstance(context, dict) and "public" in context:
            out["publicContext"] = context["public"]
        return out


class EmulatorCore:
    """State, persistence and lookups shared by every part of the service."""

    def __init__(self, *, store: Store, clock: Clock, settings: ServiceSettings | None,
                 loader: RuntimeLoader) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings or ServiceSettings()
        self.docs: dict[str, dict[str, Any]] = {name: {} for name in COLLECTIONS}
        self.transitions: dict[str, list[TransitionRecord]] = {}
        self.instances: dict[str, Instance] = {}
        # what runs the versions' code (version_runtime.py), and the versions loaded so far
        self.loader = loader
        self.runtimes: dict[str, VersionRuntime] = {}
        self.listeners: dict[str, list[Listener]] = {}
        self.errors: list[BaseException] = []  # failures inside machine code, for the tests
        self._key_records: dict[str, tuple[dict[str, Any], ApiKey]] = {}  # see key_record

    # -- persistence ------------------------------------------------------------------------

    def persist(self, changes: list[Change]) -> None:
        self.store.apply(changes)

    def put(self, collection: str, key: str, value: Any) -> Change:
        self.docs[collection][key] = value
        return Change("put", collection, key, value)

    def delete(self, collection: str, key: str) -> Change:
        self.docs[collection].pop(key, None)
        return Change("delete", collection, key)

    def put_record(self, collection: str, key: str, record: Record) -> Change:
        """Hold ``record``; its JSON form only for a store that keeps documents."""
        self.docs[collection][key] = record
        return Change("put", collection, key, record.to_json() if self.store.durable else None)

    def append_transition(self, inst: Instance, record: TransitionRecord) -> Change:
        self.transitions.setdefault(inst.key, []).append(record)
        return Change("append", "transitions", inst.key,
                      record.to_json() if self.store.durable else None)

    def put_instance(self, inst: Instance) -> Change:
        self.instances[inst.key] = inst
        # the instance object is the state; its document is only for a store that keeps one
        # (the memory store ignores changes, and this runs on every transition)
        return Change("put", "instances", inst.key, inst.to_json() if self.store.durable else None)

    def note_failure(self, err: MachineCodeError) -> None:
        """Keep what the machine's code raised, for the tests (``errors``)."""
        if err.user_error is not None:
            self.errors.append(err.user_error)

    # -- lookups ----------------------------------------------------------------------------

    def org(self, org_id: str) -> Org | None:
        doc = self.docs["orgs"].get(org_id)
        return Org.from_json(doc) if doc else None

    def key_record(self, key_id: str) -> ApiKey | None:
        doc = self.docs["keys"].get(key_id)
        if not doc:
            return None
        # every authenticated request looks its key up: reuse the record while the stored
        # document is the same object (a change to a key replaces its document)
        cached = self._key_records.get(key_id)
        if cached is not None and cached[0] is doc:
            return cached[1]
        key = ApiKey.from_json(doc)
        self._key_records[key_id] = (doc, key)
        return key

    def idps_of(self, org_id: str) -> list[IdentityProvider]:
        return [IdentityProvider.from_json(d) for d in self.docs["idps"].values()
                if d["orgId"] == org_id]

    def token_provider(self, org_id: str, service: str) -> TokenProvider | None:
        doc = self.docs["token_providers"].get(f"{org_id}|{service}")
        return TokenProvider.from_json(doc) if doc else None

    def machine_record(self, org_id: str, slug: str) -> MachineRecord:
        record: MachineRecord | None = self.docs["machines"].get(machine_key(org_id, slug))
        if record is None:
            raise NotFound(f"machine {slug!r} does not exist in org {org_id}")
        return record

    def version_record(self, version_id: str) -> VersionRecord:
        record: VersionRecord | None = self.docs["versions"].get(version_id)
        if record is None:
            raise NotFound(f"machine version {version_id!r} does not exist")
        return record

    def version_of(self, org_id: str, machine: str, version_id: str) -> VersionRecord | None:
        """The version ``version_id`` if it is one of ``machine``'s (in ``org_id``)."""
        record: VersionRecord | None = self.docs["versions"].get(version_id)
        if record is None or record.machine != machine or record.org != org_id:
            return None
        return record

    def runtime_of(self, version_id: str) -> VersionRuntime:
        """The loaded version (loaded on first use, once per process)."""
        cached = self.runtimes.get(version_id)
        if cached is None:
            version = self.version_record(version_id)
            cached = self.loader.load(version.source, version.machine)
            self.runtimes[version_id] = cached
        return cached

    def instance(self, org_id: str, machine: str, name: str) -> Instance:
        self.machine_record(org_id, machine)
        inst = self.instances.get(instance_key(org_id, machine, name))
        if inst is None:
            raise NotFound(f"instance {name!r} of machine {machine!r} does not exist")
        return inst

    def version_info(self, version_id: str) -> dict[str, Any]:
        version = self.version_record(version_id)
        return {"id": version.id, "createdAt": iso_from_ms(version.created_at_ms),
                "clientInfo": version.client_info}

    # -- pagination ---------------------------------------------------------------------------

    def page(self, items: list[Any], cursor: str | None, size: int | None = None
             ) -> tuple[list[Any], str | None]:
        """Offset pagination behind an opaque cursor."""
        size = size or self.settings.page_size
        start = decode_cursor(cursor) if cursor else 0
        if not isinstance(start, int) or start < 0:
            raise InvalidParameter("cursor", "invalid cursor")
        chunk = items[start:start + size]
        nxt = encode_cursor(start + size) if start + size < len(items) else None
        return chunk, nxt


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as err:
        raise InvalidParameter("cursor", "invalid cursor") from err


def with_cursor(body: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    if cursor is not None:
        body["cursor"] = cursor
    return body
