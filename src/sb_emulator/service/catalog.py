"""Machines, versions (the three-step upload flow) and migrations.

A version's stored code is turned into a
:class:`~sb_emulator.service.version_runtime.VersionRuntime` by the catalog's
:class:`~sb_emulator.service.version_runtime.RuntimeLoader` (today the Python engine's,
:mod:`sb_emulator.service.engine_runtime`), once per process and version.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sb_emulator import ids
from sb_emulator.budget import DefinitionTooLarge
from sb_emulator.clock import iso_from_ms
from sb_emulator.errors import BadRequest, Conflict, DefinitionError, InvalidParameter, InvalidState, NotFound
from sb_emulator.machines import (
    MachineDefinition,
    looks_like_yaml_definition,
)
from sb_emulator.machines.deflimits import text_problem
from sb_emulator.service.bounded_gzip import gunzip_bounded
from sb_emulator.service.confirmation import confirm_deletion
from sb_emulator.service.core import EmulatorCore, machine_key, with_cursor
from sb_emulator.service.engine_runtime import EngineVersion
from sb_emulator.service.migrations import read_migration
from sb_emulator.service.records import MachineRecord, MigrationRecord, UploadRecord, VersionRecord
from sb_emulator.service.version_runtime import VersionRuntime
from sb_emulator.store.base import Change

MAX_GZIPPED = 1_000_000
MAX_UNZIPPED = 10_000_000


class Catalog:
    """Machines, versions (the upload flow) and uploaded migrations."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core

    async def register_definition(self, org_id: str, definition: MachineDefinition, *,
                                  make_current: bool = True) -> str:
        """Add a definition loaded from a file as a version (once: unchanged files at a restart
        find their version again)."""
        source = _file_source(definition)
        mkey = machine_key(org_id, definition.name)
        changes = []
        if mkey not in self.core.docs["machines"]:
            changes.append(self.core.put_record("machines", mkey, MachineRecord(
                org_id, definition.name, self.core.clock.now_ms(), sorted(definition.indexes))))
        versions: list[VersionRecord] = list(self.core.docs["versions"].values())
        for version in versions:
            if version.org == org_id and version.machine == definition.name and \
                    version.source.get("digest") == source["digest"]:
                self.core.runtimes[version.id] = EngineVersion(definition)
                version_id = version.id
                break
        else:
            version_id = ids.version_id()
            changes.append(self.core.put_record("versions", version_id, VersionRecord(
                version_id, org_id, definition.name, self.core.clock.now_ms(), source,
                definition.version_label)))
            self.core.runtimes[version_id] = EngineVersion(definition)
        machine: MachineRecord = self.core.docs["machines"][mkey]
        previous = machine.current_version
        if previous and previous != version_id and \
                (definition.upgrade_state is not None or definition.upgrade_context is not None):
            changes += self._definition_migration(org_id, definition.name, previous, version_id)
        if make_current:
            indexes = sorted(set(machine.indexes) | set(definition.indexes))
            changes.append(self.core.put_record("machines", mkey,
                                                machine.with_current(version_id, indexes)))
        self.core.persist(changes)
        return version_id

    def _definition_migration(self, org_id: str, machine: str, from_id: str, to_id: str
                              ) -> list[Change]:
        """A definition's own ``migration`` (YAML) or ``upgrade_state`` / ``upgrade_context``
        (Python) upgrades instances of the version that was current when it was loaded. Its
        functions live in the definition (``Migrations.migration_functions``), so the
        stored edge carries no text; loading the same files again adds no second edge."""
        migrations: list[MigrationRecord] = list(self.core.docs["migrations"].values())
        for edge in migrations:
            if edge.org == org_id and edge.machine == machine and edge.from_version == from_id \
                    and edge.to_version == to_id and edge.from_definition:
                return []
        migration_id = ids.migration_id()
        return [self.core.put_record("migrations", migration_id, MigrationRecord(
            migration_id, org_id, machine, from_id, to_id, self.core.clock.now_ms(),
            from_definition=True))]

    # -- machines -----------------------------------------------------------------------------

    def _machine_body(self, machine: MachineRecord) -> dict[str, Any]:
        out: dict[str, Any] = {"createdAt": iso_from_ms(machine.created_at_ms)}
        if machine.current_version:
            out["currentVersion"] = self.core.version_info(machine.current_version)
        return out

    async def list_machines(self, org_id: str, cursor: str | None) -> dict[str, Any]:
        machines: list[MachineRecord] = sorted(
            (m for m in self.core.docs["machines"].values() if m.org == org_id),
            key=lambda m: m.slug)
        items = [{"slug": m.slug, **self._machine_body(m)} for m in machines]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"machines": page}, nxt)

    async def create_machine(self, org_id: str, slug: str, indexes: list[str]) -> None:
        key = machine_key(org_id, slug)
        if key in self.core.docs["machines"]:
            raise Conflict(f"machine {slug!r} already exists")
        self.core.persist([self.core.put_record("machines", key, MachineRecord(
            org_id, slug, self.core.clock.now_ms(), list(indexes)))])

    async def get_machine(self, org_id: str, slug: str) -> dict[str, Any]:
        machine = self.core.machine_record(org_id, slug)
        return {"machine": {**self._machine_body(machine), "indexes": list(machine.indexes)}}

    async def delete_machine(self, org_id: str, slug: str, body: Mapping[str, Any]) -> None:
        self.core.machine_record(org_id, slug)
        confirm_deletion(body, "hmacSha256OfMachineNameWithMachineNameKey", slug, slug)
        if any(i.org_id == org_id and i.machine == slug for i in self.core.instances.values()):
            raise InvalidState(f"machine {slug!r} still has instances; delete them first")
        changes = [self.core.delete("machines", machine_key(org_id, slug))]
        versions: dict[str, VersionRecord] = self.core.docs["versions"]
        for key, version in list(versions.items()):
            if version.org == org_id and version.machine == slug:
                changes.append(self.core.delete("versions", key))
                self.core.runtimes.pop(key, None)
        migrations: dict[str, MigrationRecord] = self.core.docs["migrations"]
        for key, edge in list(migrations.items()):
            if edge.org == org_id and edge.machine == slug:
                changes.append(self.core.delete("migrations", key))
        self.core.persist(changes)

    # -- versions -----------------------------------------------------------------------------

    async def list_versions(self, org_id: str, machine: str, cursor: str | None
                            ) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        versions: list[VersionRecord] = sorted(
            (v for v in self.core.docs["versions"].values()
             if v.org == org_id and v.machine == machine),
            key=lambda v: v.created_at_ms)
        page, nxt = self.core.page([self.core.version_info(v.id) for v in versions], cursor)
        return with_cursor({"versions": page}, nxt)

    def _provisional_upload(self, upload: UploadRecord, base_url: str
                            ) -> tuple[str, dict[str, Any]]:
        upload_id = secrets.token_urlsafe(18)
        self.core.persist([self.core.put_record("uploads", upload_id, upload)])
        return upload_id, {"codeUploadUrl": f"{base_url}/{upload_id}",
                           "codeUploadFields": {"key": f"{upload.machine}/{upload_id}"}}

    async def provisionally_create_version(self, org_id: str, machine: str, gzip_flag: bool,
                                           upload_base_url: str) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        upload_id, body = self._provisional_upload(
            UploadRecord("version", org_id, machine, gzip_flag), upload_base_url)
        return {"machineVersionId": f"sv_{upload_id}", **body}

    async def receive_upload(self, upload_id: str, fields: Mapping[str, str],
                             file_bytes: bytes | None, content_encoding: str | None) -> None:
        upload: UploadRecord | None = self.core.docs["uploads"].get(upload_id)
        if upload is None:
            raise NotFound("unknown or expired upload")
        if file_bytes is None:
            raise InvalidParameter("file", "the multipart form has no 'file' part")
        gzipped = content_encoding == "gzip" or upload.gzip or file_bytes[:2] == b"\x1f\x8b"
        code = _gunzip(file_bytes) if gzipped else file_bytes
        if len(code) > MAX_UNZIPPED:
            raise BadRequest(f"code is {len(code)} bytes unzipped; the limit is {MAX_UNZIPPED}",
                             code="code-too-large")
        kind = "yaml" if looks_like_yaml_definition(code) else "javascript"
        text = code.decode("utf-8", "replace")
        self.core.persist([self.core.put_record("uploads", upload_id,
                                                upload.with_code(text, kind))])

    def _uploaded(self, org_id: str, machine: str, signed_id: str, prefix: str, kind: str
                  ) -> tuple[str, UploadRecord, str]:
        """The upload ``signed_id`` names, its id and its code (uploaded by now)."""
        upload_id = signed_id[len(prefix):] if signed_id.startswith(prefix) else ""
        upload: UploadRecord | None = self.core.docs["uploads"].get(upload_id)
        if upload is None or upload.kind != kind or upload.org != org_id or \
                upload.machine != machine:
            raise InvalidParameter("signedMachineVersionId" if kind == "version"
                                   else "signedMachineVersionMigrationId",
                                   f"{signed_id!r} is not a provisional {kind} of {machine!r}")
        if upload.code is None:
            raise BadRequest("the code was never uploaded to codeUploadUrl", code="missing-code")
        return upload_id, upload, upload.code

    async def finalize_version(self, org_id: str, machine: str, signed_id: str,
                               client_info: str | None, make_current: bool,
                               index_selectors: Mapping[str, str] | None) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        upload_id, upload, code = self._uploaded(org_id, machine, signed_id, "sv_", "version")
        source = {"kind": upload.code_kind, "text": code,
                  "digest": hashlib.sha256(code.encode()).hexdigest()}
        # parsing, checking and compiling it run in a thread, so the loop keeps answering
        runtime = await _off_the_loop(self._load_uploaded, source, machine)
        # meanwhile the machine may have gone, or the same upload been finalised: look again
        mrecord = self.core.machine_record(org_id, machine)
        upload_id, _, _ = self._uploaded(org_id, machine, signed_id, "sv_", "version")
        selectors = self._current_selectors(mrecord)
        selectors.update(index_selectors or {})
        unknown = sorted(set(selectors) - set(mrecord.indexes))
        if unknown:
            raise InvalidParameter("indexSelectors", f"not indexes of {machine!r}: {', '.join(unknown)}")
        version_id = ids.version_id()
        changes = [self.core.delete("uploads", upload_id),
                   self.core.put_record("versions", version_id, VersionRecord(
                       version_id, org_id, machine, self.core.clock.now_ms(), source,
                       client_info or "", selectors))]
        self.core.runtimes[version_id] = runtime
        if make_current:
            changes.append(self.core.put_record("machines", machine_key(org_id, machine),
                                                mrecord.with_current(version_id)))
        self.core.persist(changes)
        return {"machineVersionId": version_id}

    def _load_uploaded(self, source: Mapping[str, Any], machine: str) -> VersionRuntime:
        try:
            return self.core.loader.load(source, machine)
        except DefinitionTooLarge as err:
            raise BadRequest("the uploaded machine definition is too large:\n" + str(err),
                             code="definition-too-large") from err
        except DefinitionError as err:
            raise BadRequest("the uploaded machine definition is invalid:\n" + str(err),
                             code="invalid-definition") from err

    def _current_selectors(self, machine: MachineRecord) -> dict[str, str]:
        current = machine.current_version
        return dict(self.core.version_record(current).index_selectors) if current else {}

    # -- migrations ---------------------------------------------------------------------------

    async def provisionally_create_migration(self, org_id: str, machine: str, from_id: str,
                                             to_id: str, gzip_flag: bool, upload_base_url: str
                                             ) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        for version_id, name in ((from_id, "fromMachineVersionId"), (to_id, "toMachineVersionId")):
            if self.core.version_of(org_id, machine, version_id) is None:
                raise InvalidParameter(name, f"{version_id!r} is not a version of {machine!r}")
        upload_id, body = self._provisional_upload(
            UploadRecord("migration", org_id, machine, gzip_flag, from_version=from_id,
                         to_version=to_id), upload_base_url)
        return {"machineVersionMigrationId": f"sm_{upload_id}", **body}

    async def finalize_migration(self, org_id: str, machine: str, signed_id: str
                                 ) -> dict[str, Any]:
        self.core.machine_record(org_id, machine)
        upload_id, upload, code = self._uploaded(org_id, machine, signed_id, "sm_", "migration")
        from_id, to_id = upload.from_version, upload.to_version
        if from_id is None or to_id is None:
            raise BadRequest(f"{signed_id!r} names no versions to migrate between",
                             code="invalid-definition")
        if upload.code_kind != "yaml":
            raise BadRequest("JavaScript migrations are not supported yet by sb-emulator; upload "
                             "a YAML migration (upgradeState / upgradeContext)",
                             code="unsupported-code")
        too_long = text_problem(code)
        if too_long is not None:
            raise BadRequest(f"the uploaded migration is too large: {too_long}",
                             code="definition-too-large")
        # an engine version's states are known here: the new paths must be some
        runtime = self.core.runtime_of(to_id)
        target = runtime.definition.machine if isinstance(runtime, EngineVersion) else None
        try:
            await _off_the_loop(read_migration, code, machine, target, to_id)
        except DefinitionError as err:
            raise BadRequest("the uploaded migration is invalid:\n" + str(err),
                             code="invalid-definition") from err
        upload_id, _, _ = self._uploaded(org_id, machine, signed_id, "sm_", "migration")  # again
        migration_id = ids.migration_id()
        self.core.persist([self.core.delete("uploads", upload_id),
                           self.core.put_record("migrations", migration_id, MigrationRecord(
                               migration_id, org_id, machine, from_id, to_id,
                               self.core.clock.now_ms(), text=code))])
        return {"machineVersionMigrationId": migration_id, "machineVersionId": migration_id}


# Uploaded definitions are loaded in this thread, one at a time: a large one takes seconds and
# over a hundred MB to parse (see budget.MAX_DEFINITION_CHARS), which concurrent uploads must
# not multiply.
_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sb-emulator-load")
T = TypeVar("T")


async def _off_the_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_LOADER, fn, *args)


def _file_source(definition: MachineDefinition) -> dict[str, Any]:
    path = Path(definition.source)
    text = definition.source_text if definition.source_text is not None else (
        path.read_text(encoding="utf-8") if path.exists() else definition.source)
    digest = hashlib.sha256(f"{definition.source}\0{text}".encode()).hexdigest()
    if definition.kind == "yaml" and definition.source_text is not None:
        return {"kind": "yaml", "text": definition.source_text, "digest": digest,
                "path": definition.source}
    return {"kind": "file", "path": str(path.resolve()) if path.exists() else definition.source,
            "digest": digest}


def _gunzip(data: bytes) -> bytes:
    if len(data) > MAX_GZIPPED:
        raise BadRequest(f"gzipped code is {len(data)} bytes; the limit is {MAX_GZIPPED}",
                         code="code-too-large")
    # inflated in chunks, stopping at the limit: a small gzip can hold gigabytes
    return gunzip_bounded(data, MAX_UNZIPPED)

