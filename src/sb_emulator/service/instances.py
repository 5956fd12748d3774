"""Instance operations of the REST API (API.md §4.4, §4.6, §4.7, §7.1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sb_emulator.auth.authorizers import init_request, read_request
from sb_emulator.clock import iso_from_ms, ms_from_iso
from sb_emulator.errors import (
    BadRequest,
    Conflict,
    InvalidParameter,
    NotFound,
)
from sb_emulator.service.confirmation import confirm_deletion
from sb_emulator.service.core import (
    EmulatorCore,
    Instance,
    decode_cursor,
    encode_cursor,
    instance_key,
    with_cursor,
)
from sb_emulator.service.indexes import OPS, check_query
from sb_emulator.service.instance_core import Commit, Limits, on_create
from sb_emulator.service.migrations import Migrations
from sb_emulator.service.payload_limits import check_client_event
from sb_emulator.service.records import LogRecord
from sb_emulator.service.version_runtime import MachineCodeError
from sb_emulator.store.base import Change

MAX_LOGS = 100


class Runner(Protocol):
    """What the instance operations need of the runner."""

    @property
    def limits(self) -> Limits: ...

    def selectors_of(self, version_id: str) -> dict[str, str]: ...

    async def deliver(self, inst: Instance, event: Any, auth_context: dict[str, Any] | None
                      ) -> dict[str, Any]: ...

    async def start_instance(self, inst: Instance, commit: Commit) -> dict[str, Any]: ...


class Instances:
    """The instance operations of the REST API."""

    def __init__(self, core: EmulatorCore, runner: Runner, migrations: Migrations) -> None:
        self.core = core
        self.runner = runner
        self.migrations = migrations

    async def create_instance(self, org_id: str, machine: str, slug: str,
                              context: Mapping[str, Any] | None, version_id: str | None,
                              auth_context: dict[str, Any], *,
                              parent: dict[str, str] | None = None) -> dict[str, Any]:
        version_id = version_id or self.core.machine_record(org_id, machine).current_version
        if not version_id:
            raise BadRequest(f"machine {machine!r} has no current version yet", code="no-version")
        if self.core.version_of(org_id, machine, version_id) is None:
            raise NotFound(f"version {version_id!r} of machine {machine!r} does not exist")
        key = instance_key(org_id, machine, slug)
        if key in self.core.instances:
            raise Conflict(f"instance {slug!r} of machine {machine!r} already exists")
        if context is not None and not isinstance(context, Mapping):
            raise InvalidParameter("context", "context must be an object")
        supplied = dict(context or {})
        runtime = self.core.runtime_of(version_id)
        runtime.authorize("allowWrite", init_request(slug, supplied, auth_context))
        now = self.core.clock.now_ms()
        try:
            commit = on_create(runtime, key, slug, parent, supplied, now_ms=now,
                               selectors=self.runner.selectors_of(version_id), limits=self.runner.limits)
        except MachineCodeError as err:
            self.core.note_failure(err)
            raise
        inst = Instance(org_id, machine, slug, version_id, commit.snapshot, now, now, parent=parent)
        self.core.transitions[inst.key] = []
        return await self.runner.start_instance(inst, commit)

    async def get_state(self, org_id: str, machine: str, name: str,
                        auth_context: dict[str, Any]) -> dict[str, Any]:
        return await self.check_read(org_id, machine, name, auth_context)

    async def check_read(self, org_id: str, machine: str, name: str,
                         auth_context: dict[str, Any]) -> dict[str, Any]:
        inst = self.core.instance(org_id, machine, name)  # 404 before any authorizer
        self.core.runtime_of(inst.version_id).authorize(
            "allowRead", read_request(name, inst.snapshot.value, inst.snapshot.context, auth_context))
        return inst.wire_state()

    async def send_event(self, org_id: str, machine: str, name: str, event: Any,
                         auth_context: dict[str, Any]) -> dict[str, Any]:
        inst = self.core.instance(org_id, machine, name)
        check_client_event(event)
        return await self.runner.deliver(inst, event, auth_context)

    async def list_instances(self, org_id: str, machine: str, cursor: str | None
                             ) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        insts = sorted((i for i in self.core.instances.values()
                        if i.org_id == org_id and i.machine == machine),
                       key=lambda i: (i.created_at_ms, i.name))
        items = [{"slug": i.name, "createdAt": iso_from_ms(i.created_at_ms), "status": i.status,
                  "machineVersion": self.core.version_info(i.version_id)} for i in insts]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"instances": page}, nxt)

    async def delete_instance(self, org_id: str, machine: str, name: str,
                              body: Mapping[str, Any]) -> None:
        inst = self.core.instance(org_id, machine, name)
        confirm_deletion(body, "hmacSha256OfMachineInstanceNameWithMachineNameKey", machine, name)
        async with inst.lock:
            changes = [Change("delete", "instances", inst.key),
                       Change("delete_transitions", "transitions", inst.key)]
            for timer_id, timer in list(self.core.docs["timers"].items()):
                if timer.instance == inst.key:
                    changes.append(self.core.delete("timers", timer_id))
            self.core.instances.pop(inst.key, None)
            self.core.transitions.pop(inst.key, None)
            self.core.persist(changes)

    async def admin_state(self, org_id: str, machine: str, name: str) -> dict[str, Any]:
        inst = self.core.instance(org_id, machine, name)
        out: dict[str, Any] = {
            "state": inst.snapshot.value, "context": inst.snapshot.context,
            "status": inst.status, "tags": list(inst.snapshot.tags), "done": inst.snapshot.done,
            "machineVersion": self.core.version_info(inst.version_id),
            "createdAt": iso_from_ms(inst.created_at_ms),
        }
        if inst.desired_version:
            out["desiredMachineVersion"] = self.core.version_info(inst.desired_version)
        return out

    async def list_transitions(self, org_id: str, machine: str, name: str, cursor: str | None
                               ) -> dict[str, Any]:
        inst = self.core.instance(org_id, machine, name)
        items = [t.wire() for t in self.core.transitions.get(inst.key, [])]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"transitions": page}, nxt)

    async def set_status(self, org_id: str, machine: str, name: str, status: str) -> None:
        if status not in ("running", "paused"):
            raise InvalidParameter("status", "status must be 'running' or 'paused'")
        inst = self.core.instance(org_id, machine, name)
        inst.status = status
        self.core.persist([self.core.put_instance(inst)])

    async def set_desired_version(self, org_id: str, machine: str, name: str, target: str
                                  ) -> None:
        inst = self.core.instance(org_id, machine, name)
        if self.core.version_of(org_id, machine, target) is None:
            raise NotFound(f"version {target!r} of machine {machine!r} does not exist")
        if target != inst.version_id:
            self.migrations.find_migration_path(org_id, machine, inst.version_id, target)
        inst.desired_version = target if target != inst.version_id else None
        self.core.persist([self.core.put_instance(inst)])

    async def query_index(self, org_id: str, machine: str, index: str, *, op: str | None,
                          value: str | None, dir: str, limit: int | None, cursor: str | None
                          ) -> dict[str, Any]:
        if index not in self.core.machine_record(org_id, machine).indexes:
            raise NotFound(f"machine {machine!r} has no index {index!r}")
        size = check_query(op, value, dir, limit)
        entries = sorted(((v, i.name) for i in self.core.instances.values()
                          if i.org_id == org_id and i.machine == machine
                          for v in i.index_values.get(index, [])), reverse=dir == "desc")
        if op is not None and value is not None:
            compare = OPS[op]
            entries = [e for e in entries if compare(e[0], value)]
        if cursor:
            after = tuple(decode_cursor(cursor))
            entries = [e for e in entries if (e > after if dir == "asc" else e < after)]
        page = entries[:size]
        body: dict[str, Any] = {"instances": [{"indexValue": v, "slug": s} for v, s in page]}
        if len(entries) > size:
            body["cursor"] = encode_cursor(list(page[-1]))
        return body

    async def get_logs(self, org_id: str, from_iso: str, to_iso: str | None,
                       machine: str | None, instance: str | None, version: str | None
                       ) -> dict[str, Any]:
        """At most 100 entries from ``from`` (inclusive); ``maxTimestamp`` is one ms past the
        last entry, or ``from`` itself when there is nothing newer (API.md §4.7)."""
        start = _parse_time("from", from_iso)
        end = _parse_time("to", to_iso) if to_iso else None
        found: list[LogRecord] = []
        for key in sorted(self.core.docs["logs"]):
            entry: LogRecord = self.core.docs["logs"][key]
            ts = entry.timestamp_ms
            if entry.org_id != org_id or ts < start or (end is not None and ts > end):
                continue
            if (machine and entry.machine_name != machine) or \
                    (instance and entry.instance_name != instance) or \
                    (version and entry.machine_version_id != version):
                continue
            found.append(entry)
        page = found[:MAX_LOGS]
        if len(found) > MAX_LOGS:  # never split a millisecond across pages
            last = page[-1].timestamp_ms
            page = [e for e in page if e.timestamp_ms < last] or page
        max_ms = page[-1].timestamp_ms + 1 if page else start
        return {"maxTimestamp": iso_from_ms(max_ms), "logs": [e.wire() for e in page]}


def _parse_time(name: str, value: str) -> int:
    try:
        return ms_from_iso(value)
    except ValueError as err:
        raise InvalidParameter(name, f"{name} must be an ISO-8601 timestamp") from err
