"""Typed records of the service's stored documents: machines, versions, migrations, uploads,
timers, log entries, transitions.

The service holds these objects (``docs["machines"]``, ``docs["versions"]``,
``docs["migrations"]``, ``docs["uploads"]``, ``docs["timers"]``, ``docs["logs"]``,
``transitions``); the stores and export/import keep their JSON form, read and written only
here (``to_json`` / ``from_json``), in the shapes data directories and exports have always
had. The auth records (orgs, keys, providers) are in :mod:`sb_emulator.auth.records`, the instance in
:mod:`sb_emulator.service.core`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sb_emulator.clock import iso_from_ms


@dataclass(slots=True)
class TimerRecord:
    """A durable event due at ``due_ms``: a delayed event of ``instance`` (``to`` None), or
    a send from it to its parent, a child or another instance, waiting or to be retried."""

    instance: str  # the instance key of the sender
    send_id: str
    event: dict[str, Any]
    due_ms: int
    to: Any = None
    attempts: int = 0

    def retried(self, due_ms: int, attempts: int) -> TimerRecord:
        return replace(self, due_ms=due_ms, attempts=attempts)

    def to_json(self) -> dict[str, Any]:
        return {"instance": self.instance, "sendId": self.send_id, "event": self.event,
                "dueMs": self.due_ms, "to": self.to, "attempts": self.attempts}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TimerRecord:
        return cls(instance=d["instance"], send_id=d["sendId"], event=d.get("event") or {},
                   due_ms=d["dueMs"], to=d.get("to"), attempts=d.get("attempts") or 0)


@dataclass(slots=True)
class LogRecord:
    """One entry of the logs endpoint (API.md §4.7)."""

    timestamp_ms: int
    org_id: str
    machine_name: str
    instance_name: str
    machine_version_id: str
    output_type: str  # "stdout" | "stderr"
    log: str

    def wire(self) -> dict[str, Any]:
        """The entry as the logs endpoint returns it."""
        return {"timestamp": iso_from_ms(self.timestamp_ms), "orgId": self.org_id,
                "machineName": self.machine_name, "instanceName": self.instance_name,
                "machineVersionId": self.machine_version_id, "outputType": self.output_type,
                "log": self.log}

    def to_json(self) -> dict[str, Any]:
        return {"timestampMs": self.timestamp_ms, "orgId": self.org_id,
                "machineName": self.machine_name, "instanceName": self.instance_name,
                "machineVersionId": self.machine_version_id, "outputType": self.output_type,
                "log": self.log}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LogRecord:
        return cls(timestamp_ms=d["timestampMs"], org_id=d["orgId"],
                   machine_name=d["machineName"], instance_name=d["instanceName"],
                   machine_version_id=d["machineVersionId"], output_type=d["outputType"],
                   log=d["log"])


@dataclass(slots=True)
class TransitionRecord:
    """One recorded transition of an instance: the event and the state it led to."""

    created_at_ms: int
    state: Any
    event: dict[str, Any]

    def wire(self) -> dict[str, Any]:
        """The transition as the transitions endpoint returns it."""
        return {"createdAt": iso_from_ms(self.created_at_ms), "state": self.state,
                "event": self.event}

    def to_json(self) -> dict[str, Any]:
        return {"createdAtMs": self.created_at_ms, "state": self.state, "event": self.event}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransitionRecord:
        return cls(created_at_ms=d["createdAtMs"], state=d["state"], event=d["event"])


@dataclass(slots=True)
class MachineRecord:
    """A named machine of an org (``docs["machines"]``, keyed ``org/slug``)."""

    org: str
    slug: str
    created_at_ms: int
    indexes: list[str]
    current_version: str | None = None

    def with_current(self, version_id: str, indexes: list[str] | None = None) -> MachineRecord:
        """The machine with ``version_id`` current (and ``indexes``, when given)."""
        return replace(self, current_version=version_id,
                       indexes=list(self.indexes if indexes is None else indexes))

    def to_json(self) -> dict[str, Any]:
        return {"org": self.org, "slug": self.slug, "createdAtMs": self.created_at_ms,
                "indexes": list(self.indexes), "currentVersion": self.current_version}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MachineRecord:
        return cls(org=d["org"], slug=d["slug"], created_at_ms=d["createdAtMs"],
                   indexes=list(d["indexes"]), current_version=d.get("currentVersion"))


@dataclass(slots=True)
class VersionRecord:
    """An immutable version of a machine (``docs["versions"]``, keyed by its id).

    ``source`` is what the runtime loader reads: ``{"kind": "yaml", "text", "digest"[, "path"]}``
    or ``{"kind": "file", "path", "digest"}`` (see ``catalog._file_source``)."""

    id: str
    org: str
    machine: str
    created_at_ms: int
    source: dict[str, Any]
    client_info: str = ""
    index_selectors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "org": self.org, "machine": self.machine,
                "createdAtMs": self.created_at_ms, "clientInfo": self.client_info,
                "source": self.source, "indexSelectors": self.index_selectors}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> VersionRecord:
        return cls(id=d["id"], org=d["org"], machine=d["machine"],
                   created_at_ms=d["createdAtMs"], source=dict(d["source"]),
                   client_info=d.get("clientInfo") or "",
                   index_selectors=dict(d.get("indexSelectors") or {}))


@dataclass(slots=True)
class MigrationRecord:
    """An edge of a machine's migration graph (``docs["migrations"]``, keyed by its id): its
    uploaded YAML ``text``, or, ``from_definition``, the functions of the target version's
    definition (loaded from a file)."""

    id: str
    org: str
    machine: str
    from_version: str
    to_version: str
    created_at_ms: int
    text: str | None = None
    from_definition: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "org": self.org, "machine": self.machine,
                               "from": self.from_version, "to": self.to_version,
                               "createdAtMs": self.created_at_ms}
        if self.text is not None:
            out["text"] = self.text
        if self.from_definition:
            out["fromDefinition"] = True
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MigrationRecord:
        return cls(id=d["id"], org=d["org"], machine=d["machine"], from_version=d["from"],
                   to_version=d["to"], created_at_ms=d["createdAtMs"], text=d.get("text"),
                   from_definition=bool(d.get("fromDefinition")))


@dataclass(slots=True)
class UploadRecord:
    """A provisional version or migration (``docs["uploads"]``, keyed by the upload id) and,
    once received, its code and what kind of code it is (``"yaml"`` | ``"javascript"``)."""

    kind: str  # "version" | "migration"
    org: str
    machine: str
    gzip: bool = False
    code: str | None = None
    from_version: str | None = None  # a migration's two versions
    to_version: str | None = None
    code_kind: str | None = None

    def with_code(self, code: str, code_kind: str) -> UploadRecord:
        return replace(self, code=code, code_kind=code_kind)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "org": self.org, "machine": self.machine,
                               "gzip": self.gzip, "code": self.code}
        if self.from_version is not None:
            out["from"] = self.from_version
        if self.to_version is not None:
            out["to"] = self.to_version
        if self.code_kind is not None:
            out["codeKind"] = self.code_kind
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UploadRecord:
        return cls(kind=d["kind"], org=d["org"], machine=d["machine"],
                   gzip=bool(d.get("gzip")), code=d.get("code"), from_version=d.get("from"),
                   to_version=d.get("to"), code_kind=d.get("codeKind"))
